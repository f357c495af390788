"""Dispositions and the SOP compliance page in Chromium: the Sekretaris issues the step-1 disposisi from the web
form (an empty instruction and a tampered CSRF token are refused and change nothing), it shows in the Sub
Koordinator's inbox with its time standard, is marked done, and is counted on `/kepatuhan-sop`. Screenshots of the
disposisi and compliance pages go with the others (LAPKIN_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.ui.test_officials_app import DESKTOP, PASSWORD, base, login, new_context, no_horizontal_scroll, shoot

PEOPLE = {
    "sekdis": {"nama": "Hadi Sekdis", "nip": "197006062000031006", "jabatan": "Sekretaris Dinas", "role": "sekretaris"},
    "sari": {"nama": "Sari Subkor", "nip": "198503032010012003", "jabatan": "Sub Koordinator", "role": "subkor"},
}


@pytest.fixture(scope="module")
def people(system) -> dict[str, int]:
    out = {}
    with httpx.Client(timeout=30) as c:
        for username, o in PEOPLE.items():
            r = c.post(
                system.url("approval", "/api/v1/officials"),
                json={**o, "username": username, "password": PASSWORD},
                headers=system.admin,
            )
            assert r.status_code == 201, r.text
            out[username] = r.json()["id"]
    return out


def disposisi_count(system) -> int:
    r = httpx.get(system.url("approval", "/api/v1/kepatuhan-sop"), params={"tahun": 2024}, headers=system.admin)
    assert r.status_code == 200
    return r.json()["langkah"][0]["n"]


def test_disposisi_from_the_web_form_to_done(system, browser: Browser, people, screenshots):
    ctx = new_context(browser, system)
    page = ctx.new_page()
    login(page, "sekdis")
    page.click("#nav-disposisi")
    expect(page.locator("h1")).to_have_text("Disposisi")
    expect(page.locator("#kepada_role")).to_have_value("subkor")  # step 1: to the Sub Koordinator
    no_horizontal_scroll(page)

    page.fill("#instruksi", "   ")
    page.fill("#tahun", "2024")
    page.click("#issue")
    expect(page.locator(".error")).to_have_text("Instruksi wajib diisi.")

    page.fill("#instruksi", "Kumpulkan data laporan kinerja triwulan I")
    page.fill("#catatan", "Paling lambat minggu ini")
    page.locator("#disposisi-form input[name=csrf]").evaluate("e => e.value = 'palsu'")
    page.click("#issue")
    expect(page.locator(".error")).to_contain_text("Token keamanan formulir tidak sah")
    expect(page.locator("#disposisi-out .empty")).to_be_visible()  # nothing was issued

    page.goto("/disposisi")
    page.fill("#instruksi", "Kumpulkan data laporan kinerja triwulan I")
    page.fill("#tahun", "2024")
    page.select_option("#periode", "TW1")
    page.click("#issue")
    expect(page.locator("#nomor")).to_have_text("001/DISNAKER/PSM/2024")
    expect(page.locator(".notice")).to_have_text("Disposisi diterbitkan.")
    ctx.close()

    ctx = new_context(browser, system)
    page = ctx.new_page()
    login(page, "sari")
    item = page.locator("#disposisi-in .card").first
    expect(item.locator(".nomor")).to_have_text("001/DISNAKER/PSM/2024")
    expect(item).to_contain_text("standar 15 menit")
    shoot(page, screenshots, "inbox-disposisi")
    item.locator(".nomor").click()
    page.click("#finish")
    expect(page.locator(".notice")).to_have_text("Disposisi ditandai selesai.")
    expect(page.locator("#finish")).to_have_count(0)

    page.goto("/kepatuhan-sop?tahun=2024")
    expect(page.locator("#langkah-1 .n")).to_have_text("1")
    expect(page.locator("#langkah-1 .share")).to_have_text("100 %")
    no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP)
    shoot(page, screenshots, "kepatuhan")
    assert disposisi_count(system) == 1
    assert base(system)
    ctx.close()
