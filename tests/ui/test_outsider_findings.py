"""What an outsider found walking the SOP in Chromium as each official (issue #13, after the first fixes):

1. `/kepatuhan-sop` judges a disposisi with a due date by that date, as its own page does, and says so;
2. closing a correction early is refused naming the units by name, not code;
3. the annual LKIP's card says which reports it waits for, not "wait for yourself";
4. disposisi and circulation cards say the action expected of you;
5. an unknown draft is "Tidak ditemukan"; a circulation of a final report opens "the report"; the disposisi form's
   periods by name; the state tells "waiting to be submitted" from "under review"; the not-read list is a list;
6. a disposisi (page, Lembar Disposisi, JSON) is for its issuer, its recipients and oversight only;
7. a role and an official both chosen for a disposisi is refused with the form kept.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from services.approval.models import DisposisiRow
from shared import clock
from shared.db import make_engine
from tests.ui.test_officials_app import PASSWORD, base, login, new_context, wait_until

PEOPLE = {
    "sri": {"nama": "Sri Staf", "nip": "199101012015032001", "jabatan": "Staf Penyusun", "role": "staf"},
    "bayu": {"nama": "Bayu Subkor", "nip": "198205052008011002", "jabatan": "Sub Koordinator", "role": "subkor"},
    "agus": {"nama": "Agus Kabid", "nip": "197804042005011004", "jabatan": "Kepala Bidang", "role": "kabid"},
    "dewi": {"nama": "Dewi Kasi", "nip": "198005052006042005", "jabatan": "Kepala Seksi", "role": "kasi"},
    "hadi": {"nama": "Hadi Sekdis", "nip": "197006062000031006", "jabatan": "Sekretaris", "role": "sekretaris"},
    "ahmad": {"nama": "Ahmad Fauzi, S.H., M.H.", "nip": "197501012000031001", "jabatan": "Kepala Bidang",
              "role": "kabid"},
}  # fmt: skip
UPT_BLK = "UPT Balai Latihan Kerja"
PPTK = "Bidang Pelatihan dan Produktivitas Tenaga Kerja"
WAIT_S = 120


@pytest.fixture(scope="module")
def world(system, acknowledged) -> dict:
    """The officials; TW1–TW4 final; S1 submitted and returned by the Kepala Bidang for a correction by units
    BID-PPTK and UPT-BLK; S2 and the annual draft waiting for the staf."""
    api = system.url("approval", "/api/v1")
    ids, tokens = {}, {}
    with httpx.Client(timeout=30) as c:
        for username, o in PEOPLE.items():
            r = c.post(f"{api}/officials", json={**o, "username": username, "password": PASSWORD}, headers=system.admin)
            assert r.status_code == 201, r.text
            ids[username] = r.json()["id"]
            r = c.post(f"{api}/login", json={"username": username, "password": PASSWORD})
            tokens[username] = {"Authorization": f"Bearer {r.json()['token']}"}

        def draft(draft_id: str) -> dict | None:
            r = c.get(f"{api}/drafts/{draft_id}", headers=system.admin)
            return r.json() if r.status_code == 200 else None

        def decide(who: str, draft_id: str, decision: str, note: str | None = None, **extra) -> None:
            r = c.post(f"{api}/drafts/{draft_id}/decision", json={"decision": decision, "note": note, **extra},
                       headers=tokens[who])  # fmt: skip
            assert r.status_code == 200, r.text

        def settled(periode: str) -> dict | None:  # drawn from the aggregator's newest recap of the period
            d = draft(f"2024-{periode}")
            r = c.get(system.url("aggregator", f"/api/v1/rekap/2024/{periode}"), headers=system.admin)
            return d if d is not None and r.status_code == 200 and d["recap_revision"] == r.json()["revision"] else None

        for q in (1, 2, 3, 4):
            wait_until(lambda q=q: settled(f"TW{q}"), f"the TW{q} draft", WAIT_S)
            decide("sri", f"2024-TW{q}", "approve")
            decide("bayu", f"2024-TW{q}", "approve", "Sesuai")
        for periode in ("S1", "S2", "TAHUNAN"):
            wait_until(lambda p=periode: draft(f"2024-{p}"), f"the {periode} draft", WAIT_S)
        decide("sri", "2024-S1", "approve", "Draf semester I")
        decide("agus", "2024-S1", "return", "Data IK-2.1 perlu dikoreksi", units=["BID-PPTK"], indikator=["IK-2.1"])
    return {"ids": ids, "tokens": tokens, "api": api}


def signed_in(browser: Browser, system, username: str) -> Page:
    page = new_context(browser, system).new_page()
    login(page, username)
    expect(page).to_have_url(f"{base(system)}/kotak-masuk")
    return page


def issue(world: dict, who: str, **body) -> dict:
    r = httpx.post(f"{world['api']}/disposisi", json={"instruksi": "Kumpulkan data", "tahun": 2024, **body},
                   headers=world["tokens"][who], timeout=30)  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def test_1_compliance_judges_a_disposisi_by_its_due_date_as_its_page_does(system, browser, world, database_url):
    due = f"{clock.office_date().year}-12-31"
    d = issue(world, "hadi", kepada_role="subkor", langkah=1, tahun=2023, batas_waktu=due)  # alone in 2023
    r = httpx.post(f"{world['api']}/disposisi/{d['id']}/selesai", headers=world["tokens"]["bayu"], timeout=30)
    assert r.status_code == 200, r.text
    engine = make_engine(system.settings.model_copy(update={"database_url": database_url}), "approval")
    with Session(engine) as db:  # done 16 minutes after it was issued: past step 1's 15 minutes, before 31 Dec
        row = db.get(DisposisiRow, d["id"])
        assert row is not None and row.selesai_at is not None
        row.issued_at = row.selesai_at - timedelta(minutes=16)
        db.add(row)
        db.commit()
    engine.dispose()

    page = signed_in(browser, system, "bayu")
    page.goto(f"/disposisi/{d['id']}")
    expect(page.locator(f"#disposisi-{d['id']} .badge")).to_have_text("tepat waktu")
    page.goto("/kepatuhan-sop?tahun=2023")
    step1 = page.locator("#langkah-1")
    expect(step1.locator(".n")).to_have_text("1")
    expect(step1.locator(".share")).to_have_text("100 %")
    expect(step1.locator("td.late-text")).to_have_count(0)
    expect(page.locator("#kepatuhan-due")).to_contain_text("Disposisi yang diberi batas waktu dinilai terhadap")
    r = httpx.get(f"{world['api']}/kepatuhan-sop", params={"tahun": 2023}, headers=system.admin, timeout=30)
    assert r.json()["langkah"][0]["share"] == 1.0
    page.context.close()


def test_2_closing_a_correction_early_names_the_units_by_name(system, browser, world):
    page = signed_in(browser, system, "dewi")
    page.goto("/draf/2024-S1")
    page.locator("#note").evaluate("e => { e.removeAttribute('required'); e.removeAttribute('minlength'); }")
    page.fill("#note", "sudah")
    page.click("#approve")
    error = page.locator("#error")
    expect(error).to_contain_text(f"Unit {PPTK}, {UPT_BLK} belum mengirim data baru")
    expect(error).not_to_contain_text("BID-PPTK")
    expect(error).not_to_contain_text("UPT-BLK")
    r = httpx.post(f"{world['api']}/drafts/2024-S1/decision", json={"decision": "approve", "note": "sudah"},
                   headers=world["tokens"]["dewi"], timeout=30)  # fmt: skip
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["field"] == "note" and UPT_BLK in err["message_id"] and UPT_BLK in err["message_en"]
    page.context.close()


def test_3_the_annual_card_says_what_it_waits_for(system, browser, world):
    page = signed_in(browser, system, "sri")
    waits = "Tunggu Laporan Semester I 2024 dan Laporan Semester II 2024 disetujui"
    expect(page.locator("#for-info #draf-2024-TAHUNAN .expected")).to_have_text(waits)
    page.click("#switch-lang")
    expect(page.locator("#draf-2024-TAHUNAN .expected")).to_have_text(
        "Wait for the Semester I 2024 and Semester II 2024 reports to be approved"
    )
    page.click("#switch-lang")
    page.context.close()


def test_4_and_5_cards_say_the_action_and_circulations_of_final_reports_open_the_report(system, browser, world):
    d = issue(world, "hadi", kepada_role="subkor", instruksi="Rekap data triwulan")
    bayu = signed_in(browser, system, "bayu")
    expect(bayu.locator(f"#disposisi-in #disposisi-{d['id']} .expected")).to_have_text(
        "Tindak lanjuti lalu tandai selesai"
    )
    hadi = signed_in(browser, system, "hadi")
    hadi.goto("/disposisi")
    expect(hadi.locator(f"#disposisi-out #disposisi-{d['id']} .expected")).to_have_text(
        "Menunggu tindak lanjut Sub Koordinator Perencanaan"
    )

    body = {"penerima": [world["ids"]["agus"], world["ids"]["ahmad"]], "catatan": "Mohon dibaca"}
    r = httpx.post(f"{world['api']}/drafts/2024-TW1/sosialisasi", json=body, headers=world["tokens"]["bayu"],
                   timeout=30)  # fmt: skip
    assert r.status_code == 201, r.text
    sos = r.json()["id"]
    agus = signed_in(browser, system, "agus")
    expect(agus.locator(f"#to-read #sosialisasi-{sos} .expected")).to_have_text("Baca laporan ini")
    agus.click(f"#sosialisasi-{sos} .title")
    expect(agus.locator("#expected")).to_have_text("Sudah dibaca")
    expect(agus.locator("#open-draft")).to_have_text("Buka laporan")  # TW1 is final: the report, not a draft
    bayu.goto(f"/sosialisasi/{sos}")
    expect(bayu.locator("#not-read li")).to_have_text(["Ahmad Fauzi, S.H., M.H."])  # one name, commas and all
    bayu.goto("/draf/2024-TW1")
    expect(bayu.locator(f"#sosialisasi-{sos} .unread-list li")).to_have_text(["Ahmad Fauzi, S.H., M.H."])
    for page in (bayu, hadi, agus):
        page.context.close()


def test_5_unknown_draft_periods_by_name_and_the_state_after_submitting(system, browser, world):
    page = signed_in(browser, system, "sri")
    response = page.goto("/draf/xyz")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Tidak ditemukan")
    expect(page.locator(".error")).to_contain_text("Draf tidak ditemukan")
    expect(page.locator("#back")).to_have_attribute("href", "/kotak-masuk")

    page.goto("/draf/2024-S2")
    expect(page.locator("#state")).to_have_text("Menunggu diajukan")
    page.click("#approve")
    expect(page.locator(".notice")).to_have_text("Draf diajukan untuk diperiksa.")
    expect(page.locator("#state")).to_have_text("Diperiksa Kepala Bidang")
    page.context.close()

    hadi = signed_in(browser, system, "hadi")
    hadi.goto("/disposisi")
    options = hadi.locator("#periode option")
    expect(options).to_have_text(["— pilih —", "Triwulan I", "Triwulan II", "Triwulan III", "Triwulan IV",
                                  "Semester I", "Semester II", "Tahunan"])  # fmt: skip
    assert options.evaluate_all("os => os.map(o => o.value)") == ["", "TW1", "TW2", "TW3", "TW4", "S1", "S2",
                                                                  "TAHUNAN"]  # fmt: skip
    hadi.context.close()


def test_6_a_disposisi_is_for_its_issuer_recipients_and_oversight(system, browser, world):
    to_kabid = issue(world, "hadi", kepada_role="kabid", instruksi="Periksa capaian bidang")
    to_dewi = issue(world, "hadi", kepada_id=world["ids"]["dewi"], instruksi="Koreksi data seksi")
    sri = signed_in(browser, system, "sri")
    for d in (to_kabid, to_dewi):
        response = sri.goto(f"/disposisi/{d['id']}")
        assert response is not None and response.status == 403
        expect(sri.locator(".error")).to_contain_text("hanya dapat dibuka penerbitnya, penerimanya")
        expect(sri.locator("#nomor")).to_have_count(0)
        assert sri.request.get(f"/disposisi/{d['id']}/lembar.pdf").status == 403
        r = httpx.get(f"{world['api']}/disposisi/{d['id']}", headers=world["tokens"]["sri"], timeout=30)
        assert r.status_code == 403 and "instruksi" not in r.json()
    sri.context.close()

    allowed = {to_kabid["id"]: ("hadi", "agus", "ahmad"), to_dewi["id"]: ("hadi", "dewi")}
    refused = {to_kabid["id"]: ("bayu", "dewi"), to_dewi["id"]: ("agus", "bayu")}
    for i, who in allowed.items():
        for w in who:
            r = httpx.get(f"{world['api']}/disposisi/{i}", headers=world["tokens"][w], timeout=30)
            assert r.status_code == 200 and r.json()["id"] == i, (w, r.text)
    for i, who in refused.items():
        for w in who:
            r = httpx.get(f"{world['api']}/disposisi/{i}", headers=world["tokens"][w], timeout=30)
            assert r.status_code == 403, (w, r.text)
    agus = signed_in(browser, system, "agus")  # a holder of the addressed role opens it
    assert agus.goto(f"/disposisi/{to_kabid['id']}").status == 200
    expect(agus.locator("#nomor")).to_have_text(to_kabid["nomor"])
    assert agus.goto(f"/disposisi/{to_dewi['id']}").status == 403
    agus.context.close()


def test_7_a_role_and_an_official_both_chosen_is_refused_with_the_form_kept(system, browser, world):
    page = signed_in(browser, system, "hadi")
    page.goto("/disposisi")
    sent = page.locator("#disposisi-out li.card").count()
    page.select_option("#kepada_role", "kabid")
    page.select_option("#kepada_id", str(world["ids"]["agus"]))
    expect(page.locator("#kepada_role")).to_have_value("")  # choosing an official clears the jabatan (app.js)
    page.select_option("#kepada_role", "kabid")
    expect(page.locator("#kepada_id")).to_have_value("")  # and the other way round
    page.select_option("#kepada_id", str(world["ids"]["agus"]))
    page.locator("#kepada_role").evaluate("e => { e.value = 'kabid'; }")  # a form sent with both anyway
    page.fill("#instruksi", "Siapkan data capaian bidang untuk rapat")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#issue")
    assert answer.value.status == 422
    expect(page.locator(".error")).to_contain_text('"Kepada jabatan"')
    expect(page.locator(".error")).to_contain_text('"Kepada pejabat"')
    expect(page.locator("#instruksi")).to_have_value("Siapkan data capaian bidang untuk rapat")
    expect(page.locator("#kepada_role")).to_have_value("kabid")
    expect(page.locator("#kepada_id")).to_have_value(str(world["ids"]["agus"]))
    expect(page.locator("#disposisi-out li.card")).to_have_count(sent)  # nothing was issued
    page.context.close()
    body = {"kepada_role": "kabid", "kepada_id": world["ids"]["agus"], "instruksi": "x", "tahun": 2024}
    r = httpx.post(f"{world['api']}/disposisi", json=body, headers=world["tokens"]["hadi"], timeout=30)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kepada", r.text
