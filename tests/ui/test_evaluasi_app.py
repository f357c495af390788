"""The AKIP self-assessment in Chromium (375 px): the office answers criteria of 2024's worksheet (one with a note and
an evidence link; a letter off the form is impossible, an invalid link is refused next to its criterion), an
inspektorat official lands on /evaluasi, comments and sets final answers, closes 2024 after confirming, and the
grade — computed here by hand from the worksheet's weights and the answers the page was given — shows on
/evaluasi's trend. Nothing can be answered after."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.approval.lke import Lke, load_lke
from tests.ui.test_officials_app import MOBILE, base, login, new_context, no_horizontal_scroll, shoot

PASSWORD = "rahasia-2024"
PEOPLE = {
    "sari.kantor": {"nama": "Sari Subkor", "jabatan": "Sub Koordinator", "role": "subkor"},
    "kadis.kantor": {"nama": "Kepala Dinas Uji", "jabatan": "Kepala Dinas", "role": "kepala_dinas"},
    "dewi.inspektorat": {"nama": "Dewi Auditor", "jabatan": "Auditor Ahli Madya", "role": "inspektorat"},
}


@pytest.fixture(scope="module")
def people(system) -> dict[str, dict[str, str]]:
    tokens = {}
    with httpx.Client(timeout=30) as c:
        for username, o in PEOPLE.items():
            r = c.post(system.url("approval", "/api/v1/officials"),
                       json={**o, "username": username, "password": PASSWORD}, headers=system.admin)  # fmt: skip
            assert r.status_code == 201, r.text
            login_ = c.post(system.url("approval", "/api/v1/login"), json={"username": username, "password": PASSWORD})
            tokens[username] = {"Authorization": f"Bearer {login_.json()['token']}"}
    return tokens


def by_hand(lke: Lke, answers: dict[str, str]) -> tuple[Decimal, str]:
    total = Decimal(0)
    for k in lke.komponen:
        for s in k.sub:
            vals = [
                next(j.nilai for j in lke.skala[c.skala].jawaban if j.kode == answers[c.kode])
                if answers.get(c.kode) else Decimal(0)
                for c in s.kriteria
            ]  # fmt: skip
            total += (s.bobot * sum(vals) / len(vals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # per sub
    shown = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    bands = sorted(lke.predikat, key=lambda p: p.lebih_dari, reverse=True)
    return shown, next((p.kode for p in bands if shown > p.lebih_dari), bands[-1].kode)


def item(page: Page, kode: str):
    return page.locator(f'[id="k-{kode}"]')


def answer_as_office(page: Page, kode: str, letter: str, catatan: str = "", judul: str = "", tautan: str = "") -> None:
    li = item(page, kode)
    li.locator(".form-kantor summary").click()
    li.locator(f'[id="jawaban-{kode}"]').select_option(letter)
    if catatan:
        li.locator(f'[id="catatan-{kode}"]').fill(catatan)
    if judul:
        li.locator(f'[id="bj-{kode}-1"]').fill(judul)
        li.locator(f'[id="bt-{kode}-1"]').fill(tautan)
    li.locator(f'[id="simpan-{kode}"]').click()


def test_the_office_answers_and_the_inspektorat_closes_2024_with_a_grade(system, browser, people, screenshots):
    lke = load_lke()
    criteria = [c for _, _, c in lke.semua_kriteria()]
    scale = {c.kode: [j.kode for j in lke.skala[c.skala].jawaban] for c in criteria}
    ui = [c.kode for c in criteria[:3]]
    api = httpx.Client(base_url=base(system), timeout=30)

    office = new_context(browser, system, MOBILE)
    page = office.new_page()
    login(page, "sari.kantor")
    page.click("#nav-evaluasi")
    expect(page.locator("h1")).to_have_text("Evaluasi AKIP")
    page.goto("/evaluasi/2024")
    no_horizontal_scroll(page)
    # a link that is neither http(s) nor a page of the app: refused next to its criterion, nothing saved
    answer_as_office(page, ui[0], scale[ui[0]][0], "Renstra ada", "Renstra", "javascript:alert(1)")
    # named by the form's label, not the field's path
    expect(page.locator(f'[id="error-{ui[0]}"]')).to_contain_text("Tautan bukti 1: harus alamat http(s)://")
    page.goto("/evaluasi/2024")
    answer_as_office(page, ui[0], scale[ui[0]][0], "Renstra ada", "LKIP 2024", "/draf/2024-TAHUNAN")
    expect(page.locator(".notice")).to_have_text("Jawaban disimpan.")
    expect(item(page, ui[0]).locator(".jawaban-kantor")).to_contain_text(scale[ui[0]][0])
    expect(item(page, ui[0]).locator('a[href="/draf/2024-TAHUNAN"]')).to_have_text("LKIP 2024")
    for kode in ui[1:]:
        answer_as_office(page, kode, scale[kode][1])
        expect(item(page, kode).locator(".jawaban-kantor")).to_contain_text(scale[kode][1])
    expect(page.locator("#tutup")).to_have_count(0)  # the office never closes
    # the rest of the worksheet answered through the JSON API by the Kepala Dinas (the best letter)
    for c in criteria[3:]:
        r = api.post(f"/api/v1/evaluasi/2024/kriteria/{c.kode}", json={"jawaban": scale[c.kode][0]},
                     headers=people["kadis.kantor"])  # fmt: skip
        assert r.status_code == 200, r.text
    office.close()

    ins = new_context(browser, system, MOBILE)
    page = ins.new_page()
    login(page, "dewi.inspektorat")
    expect(page).to_have_url(f"{base(system)}/evaluasi")  # the inspektorat starts on the evaluation
    page.goto("/evaluasi/2024")
    finals = {ui[0]: scale[ui[0]][-1], ui[1]: scale[ui[1]][0]}
    for kode, letter in finals.items():
        li = item(page, kode)
        li.locator(".form-inspektorat summary").click()
        li.locator(f'[id="komentar-{kode}"]').fill(f"Ditinjau: {kode}")
        li.locator(f'[id="akhir-{kode}"]').select_option(letter)
        li.locator(f'[id="tinjau-{kode}"]').click()
        expect(item(page, kode).locator(".jawaban-akhir")).to_have_text(letter)
        expect(item(page, kode).locator(".komentar")).to_have_text(f"Ditinjau: {kode}")
    sheet = api.get("/api/v1/evaluasi/2024", headers=people["dewi.inspektorat"]).json()
    values = {c["kode"]: c["nilai"] for k in sheet["komponen"] for s in k["sub"] for c in s["kriteria"]}
    assert {k: values[k] for k in finals} == finals and values[ui[2]] == scale[ui[2]][1]
    nilai, grade = by_hand(lke, values)
    no_horizontal_scroll(page)
    shoot(page, screenshots, "evaluasi-tahun")
    page.click("#close")  # without the confirmation box ticked the browser holds the form back
    expect(page.locator("#ev-state")).to_have_text("Terbuka")
    page.check("#konfirmasi")
    page.click("#close")
    expect(page.locator(".notice")).to_contain_text("Evaluasi ditutup")
    expect(page.locator("#ev-predikat")).to_contain_text(grade)
    expect(page.locator(".form-inspektorat")).to_have_count(0)
    page.click("#nav-evaluasi")
    row = page.locator("#tahun-2024")
    expect(row.locator(".predikat")).to_contain_text(grade)
    expect(row.locator(".nilai")).to_contain_text(f"{nilai:.2f}".replace(".", ","))
    expect(row.locator(".state")).to_have_text("Ditutup")
    no_horizontal_scroll(page)
    shoot(page, screenshots, "evaluasi")
    page.goto("/evaluasi/2024")
    page.click("#pemanfaatan-link")  # the evaluator's export of the year, linked from its worksheet
    expect(page.locator("h1")).to_have_text("Pemanfaatan Informasi Kinerja 2024")
    late = api.post(f"/api/v1/evaluasi/2024/kriteria/{ui[2]}", json={"jawaban": scale[ui[2]][0]},
                    headers=people["sari.kantor"])  # fmt: skip
    assert late.status_code == 409
    ins.close()
