"""The kiosk (/kiosk/{centre code}): a citizen in the lobby, on a portrait touch screen with
an on-screen keypad and a scanner that types the receipt's QR code."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from conftest import DEMO_CENTER, hall_now

KIOSK = {"width": 1080, "height": 1920}
APPLICANT = {
    "kind": "person",
    "name": "王小明",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
}


def resident_id(first17):
    """An ID number with its GB 11643-1999 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


@pytest.fixture(scope="module")
def finished_case(api):
    """A case of the demo's district centre, accepted and completed with a certificate: its
    receipt answer, which carries the query code the receipt prints."""
    token = api.admin()
    center = api.center()
    items = {
        i["id"]: i
        for i in api.get("/api/v1/items?limit=500", token)["items"]
        if i["active"] and i["handling"] == "committed"
    }
    window, item = next(
        (w["id"], items[i])
        for w in api.get("/api/v1/windows?limit=500", token)["items"]
        if w["active"] and w["center_id"] == center["id"]
        for i in w["item_ids"]
        if i in items
    )
    papers = [m["name"] for m in item["materials"]]
    receipt = api.post(
        "/api/v1/cases",
        {"item_id": item["id"], "window_id": window, "applicant": APPLICANT, "materials": {"received": papers}},
        token,
    )
    case = api.post(f"/api/v1/cases/{receipt['id']}/events", {"action": "start", "version": receipt["version"]}, token)
    today = hall_now().date()
    api.post(
        f"/api/v1/cases/{receipt['id']}/events",
        {
            "action": "complete",
            "version": case["version"],
            "outcome": "approved",
            "result": "准予许可",
            "certificate": {
                "name": item["name"] + "证书",
                "number": "宁640105" + today.strftime("%Y%m%d") + "77",
                "valid_from": today.isoformat(),
                "valid_until": None,
                "issued_by": "银川市西夏区人民政府",
            },
        },
        token,
    )
    return {**receipt, "certificate": item["name"] + "证书", "item": item}


def open_kiosk(page, idle=None):
    page.set_viewport_size(KIOSK)
    page.goto(f"/kiosk/{DEMO_CENTER}" + (f"?idle={idle}" if idle else ""))
    expect(page.locator("body")).to_have_attribute("data-screen", "home")


def test_a_citizen_scans_the_receipt_sees_the_result_rates_it_and_takes_a_ticket(
    page, axe, api, base_url, finished_case, screenshot
):
    open_kiosk(page)
    axe(page)
    screenshot(page, "kiosk")

    # The scanner types what the receipt's QR code holds (api/src/notices/print.rs), then Enter.
    qr = f"{base_url}/api/v1/public/cases/{finished_case['case_no']}?code={finished_case['query_code']}"
    page.keyboard.type(qr)
    page.keyboard.press("Enter")
    status = page.locator("#case-status")
    expect(status).to_have_text(re.compile("办结"))
    result = page.locator("#case-result")
    expect(result).to_contain_text(finished_case["case_no"])
    expect(result).to_contain_text(finished_case["certificate"])
    expect(result).to_contain_text("准予")
    # Never personal data: not the applicant's name, masked or whole, nor a phone or ID number.
    text = page.locator("body").inner_text()
    for secret in ("王小明", "王*明", "王**", APPLICANT["phone"], APPLICANT["id_number"]):
        assert secret not in text
    axe(page)

    page.get_by_role("button", name="评价本次服务").click()
    expect(page.locator("#poor-reasons")).to_be_hidden()
    # A poor level asks what went wrong; the citizen changes their mind.
    page.get_by_role("button", name="不满意", exact=True).click()
    expect(page.locator("#poor-reasons")).to_be_visible()
    expect(page.get_by_role("button", name="多次跑腿")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="非常满意", exact=True).click()
    expect(page.locator("#poor-reasons")).to_be_hidden()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#rating-done")).to_contain_text("非常满意")
    rated = api.get(
        f"/api/v1/public/cases/{finished_case['case_no']}?code={finished_case['query_code']}"
    )
    assert any(step["action"] == "rate" for step in rated["timeline"]), rated["timeline"]

    # A second rating of the same case is refused, and the kiosk says why.
    page.guard.allow(409, "/rating")
    page.get_by_role("button", name="返回首页").click()
    page.keyboard.type(qr)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="评价本次服务").click()
    page.get_by_role("button", name="满意", exact=True).click()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#toast")).to_contain_text("已评价")

    page.get_by_role("button", name="返回首页").click()
    page.get_by_role("button", name=re.compile("^取号")).click()
    queues = page.locator("#queues button")
    expect(queues.first).to_be_visible()
    prefix = queues.first.get_attribute("data-prefix")
    axe(page)
    queues.first.click()
    number = page.locator("#ticket-number")
    expect(number).to_have_text(re.compile(rf"^{prefix}\d+$"))
    expect(page.locator("#ticket")).to_contain_text("前面还有")
    axe(page)


