"""The clerk's workbench on the demo hall: the clerk of the comprehensive window opens it,
calls the citizen who took a ticket, accepts a case with the materials checklist (one paper
promised later, 容缺), prints the receipt, takes the paper in and completes the case; a
result handed over meanwhile by another screen is told plainly as a conflict."""

import re
from datetime import date, timedelta

from conftest import text_of

# The comprehensive window (20号 综合窗口) is the only one queue C (综合业务) feeds.
CLERK = "clerk20"
QUEUE_PREFIX = "C"
ITEM = "个体工商户注册登记（即办件）"
# A resident ID with its GB 11643-1999 check digit.
ID_NUMBER = "110105195005120016"


def test_a_clerk_calls_a_ticket_accepts_a_case_prints_the_receipt_and_completes_it(page, api, axe, screenshot):
    center = api.center()
    queues = api.get(f"/api/v1/public/centers/{center['id']}/queues")
    queue = next(q for q in queues if q["prefix"] == QUEUE_PREFIX)
    # A citizen takes a ticket at the kiosk.
    ticket = api.post(f"/api/v1/public/centers/{center['id']}/tickets", {"queue_id": queue["id"]})

    page.goto("/workbench")
    page.fill("#username", CLERK)
    page.fill("#password", "demo password 2012")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#desk[data-ready]")
    assert "20号窗口" in text_of(page.locator("#window-name"))

    # The window opens, pauses for a moment and opens again; a closed window calls nobody.
    if page.get_attribute("#session-state", "data-state") != "closed":
        page.click("#session-close")
        page.wait_for_selector('#session-state[data-state="closed"]')
    assert page.is_disabled("#call-next")
    page.click("#session-open")
    page.wait_for_selector('#session-state[data-state="open"]')
    page.fill("#pause-reason", "临时离开")
    page.click("#session-pause")
    page.wait_for_selector('#session-state[data-state="paused"]')
    assert text_of(page.locator("#session-state")) == "暂停（临时离开）"
    page.click("#session-open")
    page.wait_for_selector('#session-state[data-state="open"]')

    # The ticket is called to the window, and the citizen comes to it. The comprehensive
    # window serves every queue: whoever earlier stories left waiting and is not here is
    # passed over (过号) first.
    assert int(page.get_attribute("#waiting", "data-waiting")) >= 1
    for _ in range(20):
        page.click("#call-next")
        page.wait_for_selector('#ticket[data-status="called"]')
        if text_of(page.locator("#ticket-number")) == ticket["number"]:
            break
        page.click('#ticket-actions [data-action="no_show"]')
        page.wait_for_selector('#ticket[data-status="no_show"]')
    assert text_of(page.locator("#ticket-number")) == ticket["number"]
    page.click('#ticket-actions [data-action="serve"]')
    page.wait_for_selector('#ticket[data-status="serving"]')

    # A wrong phone number and no papers: the API's validation shows beside each field.
    page.select_option("#item", label=ITEM)
    page.fill("#applicant-name", "张三")
    page.fill("#applicant-id-number", ID_NUMBER)
    page.fill("#applicant-phone", "12345")
    page.guard.allow(422, "/api/v1/cases")
    page.click("#intake-submit")
    page.wait_for_selector("#error-applicant\\.phone:not(:empty)")
    assert "手机号码" in text_of(page.locator("#error-applicant\\.phone"))
    assert "申请表" in text_of(page.locator("#error-materials"))
    assert page.get_attribute("#applicant-phone", "aria-invalid") == "true"
    assert text_of(page.locator("#error-applicant\\.name")) == ""
    axe(page)

    # Corrected, with the papers checked in and one promised for next week (容缺).
    page.fill("#applicant-phone", "13912345678")
    page.check('#materials .material[data-name="申请表"] .material-received')
    page.check('#materials .material[data-name="申请人有效身份证件"] .material-received')
    deferred = page.locator('#materials .material[data-name="相关资质证明材料"]')
    deferred.locator(".material-defer").check()
    due = (date.today() + timedelta(days=10)).isoformat()
    deferred.locator(".material-due").fill(due)
    page.click("#intake-submit")
    page.wait_for_selector("#receipt:not([hidden])")
    case_no = text_of(page.locator("#receipt-case-no"))
    assert re.fullmatch(r"640105-\d{8}-\d{5}", case_no), case_no
    assert re.fullmatch(r"\d{6}", text_of(page.locator("#receipt-code")))
    page.set_viewport_size({"width": 1440, "height": 1700})
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "workbench")
    ours = api.get(f"/api/v1/tickets/{ticket['id']}", api.login(CLERK))
    assert len(ours["case_ids"]) == 1, ours
    case_id = ours["case_ids"][0]

    # The receipt prints from the notices API, styled as the notice is, in the page's print view.
    page.click("#receipt-print")
    page.wait_for_selector("#print-view:not([hidden])")
    assert text_of(page.locator("#print-body h1")) == "受理通知书"
    assert case_no in text_of(page.locator("#print-body"))
    assert page.eval_on_selector("#print-body h1", "h => getComputedStyle(h).textAlign") == "center"
    assert page.locator("#print-body svg").count() == 1  # the QR code to the kiosk lookup
    page.click("#print-back")
    page.wait_for_selector("#app:not([hidden])")

    # The case is among the window's open ones, still missing the promised paper.
    row = page.locator(f'#cases tr[data-case-no="{case_no}"]')
    assert "相关资质证明材料" in text_of(row)
    row.locator("button.open-case").click()
    page.wait_for_selector(f'#case[data-case-id="{case_id}"]')
    actions = page.eval_on_selector_all("#case-actions button", "bs => bs.map(b => b.dataset.action)")
    assert actions == ["start", "pause", "receive_materials", "complete", "withdraw"]

    # The paper comes in; the case is completed at the window.
    page.click('#case-actions [data-action="receive_materials"]')
    page.click('#action-form [data-confirm="receive_materials"]')
    page.wait_for_selector('#case-actions:not(:has([data-action="receive_materials"]))')
    page.click('#case-actions [data-action="complete"]')
    page.click('#action-form [data-confirm="complete"]')
    page.wait_for_selector('#case[data-status="completed"]')
    assert "已办结" in text_of(page.locator("#case-facts"))
    assert [b for b in page.eval_on_selector_all("#case-actions button", "bs => bs.map(b => b.dataset.action)")] == [
        "deliver"
    ]

    # The decision prints too.
    page.click('#notice-kinds [data-kind="decision"]')
    page.wait_for_selector("#print-view:not([hidden])")
    assert text_of(page.locator("#print-body h1")) == "行政审批决定书"
    page.click("#print-back")
    page.wait_for_selector("#app:not([hidden])")

    # Meanwhile the result is handed over from another screen: this one's version is stale,
    # and the clerk is told so plainly, with the case as it now stands.
    case = api.get(f"/api/v1/cases/{case_id}", api.login(CLERK))
    api.post(f"/api/v1/cases/{case_id}/events", {"action": "deliver", "version": case["version"]}, api.login(CLERK))
    page.guard.allow(409, f"/api/v1/cases/{case_id}/events")
    page.click('#case-actions [data-action="deliver"]')
    page.click('#action-form [data-confirm="deliver"]')
    page.wait_for_selector('#case[data-status="delivered"]')
    assert "操作未执行" in text_of(page.locator("#case-error"))

    # The citizen leaves the window, and the clerk closes it.
    page.click('#ticket-actions [data-action="finish"]')
    page.wait_for_selector('#ticket[data-status="finished"]')
    axe(page)
    page.click("#session-close")
    page.wait_for_selector('#session-state[data-state="closed"]')
    assert page.is_disabled("#call-next")
    session = api.get(f"/api/v1/windows/{ours['window_id']}/session", api.login(CLERK))
    assert session["state"] == "closed"
