"""The hall display (/display/{centre code}): the calls, the queues and the public board on a
1920×1080 screen across the hall."""

import re

from playwright.sync_api import expect

from conftest import DEMO_CENTER

DISPLAY = {"width": 1920, "height": 1080}


def window_numbered(api, center, number):
    token = api.admin()
    return next(
        w
        for w in api.get("/api/v1/windows?limit=500", token)["items"]
        if w["center_id"] == center["id"] and w["number"] == number
    )


def test_a_ticket_called_at_a_window_shows_on_the_display_within_a_second(page, axe, api, screenshot):
    center = api.center()
    page.set_viewport_size(DISPLAY)
    page.goto(f"/display/{DEMO_CENTER}")
    expect(page.locator("body")).to_have_attribute("data-connection", "open")
    # The stream's first event: the people waiting per queue.
    expect(page.locator("#waiting tr").first).to_be_visible()
    expect(page.locator("#board tr").first).to_be_visible()
    # The centre's own board: its first row is the centre's most recently finished case.
    own = api.get(f"/api/v1/public/board?center={center['id']}&limit=1")["items"][0]
    expect(page.locator("#board tr").first).to_contain_text(own["case_no"])
    # Headless Chromium may have no speech: the toggle says so instead of failing.
    speech = page.locator("#speech")
    expect(speech).to_have_text(re.compile("语音播报"))
    if speech.is_enabled():
        speech.click()
        expect(speech).to_have_attribute("aria-pressed", "true")

    # Window 20, the demo's comprehensive window, calls queue C (api/src/demo/queue.rs).
    window = window_numbered(api, center, 20)
    clerk = api.login("clerk20")
    api.put(f"/api/v1/windows/{window['id']}/session", {"state": "open"}, clerk)
    queue = next(q for q in api.get(f"/api/v1/public/centers/{center['id']}/queues") if q["prefix"] == "C")
    ticket = api.post(f"/api/v1/public/centers/{center['id']}/tickets", {"queue_id": queue["id"]})
    waiting_c = page.locator("#waiting tr[data-queue='C'] .waiting-count")
    expect(waiting_c).not_to_have_text("0 人")

    called = api.post(f"/api/v1/windows/{window['id']}/call-next", {}, clerk)
    assert called["number"] == ticket["number"], called
    call = f"请 {ticket['number']} 号到 20 号窗口"
    expect(page.locator("#current-call")).to_have_text(call, timeout=1000)
    expect(page.locator("#recent-calls li").first).to_contain_text(ticket["number"])
    axe(page)
    screenshot(page, "display")


def test_the_display_says_it_is_reconnecting_when_the_stream_drops_and_comes_back(page, api):
    center = api.center()
    page.set_viewport_size(DISPLAY)
    body = page.locator("body")
    answers = []

    # Between the screen and the hall, the stream first ends at once, then is refused (503),
    # then gets through: the browser reconnects after a drop by itself, the page after a refusal.
    def between(route):
        answers.append(route.request.url)
        if len(answers) == 1:
            route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body="retry: 300\n\n")
        else:
            route.fulfill(
                status=503,
                headers={"Content-Type": "application/problem+json"},
                body='{"type":"about:blank","title":"Service Unavailable","status":503}',
            )

    page.guard.allow(503, "/display")
    page.route("**/api/v1/public/centers/*/display", between)
    page.goto(f"/display/{DEMO_CENTER}")
    expect(body).to_have_attribute("data-connection", "reconnecting")
    expect(page.locator("#connection")).to_contain_text("正在重连")
    # The refusal has been answered: what comes next is the page's own retry.
    for _ in range(100):
        if len(answers) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(answers) >= 2, answers
    page.unroute("**/api/v1/public/centers/*/display")
    expect(body).to_have_attribute("data-connection", "open", timeout=10000)
    expect(page.locator("#connection")).to_have_text("实时连接")

    # Back on line, the calls show again.
    window = window_numbered(api, center, 20)
    clerk = api.login("clerk20")
    api.put(f"/api/v1/windows/{window['id']}/session", {"state": "open"}, clerk)
    queue = next(q for q in api.get(f"/api/v1/public/centers/{center['id']}/queues") if q["prefix"] == "C")
    ticket = api.post(f"/api/v1/public/centers/{center['id']}/tickets", {"queue_id": queue["id"]})
    api.post(f"/api/v1/windows/{window['id']}/call-next", {}, clerk)
    expect(page.locator("#current-call")).to_have_text(f"请 {ticket['number']} 号到 20 号窗口", timeout=1000)