def test_a_citizen_types_the_number_and_code_on_the_keypad(page, axe, finished_case):
    open_kiosk(page)
    page.get_by_role("button", name=re.compile("^办件查询")).click()
    keypad = page.get_by_role("group", name="数字键盘")
    for key in finished_case["case_no"]:
        keypad.locator(f"button[data-key='{key}']").click()
    expect(page.locator("#case-no")).to_have_value(finished_case["case_no"])
    page.locator("#query-code").click()
    for key in finished_case["query_code"]:
        keypad.locator(f"button[data-key='{key}']").click()
    expect(page.locator("#query-code")).to_have_value(finished_case["query_code"])
    keypad.locator("button[data-key='enter']").click()
    expect(page.locator("#case-status")).to_have_text(re.compile("办结"))

    # A wrong code finds nothing and says so, without telling whether the number exists.
    page.guard.allow(404, "/public/cases/")
    page.locator("#query-code").click()
    for _ in range(6):
        keypad.locator("button[data-key='back']").click()
    wrong = "000000" if finished_case["query_code"] != "000000" else "111111"
    for key in wrong:
        keypad.locator(f"button[data-key='{key}']").click()
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("#case-result")).to_contain_text("未找到该办件")
    axe(page)


def test_a_citizen_reads_a_guide_and_the_windows(page, axe, api):
    open_kiosk(page)
    page.get_by_role("button", name=re.compile("^办事指南")).click()
    first = page.locator("#screen .row-button").first
    expect(first).to_be_visible()
    axe(page)
    departments = page.get_by_role("group", name="按部门浏览").get_by_role("button")
    departments.nth(1).click()
    expect(departments.nth(1)).to_have_attribute("aria-pressed", "true")
    name = page.locator("#screen .row-title").first.inner_text()
    page.locator("#screen .row-button").first.click()
    guide = page.locator("article.guide")
    expect(guide.get_by_role("heading", level=2)).to_have_text(name)
    for heading in ("办理窗口", "受理条件", "申请材料", "收费标准", "收费依据", "设定依据"):
        expect(guide.get_by_role("heading", name=heading)).to_be_visible()
    expect(guide).to_contain_text("法定时限")
    expect(guide).to_contain_text("承诺时限")
    expect(guide).to_contain_text("号窗口")
    axe(page)

    # Back to the list, and a search by part of the name.
    page.get_by_role("button", name="返回事项列表").click()
    page.locator("#guide-query").fill(name[1:4])
    expect(page.locator("#screen .row-title").first).to_contain_text(name[1:4])

    page.get_by_role("button", name="返回首页").click()
    page.get_by_role("button", name=re.compile("^窗口分布")).click()
    cards = page.locator(".window-card")
    expect(cards.first).to_be_visible()
    expected = next(c for c in api.get("/api/v1/public/windows")["centers"] if c["code"] == DEMO_CENTER)
    expect(cards).to_have_count(len(expected["windows"]))
    axe(page)


def test_a_citizen_with_an_appointment_checks_in_on_the_keypad(page, axe, api):
    supervisor = api.login("supervisor")
    center = api.center()
    queue = api.get(f"/api/v1/public/centers/{center['id']}/queues")[0]
    item_id = api.get(f"/api/v1/queues/{queue['id']}", supervisor)["item_ids"][0]
    now = hall_now()
    start = (now + datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
    end = start + datetime.timedelta(minutes=30)
    assert start.date() == end.date() == now.date(), "the story needs half an hour left in the hall's day"
    slot = api.post(
        f"/api/v1/centers/{center['id']}/slots",
        {
            "item_id": item_id,
            "queue_id": queue["id"],
            "day": now.date().isoformat(),
            "starts_at": start.strftime("%H:%M:00"),
            "ends_at": end.strftime("%H:%M:00"),
            "capacity": 5,
        },
        supervisor,
    )
    slot_id = (slot[0] if isinstance(slot, list) else slot.get("items", [slot])[0])["id"]
    booked = api.post(
        "/api/v1/public/appointments",
        {"slot_id": slot_id, "name": "李四", "id_number": resident_id("11010519800101003"), "phone": "13900139000"},
    )

    open_kiosk(page)
    page.get_by_role("button", name=re.compile("^预约签到")).click()
    keypad = page.get_by_role("group", name="预约码键盘")
    for key in booked["booking_code"].replace("-", "").replace(" ", "").upper():
        keypad.locator(f"button[data-key='{key}']").click()
    axe(page)
    page.get_by_role("button", name="签到取号").click()
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^[A-Z]\d+$"))


def test_the_kiosk_returns_to_its_start_screen_when_left_alone(page, finished_case):
    open_kiosk(page, idle=2)
    page.get_by_role("button", name=re.compile("^办件查询")).click()
    page.locator("#case-no").fill(finished_case["case_no"])
    expect(page.locator("body")).to_have_attribute("data-screen", "lookup")
    # Left alone past the idle time, it shows the start screen and forgets what was typed.
    expect(page.locator("body")).to_have_attribute("data-screen", "home", timeout=6000)
    expect(page.locator("#case-no")).to_have_count(0)
