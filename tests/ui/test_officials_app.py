"""The officials' web app end to end in Chromium: a quarterly report goes staf → subkor (return, refused without a
reason) → staf → (a unit resubmits: version 2, "what changed") → subkor → final; tampered CSRF tokens and decisions
on a draft that moved on are refused and change nothing; login throttling (no lock-out), a logged-out cookie
replayed, expired session, logout, language switch.
Screenshots of the login, inbox and draft pages (375 px and desktop): docs/screenshots/ with
LAPKIN_UPDATE_SCREENSHOTS=1 (see conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from playwright.sync_api import Browser, BrowserContext, Page, expect

DRAFT = "2024-TW1"
PASSWORD = "rahasia-2024"
OFFICIALS = {
    "rina": {"nama": "Rina Staf", "nip": "199001012015032001", "jabatan": "Staf", "role": "staf"},
    "budi": {"nama": "Budi Subkor", "nip": "198205052008011002", "jabatan": "Sub Koordinator", "role": "subkor"},
    "tono": {"nama": "Tono Staf", "nip": "199202022016031003", "jabatan": "Staf", "role": "staf"},
}
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_S = 90


@pytest.fixture(scope="module")
def ids(system) -> dict[str, int]:
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
    return out


def base(system) -> str:
    return system.settings.base_url("approval")


def new_context(browser: Browser, system, viewport=MOBILE) -> BrowserContext:
    ctx = browser.new_context(viewport=viewport, base_url=base(system))
    ctx.set_default_timeout(15_000)
    return ctx


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit].primary")


def api_draft(system) -> dict:
    r = httpx.get(system.url("approval", f"/api/v1/drafts/{DRAFT}"), headers=system.admin, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def wait_until(probe, what: str, timeout: float = TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def reload(page: Page) -> bool:
    page.reload()
    return True


def shoot(page: Page, folder: Path, name: str) -> None:
    """`<name>-mobile.png` at 375 px and `<name>-desktop.png` at 1280 px, then back to the page's own size."""
    size = page.viewport_size
    folder.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("mobile", MOBILE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a {page.viewport_size['width']}px screen"


def test_login_throttle_logout_replay_and_expired_session(system, browser, ids, screenshots):
    ctx = new_context(browser, system)
    page = ctx.new_page()
    page.goto("/")
    expect(page).to_have_url(f"{base(system)}/masuk")
    expect(page.locator("h1")).to_have_text("Masuk")
    no_horizontal_scroll(page)
    shoot(page, screenshots, "login")

    for _ in range(3):
        login(page, "tono", "salah-sandi")
        expect(page.locator(".error")).to_have_text("Nama pengguna atau kata sandi salah.")
    login(page, "tono")  # at once after three failures: a delay, not a lock, even for the right password
    expect(page.locator(".error")).to_have_text("Terlalu banyak percobaan masuk; coba lagi dalam 1 detik.")
    expect(page).to_have_url(f"{base(system)}/masuk")
    login(page, "tidak-ada")  # an unknown name reads as a wrong password
    expect(page.locator(".error")).to_have_text("Nama pengguna atau kata sandi salah.")
    time.sleep(1.2)
    login(page, "tono")  # after the delay the official gets in: no 15-minute lock for a stranger to trigger
    expect(page).to_have_url(f"{base(system)}/kotak-masuk")

    # logging out ends the session on the server: the same cookie, replayed, opens nothing
    cookie = next(c for c in ctx.cookies() if c["name"] == "lapkin_sesi")
    page.click("#logout")
    expect(page).to_have_url(f"{base(system)}/masuk?pesan=logged_out")
    replay = new_context(browser, system)
    replay.add_cookies([{"name": "lapkin_sesi", "value": cookie["value"], "url": base(system)}])
    replayed = replay.new_page()
    replayed.goto("/kotak-masuk")
    expect(replayed).to_have_url(f"{base(system)}/masuk?pesan=login_required")
    replay.close()

    # a login form without its CSRF token is refused
    page.goto("/masuk")
    page.locator("input[name=csrf]").evaluate("e => e.value = 'palsu'")
    page.fill("#username", "rina")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator(".error")).to_contain_text("Token keamanan formulir tidak sah")
    expect(page).to_have_url(f"{base(system)}/masuk")

    # a session signed long ago has expired: back to the login page with a message
    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - system.settings.token_ttl_s - 60

    secret = system.supervisor.env["LAPKIN_SECRET_KEY"]
    old = URLSafeTimedSerializer(secret, salt="lapkin-approval-web-session", signer=SignedLongAgo)
    ctx.add_cookies(
        [{"name": "lapkin_sesi", "value": old.dumps({"csrf": "x", "uid": ids["rina"]}), "url": base(system)}]
    )
    page.goto("/kotak-masuk")
    expect(page).to_have_url(f"{base(system)}/masuk?pesan=expired")
    expect(page.locator(".notice")).to_have_text("Sesi Anda telah berakhir; silakan masuk kembali.")
    # a cookie signed with the right secret but naming no session on the server opens nothing either
    fresh = URLSafeTimedSerializer(secret, salt="lapkin-approval-web-session")
    forged = fresh.dumps({"csrf": "x", "uid": ids["rina"], "sid": "tebakan"})
    ctx.add_cookies([{"name": "lapkin_sesi", "value": forged, "url": base(system)}])
    page.goto("/kotak-masuk")
    expect(page).to_have_url(f"{base(system)}/masuk?pesan=login_required")
    login(page, "rina")  # a real login gets in
    expect(page.locator("h1")).to_contain_text("Kotak masuk")
    ctx.close()


