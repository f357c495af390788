"""Issue #13 in Chromium, the review flow through a whole year with all four services as processes:

- a unit's TW1 correction moves only TW2's cumulative (s.d.) figures: TW2's version 2 says what moved, not
  "Tidak ada perubahan angka";
- the annual (TAHUNAN) draft waits for both approved semester reports: its page and inbox card say what it waits
  for, its submit is refused (409) until S1 and S2 are final, then offered;
- a Kepala Bidang returns S1 to the Kepala Seksi naming units and an indicator: the page shows the reason, the units
  (each with whether it has sent new data) and the indicator marked in the recap; closing the correction while
  units still owe data needs a note, recorded in the history; once the staf submits again the banner says so;
  a unit that sent new data counts as delivered and the correction then closes without a note; a semester's
  version 2 from a unit's correction shows that unit delivered and the quarter row that moved;
- a disposisi with a due date is late against that date, one without against its SOP step's time standard.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from services.approval.models import DisposisiRow
from shared.db import make_engine
from tests.ui.test_officials_app import PASSWORD, base, login, new_context, no_horizontal_scroll, reload, wait_until

PEOPLE = {
    "rina": {"nama": "Rina Staf", "nip": "199001012015032001", "jabatan": "Staf Penyusun", "role": "staf"},
    "budi": {"nama": "Budi Subkor", "nip": "198205052008011002", "jabatan": "Sub Koordinator", "role": "subkor"},
    "agus": {"nama": "Agus Kabid", "nip": "197804042005011004", "jabatan": "Kepala Bidang", "role": "kabid"},
    "dewi": {"nama": "Dewi Kasi", "nip": "198005052006042005", "jabatan": "Kepala Seksi", "role": "kasi"},
    "hadi": {"nama": "Hadi Sekdis", "nip": "197006062000031006", "jabatan": "Sekretaris Dinas", "role": "sekretaris"},
}
WAIT_S = 120

# the units by name, as the pages show them (examples/pk-2024.json)
PENTA = "Bidang Penempatan Tenaga Kerja dan Perluasan Kesempatan Kerja"
PPTK = "Bidang Pelatihan dan Produktivitas Tenaga Kerja"


class Api:
    def __init__(self, system) -> None:
        self.system = system
        self.api = system.settings.base_url("approval") + "/api/v1"
        self.headers: dict[str, dict[str, str]] = {}
        self.ids: dict[str, int] = {}
        with httpx.Client(timeout=30) as c:
            for username, o in PEOPLE.items():
                r = c.post(f"{self.api}/officials", json={**o, "username": username, "password": PASSWORD},
                           headers=system.admin)  # fmt: skip
                assert r.status_code == 201, r.text
                self.ids[username] = r.json()["id"]
                r = c.post(f"{self.api}/login", json={"username": username, "password": PASSWORD})
                assert r.status_code == 200, r.text
                self.headers[username] = {"Authorization": f"Bearer {r.json()['token']}"}

    def decide(self, who: str, draft_id: str, decision: str, note: str | None = None, **extra) -> httpx.Response:
        body = {"decision": decision, "note": note, **extra}
        return httpx.post(f"{self.api}/drafts/{draft_id}/decision", json=body, headers=self.headers[who], timeout=30)

    def draft(self, draft_id: str) -> dict | None:
        r = httpx.get(f"{self.api}/drafts/{draft_id}", headers=self.system.admin, timeout=30)
        return r.json() if r.status_code == 200 else None

    def rekap(self, periode: str) -> dict:
        r = httpx.get(self.system.url("aggregator", f"/api/v1/rekap/2024/{periode}"), headers=self.system.admin)
        assert r.status_code == 200, r.text
        return r.json()

    def settled(self, periode: str) -> dict | None:
        """The draft of the period, once drawn from the aggregator's newest recap revision."""
        d = self.draft(f"2024-{periode}")
        return d if d is not None and d["recap_revision"] == self.rekap(periode)["revision"] else None

    def submit_unit(self, unit: str, body: dict) -> httpx.Response:
        with httpx.Client(timeout=30) as c:
            key = c.post(self.system.url("collector", f"/api/v1/units/{unit}/api-keys"), headers=self.system.admin)
            assert key.status_code == 201, key.text
            return c.post(
                self.system.url("collector", "/api/v1/laporan-triwulan"),
                json=body,
                headers={"Authorization": f"Bearer {key.json()['api_key']}"},
            )


