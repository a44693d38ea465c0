"""The kiosk (/kiosk/{centre code}): a citizen in the lobby, on a portrait touch screen."""

from conftest import DEMO_CENTER

KIOSK = {"width": 1080, "height": 1920}


def test_the_kiosk_opens_on_its_start_screen(page, axe):
    page.set_viewport_size(KIOSK)
    page.goto(f"/kiosk/{DEMO_CENTER}")
    assert "政务服务中心" in page.title()
    axe(page)
