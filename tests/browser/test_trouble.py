"""When the hall answers badly: a token it no longer takes sends the dashboard and the
workbench back to signing in with a message; a 5xx (here a proxy's HTML error page) and a 429
are told in Chinese on the kiosk, and the kiosk carries on."""

from playwright.sync_api import expect

from conftest import DEMO_CENTER

KIOSK = {"width": 1080, "height": 1920}


def test_a_token_the_hall_no_longer_takes_sends_the_screens_back_to_signing_in(page):
    page.guard.allow(401, "/api/v1/auth/me")
    for path, key in (("/dashboard", "hall.dashboard.token"), ("/workbench", "hall.workbench.token")):
        page.goto(path)
        page.evaluate("(key) => sessionStorage.setItem(key, 'an.expired.token')", key)
        page.reload()
        expect(page.locator("#sign-in-error")).to_have_text("登录已过期，请重新登录")
        expect(page.locator("#sign-in")).to_be_visible()
        assert page.evaluate("(key) => sessionStorage.getItem(key)", key) is None


def test_the_kiosk_tells_a_server_fault_and_a_rate_limit_in_chinese(page):
    page.guard.allow(502, "/api/v1/public/items")
    page.guard.allow(429, "/api/v1/public/windows")
    page.route(
        "**/api/v1/public/items?*",
        lambda route: route.fulfill(status=502, content_type="text/html", body="<html><h1>502 Bad Gateway</h1></html>"),
    )
    page.route(
        "**/api/v1/public/windows",
        lambda route: route.fulfill(
            status=429,
            content_type="application/problem+json",
            body='{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"slow down"}',
        ),
    )
    page.set_viewport_size(KIOSK)
    page.goto(f"/kiosk/{DEMO_CENTER}")
    page.click("#go-guide")
    expect(page.locator("#toast")).to_have_text("服务器暂时无法处理（502），请稍后再试")
    page.click("#home")
    page.click("#go-windows")
    expect(page.locator("#toast")).to_have_text("操作过于频繁，请稍后再试")
    # The kiosk carries on: its start screen and the lookup still work.
    page.click("#home")
    page.click("#go-lookup")
    expect(page.locator("#case-no")).to_be_visible()