@pytest.fixture(scope="module")
def api(system) -> Api:
    return Api(system)


def page_for(browser: Browser, system, username: str) -> Page:
    page = new_context(browser, system).new_page()
    login(page, username)
    expect(page).to_have_url(f"{base(system)}/kotak-masuk")
    return page


def ind(kode: str) -> str:
    return "#ind-" + kode.replace(".", "\\.")


def thousands(value: str) -> str:
    """The integer part as the Indonesian page writes it: 2260 → "2.260"."""
    return f"{int(Decimal(value)):,}".replace(",", ".")


# ---- 5. the change summary shows a move of the cumulative figures only -----------------------------------------


def test_a_correction_that_moves_only_cumulative_figures_is_shown(system, browser, api, acknowledged):
    tw2 = wait_until(lambda: api.settled("TW2"), "the TW2 draft", WAIT_S)
    before = next(i for i in api.rekap("TW2")["indikator"] if i["kode"] == "IK-3.2")
    fix = {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": "950"}]}
    r = api.submit_unit("BID-PENTA", fix)
    assert r.status_code == 202, r.text
    wait_until(lambda: (d := api.settled("TW2")) and d["version"] == tw2["version"] + 1, "TW2's next version", WAIT_S)
    after = next(i for i in api.rekap("TW2")["indikator"] if i["kode"] == "IK-3.2")
    assert after["realisasi"] == before["realisasi"] and after["realisasi_sd"] != before["realisasi_sd"]

    page = page_for(browser, system, "rina")
    page.goto("/draf/2024-TW2")
    changes = page.locator("#changes")
    expect(changes).to_contain_text(f"Versi {tw2['version']} → {tw2['version'] + 1}")
    expect(changes).not_to_contain_text("Tidak ada perubahan angka")
    row = changes.locator("tr.changed")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("IK-3.2")
    moved = row.locator("li", has_text="Realisasi s.d. periode")
    pattern = rf"{re.escape(thousands(before['realisasi_sd']))}\S* → {re.escape(thousands(after['realisasi_sd']))}"
    expect(moved).to_have_text(re.compile(pattern))
    expect(row.locator("li", has_text="Capaian s.d. periode")).to_have_count(1)
    expect(row.locator("li", has_text=re.compile(r"^Realisasi:"))).to_have_count(0)  # the quarter's own did not move
    page.context.close()


# ---- 3. the annual draft waits for both approved semester reports ---------------------------------------------


def test_the_annual_draft_waits_for_both_approved_semesters(system, browser, api):
    for q in (1, 2, 3, 4):
        wait_until(lambda q=q: api.settled(f"TW{q}"), f"the TW{q} draft settled", WAIT_S)
        assert api.decide("rina", f"2024-TW{q}", "approve").status_code == 200
        r = api.decide("budi", f"2024-TW{q}", "approve", "Sesuai")
        assert r.status_code == 200 and r.json()["state"] == "final", r.text
    for periode in ("S1", "S2", "TAHUNAN"):
        wait_until(lambda p=periode: api.draft(f"2024-{p}"), f"the {periode} draft", WAIT_S)

    waits = "Menunggu: Laporan Semester I 2024 dan Laporan Semester II 2024 disetujui"
    assert [m["periode"] for m in api.draft("2024-TAHUNAN")["menunggu"]] == ["S1", "S2"]
    r = api.decide("rina", "2024-TAHUNAN", "approve", "Diajukan")
    assert r.status_code == 409, r.text
    err = r.json()["errors"][0]
    assert err["rule"] == "waiting_for_reports"
    assert "menunggu Laporan Semester I 2024 dan Laporan Semester II 2024 disetujui" in err["message_id"]
    assert "Semester II 2024" in err["message_en"]
    assert api.draft("2024-TAHUNAN")["history"][-1]["action"] == "rendered"  # nothing was recorded

    page = page_for(browser, system, "rina")
    card = page.locator("#draf-2024-TAHUNAN")
    expect(card.locator(".waiting-for")).to_have_text(waits)
    expect(page.locator("#to-act #draf-2024-TAHUNAN")).to_have_count(0)  # nothing to do for the staf yet
    expect(page.locator("#to-act #draf-2024-S2")).to_have_count(1)
    page.goto("/draf/2024-TAHUNAN")
    expect(page.locator("#menunggu")).to_have_text(waits)
    expect(page.locator("#approve")).to_have_count(0)
    expect(page.locator("#header")).not_to_contain_text("terlambat")  # its clock has not started
    no_horizontal_scroll(page)
    csrf = page.locator("form.inline input[name=csrf]").first.input_value()
    r = page.request.post(
        "/draf/2024-TAHUNAN/keputusan",
        form={"csrf": csrf, "decision": "approve", "note": "", "version": "1", "seq": "0"},
    )  # a form forged or kept from before: refused with the same reason
    assert r.status == 409 and "Laporan Semester II 2024" in r.text()
    page.click("#switch-lang")
    expect(page.locator("#menunggu")).to_have_text(
        "Waiting for the Semester I 2024 and Semester II 2024 reports to be approved"
    )
    page.click("#switch-lang")
    page.context.close()


# ---- 4 and 11. a return for correction: banner, units owing, closing needs a note ------------------------------


def test_a_returned_semester_draft_shows_what_to_correct_and_closing_early_needs_a_note(system, browser, api):
    assert api.decide("rina", "2024-S1", "approve", "Draf semester I").status_code == 200
    reason = "Realisasi IK-3.2 triwulan II belum sesuai bukti dukung"
    kabid = page_for(browser, system, "agus")
    kabid.goto("/draf/2024-S1")
    kabid.fill("#reason", reason)
    kabid.check("#koreksi-units input[value=BID-PENTA]")
    kabid.check("#koreksi-units input[value=BID-PPTK]")
    kabid.check("#koreksi-indikator input[value='IK-3.2']")
    kabid.click("#return")
    expect(kabid.locator(".notice")).to_have_text("Draf dikembalikan.")
    kabid.context.close()

    kasi = page_for(browser, system, "dewi")
    kasi.goto("/draf/2024-S1")
    banner = kasi.locator("#koreksi")
    expect(banner.locator("h2")).to_have_text("Dikembalikan untuk diperbaiki")
    expect(kasi.locator("#koreksi-reason")).to_have_text(reason)
    expect(banner).to_contain_text("Agus Kabid")
    expect(kasi.locator("#koreksi-unit-BID-PENTA")).to_have_text(f"{PENTA} — belum mengirim data baru")
    expect(kasi.locator("#koreksi-unit-BID-PPTK")).to_have_text(f"{PPTK} — belum mengirim data baru")
    expect(kasi.locator("#koreksi-indikator-list")).to_contain_text("IK-3.2")
    expect(kasi.locator(ind("IK-3.2"))).to_have_class("koreksi")
    expect(kasi.locator(ind("IK-3.2") + " .koreksi-mark")).to_have_text("perlu dikoreksi")
    expect(kasi.locator("#recap tr.koreksi")).to_have_count(1)
    expect(kasi.locator("#koreksi-owing")).to_have_text(f"Unit yang belum mengirim data baru: {PENTA}, {PPTK}")
    expect(kasi.locator("#approve")).to_have_text("Koreksi selesai")
    expect(kasi.locator("#note")).to_have_attribute("required", "")
    no_horizontal_scroll(kasi)

    # the browser asks for the note; a form sent without it anyway is refused by the server and changes nothing
    before = api.draft("2024-S1")
    kasi.locator("#note").evaluate("e => { e.removeAttribute('required'); e.removeAttribute('minlength'); }")
    kasi.fill("#note", "sudah")
    kasi.click("#approve")
    expect(kasi.locator("#error")).to_contain_text(f"Unit {PENTA}, {PPTK} belum mengirim data baru")
    expect(kasi.locator("#error")).to_contain_text("wajib disertai catatan (minimal 15 karakter)")
    assert api.draft("2024-S1") == before
    note = "Kedua bidang mengonfirmasi data sudah sesuai bukti dukung"
    kasi.fill("#note", note)
    kasi.click("#approve")
    expect(kasi.locator(".notice")).to_have_text("Koreksi dinyatakan selesai.")
    last = kasi.locator("#history li").last
    expect(last.locator(".tanpa-data")).to_have_text(
        f"Koreksi ditutup tanpa data baru dari: {PENTA}, {PPTK} — catatan: {note}"
    )
    closed = api.draft("2024-S1")["history"][-1]
    assert (closed["action"], closed["tanpa_data"], closed["note"]) == (
        "koreksi_selesai",
        ["BID-PENTA", "BID-PPTK"],
        note,
    )
    assert api.draft("2024-S1")["version"] == 1
    kasi.context.close()

    # the staf sees the same banner until submitting again; then it says so and the marks are gone
    staf = page_for(browser, system, "rina")
    staf.goto("/draf/2024-S1")
    expect(staf.locator("#koreksi h2")).to_have_text("Dikembalikan untuk diperbaiki")
    expect(staf.locator(ind("IK-3.2"))).to_have_class("koreksi")
    staf.click("#approve")
    expect(staf.locator(".notice")).to_have_text("Draf diajukan untuk diperiksa.")
    expect(staf.locator("#koreksi h2")).to_have_text("Sudah diajukan kembali setelah pengembalian")
    expect(staf.locator("#koreksi-resolved")).to_contain_text("Rina Staf")
    expect(staf.locator("#recap tr.koreksi")).to_have_count(0)
    expect(staf.locator("#koreksi .tanpa-data")).to_have_text(
        f"Koreksi ditutup tanpa data baru dari: {PENTA}, {PPTK} — catatan: {note}"
    )  # the reviewer sees why the draft came back without new data
    staf.context.close()

    # a second return names one unit; its new TW1 figure of a `terakhir` indicator moves no S1 figure (same draft
    # version) yet is new data: the unit has delivered and the correction closes without a note
    r = api.decide(
        "agus", "2024-S1", "return", "IK-3.1 triwulan I perlu dicek", units=["BID-PENTA"], indikator=["IK-3.1"]
    )
    assert r.status_code == 200 and r.json()["acting_role"] == "kasi", r.text
    revision = api.rekap("S1")["revision"]
    fix = {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.1", "nilai": "9.3"}]}
    r = wait_until(lambda: (x := api.submit_unit("BID-PENTA", fix)).status_code == 202 and x, "BID-PENTA reopened", 60)
    wait_until(lambda: api.rekap("S1")["revision"] > revision, "the S1 recap with BID-PENTA's new data", WAIT_S)
    kasi = page_for(browser, system, "dewi")
    kasi.goto("/draf/2024-S1")
    wait_until(
        lambda: reload(kasi) and "sudah mengirim" in kasi.locator("#koreksi-unit-BID-PENTA").inner_text(),
        "BID-PENTA shown as delivered",
        WAIT_S,
    )
    expect(kasi.locator("#koreksi-unit-BID-PENTA")).to_have_text(f"{PENTA} — sudah mengirim data baru")
    expect(kasi.locator("#koreksi-owing")).to_have_count(0)
    expect(kasi.locator(ind("IK-3.1"))).to_have_class("koreksi")
    kasi.click("#approve")  # no note needed
    expect(kasi.locator(".notice")).to_have_text("Koreksi dinyatakan selesai.")
    expect(kasi.locator("#history li").last.locator(".tanpa-data")).to_have_count(0)
    assert api.draft("2024-S1")["version"] == 1
    kasi.context.close()

    assert api.decide("rina", "2024-S1", "approve", "Diajukan ulang").status_code == 200
    assert api.decide("agus", "2024-S1", "approve", "Sesuai").status_code == 200
    r = api.decide("hadi", "2024-S1", "approve", "Disetujui")
    assert r.status_code == 200 and r.json()["state"] == "final", r.text


def test_the_annual_draft_is_offered_once_both_semesters_are_final(system, browser, api):
    """...after S2 went back once for a unit's correction (version 2, its quarter row in the change summary)."""
    page = page_for(browser, system, "rina")
    page.goto("/draf/2024-TAHUNAN")
    expect(page.locator("#menunggu")).to_have_text("Menunggu: Laporan Semester II 2024 disetujui")
    expect(page.locator("#approve")).to_have_count(0)

    # S2 is returned naming BID-PENTA, whose corrected TW3 figure makes version 2: the banner says the unit has
    # delivered, and the change summary shows the semester's quarter row that moved
    assert api.decide("rina", "2024-S2", "approve").status_code == 200
    r = api.decide("agus", "2024-S2", "return", "IK-3.2 triwulan III keliru", units=["BID-PENTA"], indikator=["IK-3.2"])
    assert r.status_code == 200, r.text
    fix = {"tahun": 2024, "triwulan": 3, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": "1500"}]}
    wait_until(lambda: api.submit_unit("BID-PENTA", fix).status_code == 202, "BID-PENTA reopened for TW3", 60)
    wait_until(lambda: (d := api.settled("S2")) and d["version"] == 2, "S2 version 2", WAIT_S)
    page.goto("/draf/2024-S2")
    expect(page.locator("#koreksi h2")).to_have_text("Dikembalikan untuk diperbaiki")
    expect(page.locator("#koreksi-unit-BID-PENTA")).to_have_text(f"{PENTA} — sudah mengirim data baru")
    row = page.locator("#changes tr.changed", has_text="IK-3.2")
    expect(row.locator("li", has_text="Realisasi TW III")).to_have_text(
        re.compile(r"Realisasi TW III: 1\.420(,0+)? → 1\.500(,0+)?")
    )
    expect(page.locator("#changes li.unit")).to_contain_text([PENTA])
    page.click("#approve")
    expect(page.locator(".notice")).to_have_text("Draf diajukan untuk diperiksa.")
    assert api.decide("agus", "2024-S2", "approve").status_code == 200
    assert api.decide("hadi", "2024-S2", "approve").json()["state"] == "final"
    # the corrected TW3 figure also made a newer annual recap: its version must be drawn before the annual can be
    # submitted (handlers.newer_recap: no forward decision on a version drawn from an older recap)
    wait_until(lambda: api.settled("TAHUNAN"), "the annual draft drawn from the corrected TW3", WAIT_S)

    page.goto("/kotak-masuk")
    card = page.locator("#to-act #draf-2024-TAHUNAN")
    expect(card).to_have_count(1)
    expect(card.locator(".waiting-for")).to_have_count(0)
    expect(card.locator(".badge")).to_have_text("tepat waktu")  # step 9's clock starts now, not at the drafting
    ready = api.draft("2024-TAHUNAN")["history"][-1]  # released (`siap`), or its new version drawn after that
    assert (ready["action"], ready["step"]) in (("siap", 9), ("rendered", 9))
    page.goto("/draf/2024-TAHUNAN")
    expect(page.locator("#menunggu")).to_have_count(0)
    expect(page.locator("#approve")).to_have_text("Ajukan")
    page.click("#approve")
    expect(page.locator(".notice")).to_have_text("Draf diajukan untuk diperiksa.")
    assert api.draft("2024-TAHUNAN")["acting_role"] == "kabid"
    page.context.close()


# ---- 7. a disposisi is late against the due date its issuer set -----------------------------------------------


def test_a_disposisi_is_late_against_its_due_date_else_the_step_standard(system, browser, api, database_url):
    tomorrow = (datetime.now(ZoneInfo("Asia/Jakarta")) + timedelta(days=1)).date()
    ids = {}
    for name, batas in (("due", tomorrow.isoformat()), ("none", None)):
        r = httpx.post(
            f"{api.api}/disposisi",
            json={"kepada_role": "subkor", "instruksi": f"Kumpulkan data ({name})", "tahun": 2024, "periode": "TW1",
                  **({"batas_waktu": batas} if batas else {})},
            headers=api.headers["hadi"],
        )  # fmt: skip
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    # both were issued two hours ago: well past step 1's 15 minutes, well before the due date
    engine = make_engine(system.settings.model_copy(update={"database_url": database_url}), "approval")
    with Session(engine) as db:
        for i in ids.values():
            row = db.get(DisposisiRow, i)
            assert row is not None
            row.issued_at = datetime.now(UTC) - timedelta(hours=2)
            db.add(row)
        db.commit()
    engine.dispose()

    page = page_for(browser, system, "budi")
    page.goto(f"/disposisi/{ids['due']}")
    card = page.locator(f"#disposisi-{ids['due']}")
    expect(card).to_contain_text("jatuh tempo")
    expect(card).not_to_contain_text("standar 15 menit")
    expect(card.locator(".badge")).to_have_text(["tepat waktu"])
    page.goto(f"/disposisi/{ids['none']}")
    card = page.locator(f"#disposisi-{ids['none']}")
    expect(card).to_contain_text("standar 15 menit")
    expect(card.locator(".badge")).to_have_text(["terlambat"])
    page.context.close()
