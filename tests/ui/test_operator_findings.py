"""What an outside review of the operators' console found (issue 13, F6–F10), in Chromium against the whole system:

- an unknown event's address is the app's not-found page, in its layout, with the way back to the log (F6);
- on a 375 px phone no operator page scrolls sideways: wide tables scroll in their own box (F7);
- "Buang" drops a dead letter only once its row's "Ya, buang surat mati ini" is ticked; the server refuses a drop
  without it (F8);
- a dead letter's row names the handler's last error (F9);
- the trace of a report (`2024-TW1`) starts at the submissions and the recap its draft was drawn from (F10)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from redis import Redis

from shared.events.envelope import new_envelope
from tests.ui.test_operator_console import PASSWORD, wait_until

PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def operator(system) -> None:
    with httpx.Client(timeout=30) as c:
        r = c.post(
            system.url("approval", "/api/v1/officials"),
            json={"username": "opf", "password": PASSWORD, "nama": "Operator F", "role": "operator"},
            headers=system.admin,
        )
        assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def redis(system) -> Any:
    client = Redis.from_url(system.settings.redis_url)
    yield client
    client.close()


def login(browser: Browser, system, viewport: dict[str, int] | None = None) -> Page:
    ctx = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900}, base_url=system.settings.base_url("approval")
    )
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto("/masuk")
    page.fill("#username", "opf")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    return page


def dead_letter(system, redis: Redis, **extra: Any) -> tuple[str, str]:
    """A dead letter as the aggregator writes one (the consumers never read dead-letter streams)."""
    settings = system.settings
    env = new_envelope("PeriodeClosed", {"tahun": 2031, "periode": "TW1", "closed_by": "t"}, producer="collector")
    letter = {
        "envelope": json.loads(env.model_dump_json()),
        "dead_reason": "too many deliveries",
        "delivery_count": 6,
        "original_stream": settings.stream("collector"),
        "consumer": "aggregator",
        "group": "aggregator",
        "service": "aggregator",
        "failed_at": "2026-01-08T00:00:00+00:00",
        **extra,
    }
    dlq = f"{settings.stream('collector')}.dlq"
    return dlq, redis.xadd(dlq, {"__data__": json.dumps(letter)}).decode()


def test_an_unknown_event_is_the_friendly_not_found_page(system, browser, operator):
    op = login(browser, system)
    aggregator = system.settings.stream("aggregator")
    for path in (
        f"/operator/peristiwa/{aggregator}/1-0",
        f"/operator/peristiwa/{aggregator}/abc",
        "/operator/peristiwa/foo/1-0",
    ):
        answer = op.goto(path)
        assert answer is not None and answer.status == 404, path
        assert answer.headers["content-type"].startswith("text/html"), path
        expect(op.locator("#error-page h1")).to_have_text("Tidak ditemukan")
        expect(op.locator("#error-page [role=alert]")).to_contain_text("Peristiwa tidak ditemukan")
        expect(op.locator("header nav #nav-operator")).to_be_visible()  # in the app's layout, with its menu
    op.locator("#back").click()
    expect(op).to_have_url(f"{system.settings.base_url('approval')}/operator/peristiwa")
    op.goto(f"/operator/peristiwa/{aggregator}/1-0")
    op.click("#switch-lang")
    expect(op.locator("#error-page [role=alert]")).to_contain_text("Event not found")
    expect(op.locator("#back")).to_have_text("Back to the event log")
    op.click("#switch-lang")  # back in Indonesian for the other tests
    op.context.close()


def test_a_drop_needs_its_confirmation_and_the_row_names_the_last_error(system, browser, operator, redis):
    dlq, entry = dead_letter(system, redis, last_error="LookupError: unit ZZZ is not known")
    op = login(browser, system)
    op.goto("/operator/surat-mati")
    row = op.locator(f'#dlq tbody tr.dead[data-id="{entry}"]')
    expect(row.locator(".reason")).to_contain_text("too many deliveries")
    expect(row.locator(".reason")).to_contain_text("LookupError: unit ZZZ is not known")
    expect(row.locator("label.confirm-drop")).to_contain_text("Ya, buang surat mati ini")

    row.locator("button.drop").click()  # not ticked: the browser does not send it
    op.wait_for_timeout(500)
    expect(row).to_have_count(1)
    assert [e.decode() for e, _ in redis.xrange(dlq, min=entry, max=entry)] == [entry]
    form = {
        name: row.locator(f'form.inline:has(button.drop) input[name="{name}"]').get_attribute("value")
        for name in ("csrf", "dlq", "entry")
    }
    refused = op.request.post("/operator/surat-mati/buang", form=form)  # and the server refuses it without
    assert refused.status == 400 and "Ya, buang surat mati ini" in refused.text()
    assert redis.xrange(dlq, min=entry, max=entry)

    row.locator("input[name=yakin]").check()
    row.locator("button.drop").click()
    expect(op.locator("#result")).to_have_attribute("data-result", "dropped")
    expect(row).to_have_count(0)
    assert not redis.xrange(dlq, min=entry, max=entry)
    op.context.close()


def test_a_reports_trace_starts_at_its_submissions_and_recap(system, browser, operator, acknowledged, redis):
    op = login(browser, system)
    steps = op.locator("#trace tbody tr.step")

    def traced() -> list[str]:
        op.goto("/operator/jejak?id=2024-TW1")
        types = steps.evaluate_all("rs => rs.map(r => r.dataset.type)")
        return types if "DraftRendered" in types else []

    types = wait_until(traced, "the draft 2024-TW1 in the trace", timeout=90)
    assert "TriwulanSubmitted" in types and "RekapCompleted" in types, types
    first_draft = types.index("DraftRendered")
    assert types.index("TriwulanSubmitted") < types.index("RekapCompleted") < first_draft, types
    op.context.close()


def test_no_operator_page_scrolls_sideways_on_a_phone(system, browser, operator, acknowledged, redis):
    dead_letter(system, redis, last_error="RuntimeError: " + "a long message " * 20)
    _, dropped = dead_letter(system, redis)
    op = login(browser, system, PHONE)
    op.goto("/operator/surat-mati")  # a recorded action, so the page has its "Tindakan tercatat" table
    row = op.locator(f'#dlq tbody tr.dead[data-id="{dropped}"]')
    row.locator("input[name=yakin]").check()
    row.locator("button.drop").click()
    expect(op.locator("#recorded tbody tr").first).to_be_visible()
    newest = redis.xrevrange(system.settings.stream("aggregator"), count=1)  # a recap: the widest envelope
    event_page = f"/operator/peristiwa/{system.settings.stream('aggregator')}/{newest[0][0].decode()}"
    for path in (
        "/operator/peristiwa",
        "/operator/jejak?id=2024-TW1",
        "/operator/surat-mati",
        "/operator/grup",
        event_page,
        "/operator/peristiwa/foo/1-0",
    ):
        op.goto(path)
        width = op.evaluate("document.documentElement.scrollWidth")
        wide = op.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
        )
        assert width <= PHONE["width"], f"{path} is {width} px wide: {wide}"
    op.context.close()
