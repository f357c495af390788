"""The operators' event log in Chromium, against the whole system as processes: an operator logs in, the log shows
every event newest first, a new event appears at the top without a reload (server-sent events), a filter keeps only
its type (live rows too), a row links to its envelope's page; a staf gets 403."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

PASSWORD = "rahasia-2024"


@pytest.fixture(scope="module")
def officials(system) -> None:
    with httpx.Client(timeout=30) as c:
        for username, role in (("oki", "operator"), ("sari", "staf")):
            r = c.post(
                system.url("approval", "/api/v1/officials"),
                json={"username": username, "password": PASSWORD, "nama": username.title(), "role": role},
                headers=system.admin,
            )
            assert r.status_code == 201, r.text


def login(browser: Browser, system, username: str) -> Page:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=system.settings.base_url("approval"))
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto("/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    landing = "/operator/peristiwa" if username == "oki" else "/kotak-masuk"  # operators start on the log
    expect(page).to_have_url(f"{system.settings.base_url('approval')}{landing}")
    return page


def test_event_log_is_live_filtered_and_opens_envelopes(system, browser, officials, pk_2024):
    staf = login(browser, system, "sari")
    assert staf.goto("/operator/peristiwa").status == 403
    staf.context.close()

    page = login(browser, system, "oki")
    page.goto("/operator/peristiwa")
    expect(page.locator("h1")).to_have_text("Log peristiwa")
    expect(page.locator("#live.on")).to_be_visible()  # the EventSource is connected
    before = page.locator("#events tbody tr").count()

    with httpx.Client(timeout=30) as c:  # an event happens elsewhere: the collector publishes a PK
        r = c.put(system.url("collector", "/api/v1/perjanjian-kinerja/2024"), json=pk_2024, headers=system.admin)
        assert r.status_code == 200, r.text

    pk_row = page.locator('#events tbody tr[data-type="PerjanjianKinerjaPublished"]')
    expect(pk_row).to_have_count(1, timeout=20_000)  # arrived without a reload
    # the aggregator answers with recaps, which arrive live too, above it: newest first
    expect(page.locator('#events tbody tr[data-type="RekapCompleted"]').first).to_be_visible(timeout=20_000)
    types = page.locator("#events tbody tr").evaluate_all("rs => rs.map(r => r.dataset.type)")
    assert types.index("RekapCompleted") < types.index("PerjanjianKinerjaPublished")
    assert len(types) > before
    expect(pk_row.locator("code.corr-id")).not_to_be_empty()  # the whole id; the envelope is on the event's page

    # filter by type (the select offers what the index has seen), then a new event of another type stays out
    page.reload()  # the menus offer what the index had seen when the page was made
    page.select_option("#f-type", "PerjanjianKinerjaPublished")
    page.click("#filters button[type=submit]")
    expect(page.locator("#live.on")).to_be_visible()
    rows = page.locator("#events tbody tr")
    expect(rows.first).to_have_attribute("data-type", "PerjanjianKinerjaPublished")
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.type)")) == {"PerjanjianKinerjaPublished"}
    shown = rows.count()
    with httpx.Client(timeout=30) as c:
        # another year's PK: another event of the same type (without 2024's Renstra, dates and past years, which
        # the collector checks against the PK's year)
        dated = ("renstra", "tanggal", "realisasi_tahun_sebelumnya", "target_renstra", "realisasi_tahun_lalu")
        pk2 = {k: v for k, v in pk_2024.items() if k not in dated} | {"tahun": 2025}
        pk2["sasaran"] = [
            {**s, "indikator": [{k: v for k, v in i.items() if k not in dated} for i in s["indikator"]]}
            for s in pk_2024["sasaran"]
        ]
        r = c.put(system.url("collector", "/api/v1/perjanjian-kinerja/2025"), json=pk2, headers=system.admin)
        assert r.status_code == 200, r.text
    expect(rows).to_have_count(shown + 1, timeout=20_000)
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.type)")) == {"PerjanjianKinerjaPublished"}

    # the full envelope page and the trace by correlation id
    rows.first.locator("a.detail").click()
    expect(page.locator("#envelope")).to_contain_text('"producer": "collector"')
    for path, heading in (("/operator/grup", "Grup konsumen"), ("/operator/surat-mati", "Surat mati")):
        page.goto(path)
        expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("body")).not_to_contain_text("Traceback")
    page.context.close()
