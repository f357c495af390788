"""The operators' console in Chromium, against the whole system as processes (issue 13, items 6, 10 and 14):

- an operator lands on the event log after logging in and has an "Operator" menu in the top navigation leading to
  the event log, the trace, the dead letters and the consumer groups; an official without the role has neither;
- the event log shows each event's whole correlation id, copyable, and a short summary per row: a recap's row is as
  small as any other, and its full payload is only on the event's own page;
- the dead-letter page shows one row per consumer group that failed a poison event, naming the group and the
  service; "Kirim ulang" on one row redelivers to that group only (one new dead letter for it, none for the
  others, nothing re-published on the stream every group reads), a second click on the stale row does nothing, and
  "Buang" removes that row only.

The dead-letter test runs before the worked example is loaded (the log test loads it): on an idle system the poison
event reaches every group at once, instead of waiting behind the renderer's drawing of every report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from redis import Redis

from shared.messaging.index import decode

PASSWORD = "rahasia-2024"
TIMEOUT_S = 60


@pytest.fixture(scope="module")
def officials(system) -> None:
    with httpx.Client(timeout=30) as c:
        for username, role in (("opa", "operator"), ("kasi1", "kasi")):
            r = c.post(
                system.url("approval", "/api/v1/officials"),
                json={"username": username, "password": PASSWORD, "nama": username.title(), "role": role},
                headers=system.admin,
            )
            assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def redis(system) -> Any:
    client = Redis.from_url(system.settings.redis_url)
    yield client
    client.close()


def login(browser: Browser, system, username: str, **context: Any) -> Page:
    base = system.settings.base_url("approval")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base, **context)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto("/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    return page


def wait_until(probe: Callable[[], Any], what: str, timeout: float = TIMEOUT_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} not reached in {timeout}s"
        time.sleep(0.3)


def test_operators_land_on_the_event_log_with_an_operator_menu(system, browser, officials):
    base = system.settings.base_url("approval")
    op = login(browser, system, "opa")
    expect(op).to_have_url(f"{base}/operator/peristiwa")
    expect(op.locator("h1")).to_have_text("Log peristiwa")
    menu = op.locator("header nav #nav-operator")
    expect(menu.locator("summary")).to_have_text("Operator")
    expect(menu.locator("ul")).to_be_hidden()
    menu.locator("summary").click()
    links = menu.locator("ul a")
    expect(links).to_have_count(4)
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == [
        "/operator/peristiwa",
        "/operator/jejak",
        "/operator/surat-mati",
        "/operator/grup",
    ]
    for name, heading, path in (
        ("Jejak", "Jejak", "/operator/jejak"),
        ("Surat mati", "Surat mati", "/operator/surat-mati"),
        ("Grup konsumen", "Grup konsumen", "/operator/grup"),
        ("Log peristiwa", "Log peristiwa", "/operator/peristiwa"),
    ):
        if not op.locator("header nav #nav-operator ul").is_visible():  # open the menu (closed on a new page)
            op.locator("header nav #nav-operator summary").click()
        op.locator("header nav #nav-operator ul").get_by_role("link", name=name, exact=True).click()
        expect(op).to_have_url(f"{base}{path}")
        expect(op.locator("h1")).to_have_text(heading)
    op.goto("/")  # the home page takes an operator to the log too
    expect(op).to_have_url(f"{base}/operator/peristiwa")
    op.goto("/masuk")  # and so does the login page once logged in
    expect(op).to_have_url(f"{base}/operator/peristiwa")
    op.click("#switch-lang")  # in English
    expect(op.locator("header nav #nav-operator summary")).to_have_text("Operator")
    op.locator("header nav #nav-operator summary").click()
    expect(op.locator("header nav #nav-operator ul")).to_contain_text("Dead letters")
    op.context.close()

    kasi = login(browser, system, "kasi1")
    expect(kasi).to_have_url(f"{base}/kotak-masuk")
    expect(kasi.locator("header nav a", has_text="Kotak masuk")).to_be_visible()
    expect(kasi.locator("#nav-operator")).to_have_count(0)
    assert "/operator/" not in kasi.content()
    kasi.context.close()


def test_dead_letters_show_the_group_and_act_on_that_group_only(system, browser, officials, redis):
    settings = system.settings
    collector = settings.stream("collector")
    dlq = f"{collector}.dlq"
    readers = ["aggregator", "approval", "renderer"]  # the consumer groups of the collector's stream
    already = redis.xlen(dlq)
    redis.xadd(collector, {"__data__": b'{"type": "TriwulanSubmitted", "not": "an envelope"}'})
    wait_until(lambda: redis.xlen(dlq) == already + 3, "one dead letter per consumer group")
    length = redis.xlen(collector)

    op = login(browser, system, "opa")
    op.goto("/operator/surat-mati")
    rows = op.locator("#dlq tbody tr.dead")
    expect(rows).to_have_count(already + 3)
    mine = op.locator('#dlq tbody tr.dead:has(td:text("malformed envelope"))')
    expect(mine).to_have_count(3)
    assert sorted(mine.evaluate_all("rs => rs.map(r => r.dataset.group)")) == readers
    for group in readers:  # the group and its service, shown on the row
        row = op.locator(f'#dlq tbody tr.dead[data-group="{group}"]:has(td:text("malformed envelope"))')
        expect(row.locator(".group")).to_have_text(group)
        expect(row.locator(".service")).to_have_text(group)
    expect(op.locator("#dlq thead")).to_contain_text("Grup")

    # replay the renderer's row: only the renderer gets the event again (and, still poison, fails it once more)
    renderer = op.locator('#dlq tbody tr.dead[data-group="renderer"]:has(td:text("malformed envelope"))')
    old_id = renderer.get_attribute("data-id")
    form = {  # what the row's form posts: a second click, or a second tab still showing the row, sends it again
        name: renderer.locator(f'form.inline:has(button.replay) input[name="{name}"]').get_attribute("value")
        for name in ("csrf", "dlq", "entry")
    }
    renderer.locator("button.replay").click()
    expect(op.locator("#result")).to_contain_text("hanya ke grup konsumen renderer")

    def renderer_failed_again() -> bool:
        letters = [decode(f) for _, f in redis.xrange(dlq)]
        return sum(1 for d in letters if d.get("retry_stream")) == 1

    wait_until(renderer_failed_again, "the renderer failing the replay again")
    time.sleep(3)  # nothing else follows (the system's reclaim idle time is 3 s)
    letters = [(eid.decode(), decode(f)) for eid, f in redis.xrange(dlq)]
    poison = [(eid, d) for eid, d in letters if str(d.get("dead_reason", "")).startswith("malformed envelope")]
    assert sorted(d["group"] for _, d in poison) == readers  # still one per group: not three more
    assert old_id not in {eid for eid, _ in poison}
    [again] = [d for _, d in poison if d["group"] == "renderer"]
    assert again["retry_stream"] == settings.retry_stream("renderer")
    assert redis.xlen(collector) == length  # nothing re-published on the stream every group reads
    assert redis.xlen(settings.retry_stream("renderer")) == 1
    for group in ("aggregator", "approval"):
        assert redis.xlen(settings.retry_stream(group)) == 0

    # the same row replayed again: it is gone, nothing happens
    again_page = op.request.post("/operator/surat-mati/kirim-ulang", form=form)
    assert again_page.ok and "sudah tidak ada" in again_page.text()
    assert redis.xlen(settings.retry_stream("renderer")) == 1

    # drop the aggregator's row: that row only
    op.goto("/operator/surat-mati")
    expect(mine).to_have_count(3)
    aggregator = op.locator('#dlq tbody tr.dead[data-group="aggregator"]:has(td:text("malformed envelope"))')
    dropped = aggregator.get_attribute("data-id")
    aggregator.locator("input[name=yakin]").check()  # a drop needs its row's confirmation
    aggregator.locator("button.drop").click()
    expect(op.locator("#result")).to_be_visible()
    expect(mine).to_have_count(2)
    assert sorted(mine.evaluate_all("rs => rs.map(r => r.dataset.group)")) == ["approval", "renderer"]
    assert dropped not in {eid.decode() for eid, _ in redis.xrange(dlq)}
    recorded = op.locator("#recorded tbody tr")
    expect(recorded.first).to_have_attribute("data-action", "drop")
    expect(recorded.first).to_have_attribute("data-group", "aggregator")
    expect(recorded.nth(1)).to_have_attribute("data-action", "replay")
    expect(recorded.nth(1)).to_have_attribute("data-group", "renderer")
    expect(op.locator("body")).not_to_contain_text("Traceback")
    op.context.close()


def test_event_log_shows_whole_copyable_correlation_ids_and_no_payloads(
    system, browser, officials, acknowledged, redis
):
    aggregator = system.settings.stream("aggregator")

    def big_recap() -> dict[str, Any] | None:
        """The newest recap of a complete quarter: the whole recap of every indicator in its payload."""
        for entry_id, fields in redis.xrevrange(aggregator, count=200):
            env = decode(fields)
            if env.get("type") == "RekapCompleted" and env["payload"].get("status") == "complete":
                return {"id": entry_id.decode(), **env}
        return None

    recap = wait_until(big_recap, "a RekapCompleted carrying a whole recap")
    size = len(json.dumps(recap))
    assert "capaian_instansi" in json.dumps(recap["payload"])  # a key only the recap's payload has
    op = login(browser, system, "opa", permissions=["clipboard-read", "clipboard-write"])
    row = op.locator(f'#events tbody tr[data-id="{recap["id"]}"]')

    def shown() -> bool:
        op.goto(f"/operator/peristiwa?type=RekapCompleted&corr={recap['correlation_id']}")
        return row.count() == 1

    wait_until(shown, "the recap's row in the log (through the index)")
    corr = row.locator("code.corr-id")
    expect(corr).to_have_text(recap["correlation_id"])  # whole, not its first 8 characters
    assert len(recap["correlation_id"]) >= 32
    row.locator("button.copy").click()
    expect(row.locator("button.copy")).to_have_text("Tersalin")
    assert op.evaluate("navigator.clipboard.readText()") == recap["correlation_id"]

    # the list is small: a recap's row is a summary, as small as any other row, whatever the recap's size
    op.goto("/operator/peristiwa")
    rows = op.locator("#events tbody tr")
    expect(rows.first).to_be_visible()
    lengths = rows.evaluate_all(  # events with an envelope (the dead-letter test's raw entry has none)
        "rs => rs.filter(r => r.dataset.eventId).map(r => [r.dataset.type, r.outerHTML.length])"
    )
    recap_rows = [n for t, n in lengths if t == "RekapCompleted"]
    others = [n for t, n in lengths if t == "TriwulanSubmitted"]
    assert recap_rows and others, lengths
    assert max(recap_rows) < 1_200 and 4 * max(recap_rows) < size, (recap_rows, size)  # ~900 bytes against ~6 kB
    assert max(recap_rows) < min(others) + 200, lengths  # a recap's row is no bigger than a submission's
    html = op.request.get("/operator/peristiwa").text()
    assert len(html) < 20_000 + 1_500 * len(lengths), len(html)
    assert '"payload"' not in html and "capaian_instansi" not in html
    # every correlation id on the page is whole
    for text in rows.locator("code.corr-id").all_inner_texts():
        assert len(text) >= 32, text

    # the full payload is on the event's own page
    op.goto(f"/operator/peristiwa?type=RekapCompleted&corr={recap['correlation_id']}")
    row.locator("a.detail").click()
    expect(op).to_have_url(f"{system.settings.base_url('approval')}/operator/peristiwa/{aggregator}/{recap['id']}")
    expect(op.locator("#envelope")).to_contain_text('"type": "RekapCompleted"')
    expect(op.locator("#envelope")).to_contain_text('"capaian_instansi"')
    expect(op.locator("#corr-id")).to_have_text(recap["correlation_id"])
    op.context.close()
