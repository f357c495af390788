"""The officials' pages where an official meets them, in Chromium (issue #13, items 8, 10, 12, 13, 14):

- error pages: an unknown circulation or disposition says so in the page layout with the way back (404); a text over
  its field's limit comes back in the form with a message naming the field and the limit, a form over the body limit
  is a page (not JSON) whose way back restores the text; circulating with no recipient keeps the note and says so
  next to the recipients; who has read a circulation is for its sender, recipients and the Sekretaris only;
- every inbox card says what is expected of the reader, and a final card its SOP step and the day it became final;
- logging in returns to the page asked for (never to another site); text typed before the session expired survives
  the login; the lock-out says how long to wait;
- at 375 px the recap and compliance tables scroll in their own box with the first column fixed;
- the recap has a Satuan column, counts without decimals, units by name; `/kepatuhan-sop` opens on the newest year
  with data.
"""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from playwright.sync_api import Browser, Page, expect

from services.approval import login as login_module
from tests.e2e.conftest import REDIS_URL
from tests.ui.test_officials_app import MOBILE, PASSWORD, base, login, new_context, no_horizontal_scroll, wait_until

PEOPLE = {
    "sri": {"nama": "Sri Staf", "nip": "199101012015032001", "jabatan": "Staf Penyusun", "role": "staf"},
    "bayu": {"nama": "Bayu Subkor", "nip": "198205052008011002", "jabatan": "Sub Koordinator", "role": "subkor"},
    "agus": {"nama": "Agus Kabid", "nip": "197804042005011004", "jabatan": "Kepala Bidang", "role": "kabid"},
    "dewi": {"nama": "Dewi Kasi", "nip": "198005052006042005", "jabatan": "Kepala Seksi", "role": "kasi"},
    "hadi": {"nama": "Hadi Sekdis", "nip": "197006062000031006", "jabatan": "Sekretaris", "role": "sekretaris"},
    "tono": {"nama": "Tono Staf", "nip": "199202022016031003", "jabatan": "Staf", "role": "staf"},
}
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]  # fmt: skip
UPT_BLK = "UPT Balai Latihan Kerja"  # the PK's name of unit UPT-BLK (IK-2.1)
PENTA = "Bidang Penempatan Tenaga Kerja dan Perluasan Kesempatan Kerja"  # BID-PENTA (IK-3.2)


@pytest.fixture(scope="module")
def world(system, acknowledged) -> dict:
    """The officials; TW1 and TW2 final; the S1 draft submitted and returned by the Kepala Bidang for a correction
    of IK-2.1 (unit UPT-BLK); TW3 waiting for the staf."""
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
            body = {"decision": decision, "note": note, **extra}
            r = c.post(f"{api}/drafts/{draft_id}/decision", json=body, headers=tokens[who])
            assert r.status_code == 200, r.text

        for periode in ("TW1", "TW2"):
            wait_until(lambda p=periode: draft(f"2024-{p}"), f"the {periode} draft")
            decide("sri", f"2024-{periode}", "approve")
            decide("bayu", f"2024-{periode}", "approve", "Sesuai")
        wait_until(lambda: draft("2024-S1"), "the S1 draft")
        decide("sri", "2024-S1", "approve", "Draf semester I")
        decide("agus", "2024-S1", "return", "Realisasi IK-2.1 perlu dikoreksi", indikator=["IK-2.1"])
        wait_until(lambda: draft("2024-TW3"), "the TW3 draft")
    return {"ids": ids, "tokens": tokens, "api": api}


