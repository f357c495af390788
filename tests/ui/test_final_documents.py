"""Issue 13 in Chromium — final documents, the office's clock, the SOP's own signatory, the Lembar Disposisi.

The system runs in a WIT office (LAPKIN_TIMEZONE=Asia/Jayapura) for this module: pages and documents carry its
calendar and its zone's name.

1. A final report serves the final: while the renderer has not published it yet (it is stopped here), the draft page
   and its "Buka PDF" link say so instead of serving the draft; once published, `/draf/{id}`, the link and a
   circulation serve the final .pdf, with .docx and .xlsx downloads and each file's SHA-256 — the bytes served hash
   to what the page shows.
9. The annual LKIP waits for the Kepala Dinas (created with `lapkin officials create --role kepala_dinas`) after the
   Sekretaris, and is signed by him; the draft before signs nobody; the semester report is signed by the Sekretaris;
   the PK's "kepala" is never printed as signatory.
7. The Lembar Disposisi of a disposition sent to a jabatan names the jabatan, and the disposisi page links it.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from shared.formatting import fmt_date

ZONE = "Asia/Jayapura"
PASSWORD = "rahasia-2024"
OFFICIALS = {
    "rina": {"nama": "Rina Staf", "nip": "199001012015032001", "jabatan": "Staf Penyusun", "role": "staf"},
    "budi": {"nama": "Budi Subkor", "nip": "198205052008011002", "jabatan": "Sub Koordinator", "role": "subkor"},
    "agus": {"nama": "Agus Kabid", "nip": "197804042005011004", "jabatan": "Kepala Bidang", "role": "kabid"},
    "hadi": {"nama": "Hadi Sekdis", "nip": "197006062000031006", "jabatan": "Sekretaris Dinas", "role": "sekretaris"},
}
KADIS = {"nama": "Ir. Wahyu Pratama, M.Si", "nip": "196805051994031002", "jabatan": "Kepala Dinas"}
PK_KEPALA = "Ujang Hendra Gunawan"  # examples/pk-2024.json instansi.kepala: approved nothing, signs nothing


def pk_quoted_only(text: str, draft: bool = False) -> bool:
    """The LKIP names the PK's kepala only where it quotes the PK (Bab II: who signed the PK; the Lampiran: the PK's
    pihak pertama) and, on a draft, under the Kata Pengantar (no signatory yet), never as the report's signatory."""
    return re.sub(r"\s+", " ", text).count(PK_KEPALA) == (3 if draft else 2)


MOBILE = {"width": 375, "height": 812}
TIMEOUT_S = 90


@pytest.fixture(scope="module", autouse=True)
def wit_office() -> Iterator[None]:
    """Before `system` starts: its services read LAPKIN_TIMEZONE from the environment."""
    before = os.environ.get("LAPKIN_TIMEZONE")
    os.environ["LAPKIN_TIMEZONE"] = ZONE
    yield
    if before is None:
        os.environ.pop("LAPKIN_TIMEZONE", None)
    else:
        os.environ["LAPKIN_TIMEZONE"] = before