def test_quarterly_report_through_the_web_app(system, browser, ids, acknowledged, submissions_2024, screenshots):
    staf_ctx, subkor_ctx = new_context(browser, system), new_context(browser, system)
    staf, subkor = staf_ctx.new_page(), subkor_ctx.new_page()

    # --- staf: the TW1 draft arrives in the inbox, to act on --------------------------------------------------
    login(staf, "rina")
    expect(staf).to_have_url(f"{base(system)}/kotak-masuk")

    def in_inbox() -> bool:
        staf.goto("/kotak-masuk")
        return staf.locator(f"#to-act #draf-{DRAFT}").count() == 1

    wait_until(in_inbox, "the TW1 draft in the staf's inbox")
    row = staf.locator(f"#to-act #draf-{DRAFT}")
    expect(row.locator(".title")).to_have_text("Triwulan I 2024")
    expect(row.locator(".step")).to_have_text("4. Menyusun laporan kinerja triwulan")
    expect(row.locator(".acting")).to_have_text("Staf Penyusun Evaluasi Kinerja")
    expect(row.locator(".badge")).to_have_text("tepat waktu")
    no_horizontal_scroll(staf)

    staf.click(f"#draf-{DRAFT} .title")
    expect(staf.locator("#periode")).to_have_text("Triwulan I 2024")
    expect(staf.locator("#state")).to_have_text("Menunggu diajukan")  # not yet submitted (then "Diperiksa …")
    wait_until(lambda: reload(staf) and staf.locator("#ind-IK-3\\.2").count() == 1, "the recap of the draft")
    ik32 = staf.locator("#ind-IK-3\\.2 td")
    expect(ik32.nth(1)).to_have_text("orang")  # satuan
    expect(ik32.nth(2)).to_have_text("1.000")  # target: a count, no decimals
    expect(ik32.nth(3)).to_have_text("910")  # realisasi
    expect(ik32.nth(4)).to_have_text("91,00")  # capaian
    expect(ik32.nth(5)).to_have_text("Sangat Baik")
    expect(staf.locator("#changes")).to_contain_text("Ini versi pertama draf.")
    expect(staf.locator("#return")).to_have_count(0)  # the compiler's stage has no return
    pdf = staf.request.get(f"/draf/{DRAFT}/dokumen.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    staf.fill("#note", "Diajukan untuk diperiksa")
    staf.click("#approve")
    expect(staf.locator(".notice")).to_have_text("Draf diajukan untuk diperiksa.")
    expect(staf.locator("#decide")).to_have_count(0)
    assert api_draft(system)["step"] == 4 and api_draft(system)["acting_role"] == "subkor"

    # --- subkor: tampered CSRF refused; return without a reason refused; with a reason accepted ----------------
    login(subkor, "budi")
    expect(subkor.locator(f"#to-act #draf-{DRAFT}")).to_have_count(1)
    subkor.click(f"#draf-{DRAFT} .title")
    stale = subkor_ctx.new_page()  # the same draft in a second tab, left open
    stale.goto(f"/draf/{DRAFT}")

    before = api_draft(system)
    subkor.locator("#approve-form input[name=csrf]").evaluate("e => e.value = 'dirusak'")
    subkor.click("#approve")
    expect(subkor.locator(".error")).to_contain_text("Token keamanan formulir tidak sah")
    assert api_draft(system) == before

    subkor.goto(f"/draf/{DRAFT}")
    subkor.click("#return")
    expect(subkor.locator("#error")).to_have_text("Pengembalian wajib disertai alasan.")
    assert api_draft(system)["state"] == "menunggu"
    subkor.fill("#reason", "Periksa kembali realisasi IK-3.2")
    subkor.click("#return")
    expect(subkor.locator(".notice")).to_have_text("Draf dikembalikan.")
    expect(subkor.locator("#state")).to_have_text("Dikembalikan")

    # the stale tab's decision: the draft moved on, refused, nothing changes
    before = api_draft(system)
    stale.click("#approve")
    expect(stale.locator("#error")).to_contain_text("Draf sudah berubah sejak halaman ini dibuka")
    assert api_draft(system) == before
    stale.close()

    # --- staf sees it returned, with the reason; a unit resubmits meanwhile: version 2 --------------------------
    staf.goto("/kotak-masuk")
    row = staf.locator(f"#to-act #draf-{DRAFT}")
    expect(row.locator(".state")).to_have_text("Dikembalikan")
    staf.click(f"#draf-{DRAFT} .title")
    expect(staf.locator("#history")).to_contain_text("Periksa kembali realisasi IK-3.2")
    expect(staf.locator("#history")).to_contain_text("Budi Subkor")

    sub = next(s for s in submissions_2024 if s["triwulan"] == 1 and s["unit"] == "BID-PENTA")
    corrected = {
        **sub,
        "realisasi": [{**r, "nilai": "950"} if r["indikator"] == "IK-3.2" else r for r in sub["realisasi"]],
    }
    with httpx.Client(timeout=30) as c:
        key = c.post(system.url("collector", "/api/v1/units/BID-PENTA/api-keys"), headers=system.admin).json()
        r = c.post(
            system.url("collector", "/api/v1/laporan-triwulan"),
            json=corrected,
            headers={"Authorization": f"Bearer {key['api_key']}"},
        )
        assert r.status_code == 202, r.text
    wait_until(lambda: api_draft(system)["version"] == 2, "version 2 of the draft")

    staf.click("#approve")  # the open page still shows version 1
    expect(staf.locator("#error")).to_contain_text("Draf sudah berubah sejak halaman ini dibuka")
    assert api_draft(system)["state"] == "menunggu" and api_draft(system)["version"] == 2

    staf.goto(f"/draf/{DRAFT}")
    expect(staf.locator("#version")).to_have_text("2")
    wait_until(lambda: reload(staf) and staf.locator("#changes tr.changed").count() > 0, "the changes of version 2")
    changes = staf.locator("#changes")
    expect(changes).to_contain_text("Versi 1 → 2")
    expect(changes.locator("tr.changed")).to_have_count(1)
    expect(changes.locator("tr.changed")).to_contain_text("IK-3.2")
    expect(changes.locator("tr.changed")).to_contain_text("910 → 950")
    expect(changes.locator("tr.changed")).to_contain_text("91,00 → 95,00")
    expect(changes.locator("li.unit")).to_have_text(
        ["Bidang Penempatan Tenaga Kerja dan Perluasan Kesempatan Kerja (TW 1, revisi 2)"]
    )
    staf.fill("#note", "Data BID-PENTA diperbaiki")
    staf.click("#approve")
    expect(staf.locator(".notice")).to_have_text("Draf diajukan untuk diperiksa.")

    # --- subkor approves version 2 to final --------------------------------------------------------------------
    subkor.goto("/kotak-masuk")
    expect(subkor.locator(f"#to-act #draf-{DRAFT} .badge")).to_have_text("tepat waktu")
    no_horizontal_scroll(subkor)
    shoot(subkor, screenshots, "inbox")
    subkor.click(f"#draf-{DRAFT} .title")
    expect(subkor.locator("#version")).to_have_text("2")
    no_horizontal_scroll(subkor)
    shoot(subkor, screenshots, "draft")
    subkor.fill("#note", "Disetujui")
    subkor.click("#approve")
    expect(subkor.locator(".notice")).to_have_text("Draf disetujui dan kini final.")
    expect(subkor.locator("#state")).to_have_text("Final")
    expect(subkor.locator("#decide")).to_have_count(0)
    assert api_draft(system)["state"] == "final"
    history = subkor.locator("#history li")
    expect(history.last).to_contain_text("Disetujui")
    expect(history.last).to_contain_text("Budi Subkor")

    staf.goto(f"/draf/{DRAFT}")
    expect(staf.locator("#state")).to_have_text("Final")
    staf.goto("/kotak-masuk")
    expect(staf.locator(f"#for-info #draf-{DRAFT} .state")).to_have_text("Final")

    # --- English, then back; logout ----------------------------------------------------------------------------
    subkor.goto(f"/draf/{DRAFT}")
    subkor.click("#switch-lang")
    expect(subkor).to_have_url(f"{base(system)}/draf/{DRAFT}")
    expect(subkor.locator("html")).to_have_attribute("lang", "en")
    expect(subkor.locator("#periode")).to_have_text("Quarter I 2024")
    expect(subkor.locator("#recap h2")).to_have_text("Performance recap")
    expect(subkor.locator("#ind-IK-3\\.2 td").nth(2)).to_have_text("1,000")
    expect(subkor.locator("#ind-IK-3\\.2 td").nth(5)).to_have_text("Very Good")
    expect(subkor.locator("#logout")).to_have_text("Log out")
    subkor.click("#switch-lang")
    expect(subkor.locator("#periode")).to_have_text("Triwulan I 2024")

    subkor.click("#logout")
    expect(subkor).to_have_url(f"{base(system)}/masuk?pesan=logged_out")
    expect(subkor.locator(".notice")).to_have_text("Anda telah keluar.")
    subkor.goto("/kotak-masuk")
    expect(subkor).to_have_url(f"{base(system)}/masuk?pesan=login_required")
    staf_ctx.close()
    subkor_ctx.close()


def test_a_decision_on_a_final_draft_is_refused(system, browser, ids):
    """A form posted for a draft that has since become final (a replayed or forged form with a valid token)."""
    ctx = new_context(browser, system)
    page = ctx.new_page()
    login(page, "budi")
    page.goto(f"/draf/{DRAFT}")
    expect(page.locator("#decide")).to_have_count(0)
    csrf = page.locator("form.inline input[name=csrf]").input_value()
    before = api_draft(system)
    r = page.request.post(
        f"/draf/{DRAFT}/keputusan",
        form={"csrf": csrf, "decision": "approve", "note": "lagi", "version": "2", "seq": "2"},
    )
    assert r.status == 409 and "draf sudah final" in r.text()
    assert api_draft(system) == before
    ctx.close()