def api_draft(system, draft_id: str) -> dict:
    r = httpx.get(system.url("approval", f"/api/v1/drafts/{draft_id}"), headers=system.admin, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def today_wib() -> str:
    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    return f"{now.day} {BULAN[now.month - 1]} {now.year}"


def signed_in(browser: Browser, system, username: str, viewport=MOBILE) -> Page:
    page = new_context(browser, system, viewport).new_page()
    login(page, username)
    expect(page).to_have_url(f"{base(system)}/kotak-masuk")
    return page


def test_inbox_cards_say_what_is_expected_of_you(system, browser, world):
    sri = signed_in(browser, system, "sri")
    expect(sri.locator("#to-act #draf-2024-TW3 .expected")).to_have_text("Susun dan ajukan")
    bayu = signed_in(browser, system, "bayu")
    card = bayu.locator("#for-info #draf-2024-TW3")
    expect(card.locator(".expected")).to_have_text("Tunggu Staf Penyusun Evaluasi Kinerja menyusun dan mengajukan")
    final = bayu.locator("#draf-2024-TW1")  # final: its SOP step and the day it became final, WIB
    expect(final.locator(".step")).to_have_text("4. Menyusun laporan kinerja triwulan")
    expect(final.locator(".final-on")).to_have_text(today_wib())
    expect(final.locator(".expected")).to_have_text("Sosialisasikan kepada pejabat terkait (langkah 5)")
    sri.goto("/kotak-masuk")  # the staf has nothing more to do on it
    expect(sri.locator("#draf-2024-TW1 .expected")).to_have_text("Tidak ada tindakan lagi")
    dewi = signed_in(browser, system, "dewi")  # the correction is the Kepala Seksi's: named by the unit's name
    expect(dewi.locator("#to-act #draf-2024-S1 .expected")).to_have_text(
        f"Perbaiki data unit {UPT_BLK} lalu nyatakan koreksi selesai"
    )
    agus = signed_in(browser, system, "agus")
    expect(agus.locator("#draf-2024-S1 .expected")).to_have_text(f"Tunggu Kepala Seksi memperbaiki data unit {UPT_BLK}")
    agus.goto("/draf/2024-S1")  # the history names the unit too
    expect(agus.locator("#history")).to_contain_text(f"Unit: {UPT_BLK}")
    no_horizontal_scroll(agus)
    for page in (sri, bayu, dewi, agus):
        page.context.close()


def test_the_recap_has_satuan_whole_counts_and_unit_names(system, browser, world):
    page = signed_in(browser, system, "bayu")
    page.goto("/draf/2024-TW1")
    expect(page.locator("#final-on")).to_have_text(today_wib())
    expect(page.locator("#recap thead th")).to_have_text(
        ["Indikator", "Satuan", "Target", "Realisasi", "Capaian (%)", "Predikat"]
    )
    ik32 = page.locator("#ind-IK-3\\.2 td")  # a count: whole numbers
    expect(ik32.nth(0)).to_contain_text(PENTA)
    expect(ik32.nth(1)).to_have_text("orang")
    expect(ik32.nth(2)).to_have_text("1.000")
    expect(ik32.nth(3)).to_have_text("910")
    expect(ik32.nth(4)).to_have_text("91,00")
    ik22 = page.locator("#ind-IK-2\\.2 td")  # a percentage: two places
    expect(ik22.nth(1)).to_have_text("%")
    expect(ik22.nth(2)).to_have_text("80,00")
    expect(ik22.nth(3)).to_have_text("78,50")
    expect(page.locator("#ind-IK-5\\.1 td").nth(2)).to_have_text("15,00 – 25,00")  # a range target

    page.goto("/kepatuhan-sop")  # the newest year with data, not the calendar year that has none
    expect(page.locator("h1")).to_have_text("Kepatuhan SOP 2024")
    expect(page.locator("#langkah-4 .n")).not_to_have_text("0")
    page.context.close()


def visible_in_viewport(page: Page, selector: str, beside: str | None = None) -> bool:
    """On the screen, and (`beside`: the fixed first column's cell) not under the fixed column."""
    box = page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    if box is None or box["width"] <= 0 or box["x"] < -0.5 or box["x"] + box["width"] > width + 0.5:
        return False
    if beside is not None:
        fixed = page.locator(beside).bounding_box()
        return fixed is not None and box["x"] >= fixed["x"] + fixed["width"] - 0.5
    return True


def test_wide_tables_on_a_phone_keep_the_first_column_and_scroll_in_their_box(system, browser, world):
    page = signed_in(browser, system, "bayu")
    page.goto("/draf/2024-TW1")
    no_horizontal_scroll(page)  # the page itself never scrolls sideways
    box = page.locator("#recap-scroll")
    box.evaluate("e => e.scrollLeft = e.scrollWidth")  # the reader swipes the table to its end
    for cell in ("#recap thead th.capaian", "#recap thead th.predikat", "#ind-IK-3\\.2 td.capaian",
                 "#ind-IK-3\\.2 td.predikat"):  # fmt: skip
        assert visible_in_viewport(page, cell, "#ind-IK-3\\.2 td.first"), f"{cell} is not on the 375 px screen"
    assert visible_in_viewport(page, "#ind-IK-3\\.2 td.first"), "the indicator column scrolled away"
    expect(page.locator("#ind-IK-3\\.2 td.predikat")).to_have_text("Sangat Baik")

    page.goto("/kepatuhan-sop?tahun=2024")
    no_horizontal_scroll(page)
    page.locator("#kepatuhan-scroll").evaluate("e => e.scrollLeft = e.scrollWidth")
    assert visible_in_viewport(page, "#kepatuhan thead th:last-child", "#langkah-4 td:first-child")
    assert visible_in_viewport(page, "#langkah-4 td:first-child"), "the step column scrolled away"
    page.context.close()


def test_unknown_circulation_and_disposition_are_not_found_pages(system, browser, world):
    page = signed_in(browser, system, "bayu")
    for path, message, back in (
        ("/sosialisasi/999", "Sosialisasi tidak ditemukan", "/kotak-masuk"),
        ("/disposisi/999", "Disposisi tidak ditemukan", "/disposisi"),
        ("/sosialisasi/bukan-nomor", "Sosialisasi tidak ditemukan", "/kotak-masuk"),
    ):
        response = page.goto(path)
        assert response is not None and response.status in (404, 422), path
        assert response.headers["content-type"].startswith("text/html"), path
        expect(page.locator("h1")).to_have_text("Tidak ditemukan")
        expect(page.locator(".error")).to_contain_text(message)
        expect(page.locator(".error")).not_to_contain_text("Draf")
        expect(page.locator("#back")).to_have_attribute("href", back)
        expect(page.locator("header.top")).to_be_visible()  # the app's own layout
        expect(page.locator("#nav-disposisi")).to_be_visible()
    assert page.goto("/sosialisasi/999").status == 404
    page.context.close()


def test_texts_over_their_limit_come_back_in_the_form(system, browser, world):
    page = signed_in(browser, system, "sri")
    page.goto("/draf/2024-TW3")
    expect(page.locator("#note")).to_have_attribute("maxlength", "4000")
    before = api_draft(system, "2024-TW3")

    long = "Catatan panjang. " * 236  # 4,012 characters: one over the limit when the browser does not stop it
    page.locator("#note").evaluate("e => e.removeAttribute('maxlength')")
    page.fill("#note", long)
    page.click("#approve")
    expect(page.locator("#error")).to_have_text("Catatan: paling banyak 4.000 karakter (terisi 4.012).")
    expect(page.locator("#note")).to_have_value(long)  # kept
    assert api_draft(system, "2024-TW3") == before

    huge = "x" * (system.settings.max_body_bytes + 10)  # over the body limit: a page, not JSON
    page.locator("#note").evaluate("e => e.removeAttribute('maxlength')")
    page.fill("#note", huge)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#approve")
    assert answer.value.status == 413
    expect(page.locator("#error-page .error")).to_contain_text("melebihi batas 1 MB")
    expect(page.locator("header.top")).to_be_visible()
    page.click("#back")  # back to the form: the text typed is there again (kept in the tab, static/app.js)
    expect(page).to_have_url(f"{base(system)}/draf/2024-TW3")
    assert page.locator("#note").input_value() == huge
    page.fill("#note", "")
    assert api_draft(system, "2024-TW3") == before

    page.goto("/disposisi")  # every textarea says its limit
    expect(page.locator("#catatan")).to_have_attribute("maxlength", "4000")
    page.context.close()


def test_circulating_with_no_recipient_keeps_the_note_and_receipts_are_not_for_everyone(system, browser, world):
    bayu = signed_in(browser, system, "bayu")
    bayu.goto("/draf/2024-TW1")
    expect(bayu.locator("#sos-catatan")).to_have_attribute("maxlength", "4000")
    bayu.fill("#sos-catatan", "Mohon dibaca sebelum rapat evaluasi")
    bayu.click("#circulate")
    expect(bayu.locator("#sos-penerima .field-error")).to_have_text("Pilih minimal satu pejabat penerima.")
    expect(bayu.locator("#sos-penerima .field-error")).to_be_in_viewport()  # not screens below where the page opens
    expect(bayu.locator("#sos-catatan")).to_have_value("Mohon dibaca sebelum rapat evaluasi")
    bayu.locator("#sos-penerima label", has_text="Agus Kabid").locator("input").check()
    bayu.click("#circulate")
    expect(bayu.locator(".notice")).to_have_text("Draf disosialisasikan.")
    sos_path = bayu.url.split("?")[0].removeprefix(base(system))
    expect(bayu.locator("#not-read")).to_contain_text("Agus Kabid")  # the sender sees who has not read it

    tono = signed_in(browser, system, "tono")  # neither sender, recipient nor oversight
    response = tono.goto(sos_path)
    assert response is not None and response.status == 403
    expect(tono.locator(".error")).to_contain_text("hanya dapat dilihat pengirim, para penerimanya")
    expect(tono.locator("#receipts")).to_have_count(0)
    expect(tono.locator("#back")).to_have_attribute("href", "/draf/2024-TW1")
    tono.goto("/draf/2024-TW1")
    expect(tono.locator(".unread-list")).to_have_count(0)
    expect(tono.locator("#history")).not_to_contain_text("Disosialisasikan")  # nor in the history (outsider check)
    r = httpx.get(f"{world['api']}{sos_path}", headers=world["tokens"]["tono"], timeout=30)
    assert r.status_code == 403 and "penerima" not in r.json()

    hadi = signed_in(browser, system, "hadi")  # the Sekretaris oversees the SOP: sees it, records no receipt
    assert hadi.goto(sos_path).status == 200
    expect(hadi.locator("#not-read")).to_contain_text("Agus Kabid")
    agus = signed_in(browser, system, "agus")  # the recipient
    assert agus.goto(sos_path).status == 200
    expect(agus.locator(".notice")).to_have_text("Tanda terima baca dicatat.")
    for page in (bayu, tono, hadi, agus):
        page.context.close()


def test_login_returns_to_the_page_asked_for_and_only_on_this_site(system, browser, world):
    ctx = new_context(browser, system)
    page = ctx.new_page()
    page.goto("/draf/2024-TW1?semua=1")
    expect(page).to_have_url(f"{base(system)}/masuk?pesan=login_required&ke=%2Fdraf%2F2024-TW1%3Fsemua%3D1")
    page.click("#switch-lang")  # switching the language on the way keeps where to return
    expect(page.locator("h1")).to_have_text("Log in")
    page.click("#switch-lang")
    expect(page.locator("input[name=ke]")).to_have_value("/draf/2024-TW1?semua=1")
    page.fill("#username", "bayu")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page).to_have_url(f"{base(system)}/draf/2024-TW1?semua=1")
    page.click("#logout")
    for target in ("//evil.example/masuk", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        page.goto("/masuk?" + str(httpx.QueryParams({"ke": target})))
        page.fill("#username", "bayu")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        expect(page).to_have_url(f"{base(system)}/kotak-masuk")
        page.click("#logout")
    ctx.close()


def test_text_typed_before_the_session_expired_survives_the_login(system, browser, world):
    ctx = new_context(browser, system)
    page = ctx.new_page()
    login(page, "sri")
    page.goto("/draf/2024-TW3")
    note = "Disusun dari data keenam unit; IK-3.2 sudah dicek ulang"
    page.fill("#note", note)
    page.wait_for_load_state("networkidle")  # no request of the page (its icon, its script) meets the old cookie

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - system.settings.token_ttl_s - 60

    secret = system.supervisor.env["LAPKIN_SECRET_KEY"]
    old = URLSafeTimedSerializer(secret, salt="lapkin-approval-web-session", signer=SignedLongAgo)
    ctx.add_cookies(
        [{"name": "lapkin_sesi", "value": old.dumps({"csrf": "x", "uid": world["ids"]["sri"]}), "url": base(system)}]
    )
    page.click("#approve")  # the session ran out while typing
    expect(page).to_have_url(f"{base(system)}/masuk?pesan=expired&ke=%2Fdraf%2F2024-TW3")
    expect(page.locator(".notice")).to_have_text("Sesi Anda telah berakhir; silakan masuk kembali.")
    assert api_draft(system, "2024-TW3")["acting_role"] == "staf"
    page.fill("#username", "sri")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page).to_have_url(f"{base(system)}/draf/2024-TW3")
    expect(page.locator("#note")).to_have_value(note)  # the text is back
    page.click("#approve")
    expect(page.locator(".notice")).to_have_text("Draf diajukan untuk diperiksa.")
    assert api_draft(system, "2024-TW3")["acting_role"] == "subkor"
    history = api_draft(system, "2024-TW3")["history"]
    assert [h["note"] for h in history if h["action"] == "submit"] == [note]
    kept = page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('lapkin-draf:'))")
    assert kept == [], kept  # saved: forgotten

    bayu = signed_in(browser, system, "bayu")  # and now it is the Sub Koordinator's to review
    expect(bayu.locator("#to-act #draf-2024-TW3 .expected")).to_have_text("Periksa dan setujui")
    bayu.context.close()
    ctx.close()


def test_the_lock_out_says_how_long_to_wait(system, browser, world):
    store = redis.Redis.from_url(REDIS_URL)
    key = login_module.pair_key(system.settings.stream_prefix, "127.0.0.1", "tono")
    now_ms = int(store.time()[0]) * 1000
    store.hset(key, mapping={"n": 9, "until": now_ms + 290_000})  # as after repeated failures: 4 min 50 s to go
    store.pexpire(key, 600_000)
    try:
        page = new_context(browser, system).new_page()
        login(page, "tono")
        expect(page.locator(".error")).to_have_text("Terlalu banyak percobaan masuk; coba lagi dalam 5 menit.")
        page.context.close()
    finally:
        store.delete(key)