@pytest.fixture(scope="module")
def ids(system, acknowledged) -> dict[str, int]:
    out = {}
    with httpx.Client(timeout=30) as c:
        for username, o in OFFICIALS.items():
            r = c.post(
                system.url("approval", "/api/v1/officials"),
                json={**o, "username": username, "password": PASSWORD},
                headers=system.admin,
            )
            assert r.status_code == 201, r.text
            out[username] = r.json()["id"]
        # the API takes the new role too
        r = c.post(
            system.url("approval", "/api/v1/officials"),
            json={**KADIS, "nama": "Plt. Kadis", "username": "plt", "password": PASSWORD, "role": "kepala_dinas"},
            headers=system.admin,
        )
        assert r.status_code == 201 and r.json()["role"] == "kepala_dinas", r.text
    # the Kepala Dinas as an office makes its first officials: the CLI, on the running system's database
    env = {**os.environ, **system.supervisor.env}
    made = subprocess.run(
        [sys.executable, "-m", "lapkin", "officials", "create", "--username", "wahyu", "--nama", KADIS["nama"],
         "--role", "kepala_dinas", "--password", PASSWORD, "--nip", KADIS["nip"], "--jabatan", KADIS["jabatan"],
         "--pangkat", "Pembina Utama Muda", "--golongan", "IV/c"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0 and "(kepala_dinas)" in made.stdout, made.stdout + made.stderr
    return out


def base(system) -> str:
    return system.settings.base_url("approval")


def new_context(browser: Browser, system) -> BrowserContext:
    ctx = browser.new_context(viewport=MOBILE, base_url=base(system), accept_downloads=True)
    ctx.set_default_timeout(15_000)
    return ctx


def login(page: Page, username: str) -> None:
    page.goto("/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/kotak-masuk$"))


def wait_until(probe, what: str, timeout: float = TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


class Api:
    def __init__(self, system) -> None:
        self.system = system
        self.http = httpx.Client(timeout=60)
        self.tokens: dict[str, dict[str, str]] = {}

    def as_(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            r = self.http.post(
                self.system.url("approval", "/api/v1/login"), json={"username": username, "password": PASSWORD}
            )
            assert r.status_code == 200, r.text
            self.tokens[username] = {"Authorization": f"Bearer {r.json()['token']}"}
        return self.tokens[username]

    def draft(self, draft_id: str) -> dict | None:
        r = self.http.get(self.system.url("approval", f"/api/v1/drafts/{draft_id}"), headers=self.system.admin)
        return r.json() if r.status_code == 200 else None

    def approve(self, draft_id: str, *usernames: str) -> dict:
        d = wait_until(lambda: self.draft(draft_id), f"draft {draft_id} in the approval service")
        for who in usernames:
            r = self.http.post(
                self.system.url("approval", f"/api/v1/drafts/{draft_id}/decision"),
                json={"decision": "approve", "note": "Disetujui", "version": d["version"]},
                headers=self.as_(who),
            )
            assert r.status_code == 200, r.text
            d = r.json()
        return d

    def documents(self, periode: str, status: str) -> dict | None:
        r = self.http.get(
            self.system.url("renderer", "/api/v1/documents"),
            params={"tahun": 2024, "periode": periode},
            headers=self.system.admin,
        )
        assert r.status_code == 200, r.text
        return next((d for d in reversed(r.json()) if d["status"] == status), None)


@pytest.fixture(scope="module")
def api(system) -> Iterator[Api]:
    a = Api(system)
    yield a
    a.http.close()


def pdf_text(data: bytes) -> str:
    assert data[:4] == b"%PDF", data[:200]
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", out)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def office_today() -> str:
    return fmt_date(datetime.now(ZoneInfo(ZONE)).date(), "id")


def shoot(page: Page, folder: Path, name: str) -> None:
    """`<name>-mobile.png` (375 px) and `<name>-desktop.png` (1280 px): docs/screenshots/ with
    LAPKIN_UPDATE_SCREENSHOTS=1 (tests/ui/conftest.py), else a temporary folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("mobile", MOBILE), ("desktop", {"width": 1280, "height": 900})):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(MOBILE)


def test_a_final_quarterly_report_serves_the_final_with_its_sha256(system, browser, ids, api, screenshots):
    draft_id = "2024-TW1"
    for q in (1, 2, 3, 4):  # every quarter drawn before the renderer goes down (a draw cut short waits its lease)
        wait_until(lambda q=q: api.draft(f"2024-TW{q}"), f"the TW{q} draft")
    api.approve(draft_id, "rina")  # the staf submits
    draft_doc = wait_until(lambda: api.documents("TW1", "draft"), "the TW1 draft document")

    # the renderer is down when the Sub Koordinator approves: the final cannot be published yet
    renderer = system.supervisor.children["renderer"].proc
    system.supervisor.kill("renderer", signal.SIGKILL)
    renderer.wait(30)
    ctx = new_context(browser, system)
    page = ctx.new_page()
    try:
        login(page, "budi")
        page.goto(f"/draf/{draft_id}")
        page.fill("#note", "Disetujui")
        page.click("#approve")
        expect(page.locator(".notice").first).to_have_text("Draf disetujui dan kini final.")
        expect(page.locator("#final-pending")).to_contain_text("dokumen finalnya sedang diterbitkan")
        expect(page.locator("#pdf iframe")).to_have_count(0)  # no draft shown as if it were final
        expect(page.locator("#history .when").last).to_contain_text("WIT")  # the office's zone on the pages
        for path in (f"/draf/{draft_id}/dokumen.pdf", f"/draf/{draft_id}/final.docx"):
            r = page.request.get(path)
            assert r.status == 409 and "sedang diterbitkan" in r.text(), (path, r.status)
            assert r.headers["content-type"].startswith("text/html")
    finally:
        system.supervisor.wait_healthy(60)  # the supervisor starts the renderer again

    try:
        final_doc = wait_until(lambda: api.documents("TW1", "final"), "the TW1 final document")

        def published() -> bool:
            page.reload()
            return page.locator("#sha256-pdf").count() == 1

        wait_until(published, "the final documents on the draft page")
        expect(page.locator("#final-documents")).to_have_text("Dokumen final")
        expect(page.locator("#final-pending")).to_have_count(0)
        shown = {fmt: page.locator(f"#sha256-{fmt}").inner_text().strip() for fmt in ("pdf", "docx", "xlsx")}
        assert shown == final_doc["files"]
        assert shown["pdf"] != draft_doc["files"]["pdf"]
        link = page.locator("#pdf-link")
        expect(link).to_have_text("Buka PDF di tab baru")
        expect(page.locator("#pdf iframe")).to_have_attribute("src", f"/draf/{draft_id}/dokumen.pdf")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE["width"], f"the final draft page is {width}px wide on a phone"

        # the bytes served hash to what the page shows: the final, not the draft
        pdf = page.request.get(link.get_attribute("href") or "")
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"].startswith("inline")
        assert sha(pdf.body()) == shown["pdf"]
        text = pdf_text(pdf.body())
        assert "DRAF" not in text and "LEMBAR PENGESAHAN" in text.upper() and "Budi Subkor" in text
        assert office_today() in text  # "Dicetak pada" and the approval's day: the WIT calendar
        assert PK_KEPALA not in text  # the quarterly report is signed by the Sub Koordinator who approved it
        for fmt, media in (("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")):
            with page.expect_download() as download:
                page.click(f"#{fmt}-link")
            path = download.value.path()
            assert path is not None and sha(open(path, "rb").read()) == shown[fmt]  # noqa: SIM115
            r = page.request.get(f"/draf/{draft_id}/final.{fmt}")
            assert r.status == 200 and media in r.headers["content-type"] and sha(r.body()) == shown[fmt]

        # circulated (SOP step 5): the circulation serves the same final
        page.locator(f"#circulate-form input[name=penerima][value='{ids['agus']}']").check()
        page.fill("#sos-catatan", "Laporan final TW I")
        page.click("#circulate")
        expect(page).to_have_url(re.compile(r"/sosialisasi/\d+"))
        circulation = page.url
        expect(page.locator("#sha256-pdf")).to_have_text(shown["pdf"])
        expect(page.locator("#sha256-xlsx")).to_have_text(shown["xlsx"])
        kabid = ctx.browser.new_context(viewport=MOBILE, base_url=base(system)) if ctx.browser else None
        assert kabid is not None
        other = kabid.new_page()
        login(other, "agus")
        other.goto(circulation)
        expect(other.locator("#sha256-docx")).to_have_text(shown["docx"])
        served = other.request.get(other.locator("#pdf-link").get_attribute("href") or "")
        assert sha(served.body()) == shown["pdf"]
        width = other.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE["width"], f"the circulation page is {width}px wide on a phone"
        kabid.close()
        page.goto(f"/draf/{draft_id}")
        shoot(page, screenshots, "final-documents")
    finally:
        ctx.close()


def test_the_annual_lkip_is_signed_by_the_kepala_dinas_who_approved_it(system, browser, ids, api):
    # the other quarters, then both semesters (the annual report merges two approved semester reports)
    for q in (2, 3, 4):
        api.approve(f"2024-TW{q}", "rina", "budi")
    for semester in ("S1", "S2"):
        api.approve(f"2024-{semester}", "rina", "agus", "hadi")
    semester_final = wait_until(lambda: api.documents("S1", "final"), "the S1 final document", timeout=120)

    ctx = new_context(browser, system)
    page = ctx.new_page()
    try:
        # the semester report is signed by the Sekretaris who approved it
        login(page, "hadi")
        text = pdf_text(page.request.get("/draf/2024-S1/dokumen.pdf").body())
        assert "Hadi Sekdis" in text and "19700606 200003 1 006" in text and PK_KEPALA not in text
        assert sha(page.request.get("/draf/2024-S1/dokumen.pdf").body()) == semester_final["files"]["pdf"]

        # the annual draft, before anyone approved it, prints no signatory
        wait_until(lambda: api.draft("2024-TAHUNAN"), "the annual draft", timeout=120)
        draft_pdf = page.request.get("/draf/2024-TAHUNAN/dokumen.pdf")
        assert draft_pdf.status == 200
        text = pdf_text(draft_pdf.body())
        assert "belum disahkan" in text and KADIS["nama"] not in text
        assert pk_quoted_only(text, draft=True)  # the Kata Pengantar names the PK kepala until signed

        d = api.approve("2024-TAHUNAN", "rina", "agus", "hadi")
        assert d["state"] == "menunggu" and d["acting_role"] == "kepala_dinas"  # after gate 8: the Kepala Dinas

        ctx.close()
        ctx = new_context(browser, system)
        page = ctx.new_page()
        login(page, "wahyu")
        expect(page.locator("#to-act #draf-2024-TAHUNAN")).to_have_count(1)
        expect(page.locator("#to-act #draf-2024-TAHUNAN .acting")).to_have_text("Kepala Dinas")
        page.goto("/draf/2024-TAHUNAN")
        page.fill("#note", "Disahkan")
        page.click("#approve")
        expect(page.locator(".notice").first).to_have_text("Draf disetujui dan kini final.")

        def published() -> bool:
            page.reload()
            return page.locator("#sha256-pdf").count() == 1

        wait_until(published, "the final LKIP on the page", timeout=120)
        final_pdf = page.request.get(page.locator("#pdf-link").get_attribute("href") or "")
        assert sha(final_pdf.body()) == page.locator("#sha256-pdf").inner_text().strip()
        text = pdf_text(final_pdf.body())
        assert KADIS["nama"] in text and pk_quoted_only(text)
        # the signature block as an office writes it: pangkat (golongan) from the CLI, the NIP spaced 8-6-1-3
        assert "Pembina Utama Muda (IV/c)" in text and "NIP. 19680505 199403 1 002" in text
        assert "belum disahkan" not in text and "DRAF" not in text
        pengesahan = text[text.upper().rfind("LEMBAR PENGESAHAN") :]
        for who in ("Rina Staf", "Agus Kabid", "Hadi Sekdis", KADIS["nama"]):
            assert who in pengesahan, who
        assert "19680505 199403 1 002" in pengesahan and KADIS["nip"] not in pengesahan  # spaced there too
        assert "Catatan: Disahkan" in pengesahan  # the Kepala Dinas's decision note, under their row
        assert office_today() in pengesahan
    finally:
        ctx.close()


def test_the_lembar_disposisi_names_the_jabatan_and_is_linked(system, browser, ids):
    ctx = new_context(browser, system)
    page = ctx.new_page()
    try:
        login(page, "hadi")
        page.goto("/disposisi")
        page.select_option("select[name=kepada_role]", "subkor")
        page.fill("textarea[name=instruksi]", "Rekap data laporan kinerja triwulan I")
        page.click("#issue")
        expect(page).to_have_url(re.compile(r"/disposisi/\d+\?pesan=disposisi"))
        link = page.locator("#lembar-pdf")
        expect(link).to_have_text("Buka PDF di tab baru")
        expect(page.locator("#lembar-docx")).to_have_count(1)

        def lembar() -> bytes | None:
            r = page.request.get(link.get_attribute("href") or "")
            return r.body() if r.status == 200 else None

        text = pdf_text(wait_until(lembar, "the Lembar Disposisi"))
        assert "Sub Koordinator Perencanaan" in text and not re.search(r"Kepada\s*–", text)
        assert "Hadi Sekdis" in text and office_today() in text
        docx = page.request.get(page.locator("#lembar-docx").get_attribute("href") or "")
        assert docx.status == 200 and docx.body()[:2] == b"PK"
        assert "attachment" in docx.headers["content-disposition"]
    finally:
        ctx.close()
