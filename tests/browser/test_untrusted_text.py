"""Text the hall did not write stays text: an administrator (or whoever took over one's
account) names a centre, a window, a queue and a service item with markup that would run
if a page wrote it as HTML, and an applicant's name and a case's note carry the same; the
centre's decision notice template holds markup that would act when printed. The
kiosk, the display and the workbench (its case list and a printed notice) show every one of
them as the characters typed; no dialog opens, no script runs, no image is fetched, and the
page's policy reports nothing (any report is a console error, which fails the story)."""

import csv
import io

import pytest
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD

CODE = "XSS01"
# Each would run on its own if written as markup: an image's error handler, a script and an
# SVG's load handler (names may be 100 characters long).
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script><svg onload=alert(3)>"


def hostile(prefix):
    return f"{prefix}{HOSTILE}"


# The item's name also starts like a spreadsheet formula, which its CSV must not run.
ITEM = "=1+1事项" + HOSTILE


TEMPLATE = (
    '{% extends "layout" %}{% block body %}'
    '<p class="to">{{ notice.facts.applicant_name }}：</p><p>{{ notice.facts.item_name }}</p>'
    '<img src=x onerror=alert(5)><meta http-equiv="refresh" content="0;url=/dashboard">'
    '<iframe srcdoc="<script>alert(6)</script>"></iframe><a href="javascript:alert(7)">链接</a>'
    '<p id="template-end">模板结束</p>{% endblock %}'
)

KIOSK = {"width": 1080, "height": 1920}
# A resident ID with its GB 11643-1999 check digit.
ID_NUMBER = "110105195005120016"


@pytest.fixture(scope="module")
def planted(api):
    """A centre, window, queue, item and a completed case, every name of them hostile, and a
    clerk of the window."""
    token = api.admin()
    center = api.post("/api/v1/centers", {"code": CODE, "name": hostile("中心")}, token)
    department = api.get("/api/v1/departments?limit=1", token)["items"][0]
    item = api.post(
        "/api/v1/items",
        {
            "code": "XSS-001",
            "name": ITEM,
            "department_id": department["id"],
            "category": "licensing",
            "handling": "immediate",
            "statutory_days": 5,
            "promised_days": 0,
            "conditions": hostile("条件"),
            "procedure": [hostile("步骤")],
            "materials": [{"name": hostile("材料")}],
        },
        token,
    )
    window = api.post(
        "/api/v1/windows",
        {"center_id": center["id"], "number": 1, "name": hostile("窗口"), "kind": "permanent", "item_ids": [item["id"]]},
        token,
    )
    queue = api.post(
        f"/api/v1/centers/{center['id']}/queues",
        {"prefix": "X", "name": hostile("队列"), "item_ids": [item["id"]], "opens_at": "00:00", "closes_at": "23:59:59"},
        token,
    )
    receipt = api.post(
        "/api/v1/cases",
        {
            "item_id": item["id"],
            "window_id": window["id"],
            "applicant": {
                "kind": "person",
                "name": hostile("张"),
                "id_type": "resident_id",
                "id_number": ID_NUMBER,
                "phone": "13800000000",
            },
            "materials": {"received": [item["materials"][0]["name"]]},
            "note": hostile("备注"),
        },
        token,
    )
    api.post(
        f"/api/v1/cases/{receipt['id']}/events",
        {"action": "complete", "version": receipt["version"], "outcome": "approved", "result": hostile("结果")},
        token,
    )
    # The centre's decision notice, written by its administrator: markup that would act.
    api.put(
        f"/api/v1/centers/{center['id']}/notice-templates/decision",
        {"body": TEMPLATE},
        token,
    )
    api.post(
        "/api/v1/users",
        {"username": "clerk_xss", "password": DEMO_PASSWORD, "role": "clerk", "window_id": window["id"], "display_name": "王五"},
        token,
    )
    return {"center": center, "item": item, "queue": queue, "receipt": receipt}


def nothing_ran(page, dialogs):
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert page.locator('img[src="x"], script:not([src]), svg[onload]').count() == 0


def watch_dialogs(page):
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_the_kiosk_shows_a_hostile_centre_item_and_queue_as_text(page, planted):
    dialogs = watch_dialogs(page)
    page.set_viewport_size(KIOSK)
    page.goto(f"/kiosk/{CODE}")
    expect(page.locator("body")).to_have_attribute("data-screen", "home")
    expect(page.locator("h1")).to_have_text(hostile("中心"))
    expect(page.locator(".waiting-now-name")).to_have_text(f"X {hostile('队列')}")

    page.click("#go-guide")
    page.locator("#guide-query").fill("事项<img")
    row = page.locator(".row-title", has_text=HOSTILE)
    expect(row).to_have_text(ITEM)
    row.click()
    guide = page.locator("article.guide")
    expect(guide.get_by_role("heading", level=2)).to_have_text(ITEM)
    expect(guide).to_contain_text(hostile("条件"))
    expect(guide).to_contain_text(hostile("步骤"))
    expect(guide).to_contain_text(hostile("窗口"))

    page.click("#home")
    page.click("#go-windows")
    expect(page.locator(".window-card h3")).to_have_text(hostile("窗口"))
    expect(page.locator(".window-items")).to_have_text(ITEM)

    page.click("#home")
    page.click("#go-lookup")
    page.fill("#case-no", planted["receipt"]["case_no"])
    page.fill("#query-code", planted["receipt"]["query_code"])
    page.click("#case-no-submit")
    expect(page.locator("#case-status")).to_be_visible()
    facts = page.locator(".case-facts")
    expect(facts).to_contain_text(ITEM)
    expect(facts).to_contain_text(hostile("中心"))
    # The applicant's name is personal data: the kiosk never shows it.
    expect(page.locator("#screen")).not_to_contain_text("张<img")

    page.click("#home")
    page.click("#go-ticket")
    page.click('#queues [data-prefix="X"]')
    expect(page.locator(".ticket-queue")).to_have_text(hostile("队列"))
    nothing_ran(page, dialogs)


def test_the_display_shows_a_hostile_queue_and_board_entry_as_text(page, planted):
    dialogs = watch_dialogs(page)
    page.goto(f"/display/{CODE}")
    expect(page.locator("body")).to_have_attribute("data-connection", "open")
    expect(page.locator("h1")).to_have_text(hostile("中心"))
    expect(page.locator('#waiting tr[data-queue="X"]')).to_contain_text(hostile("队列"))
    expect(page.locator("#board")).to_contain_text(ITEM)
    nothing_ran(page, dialogs)


def test_the_workbench_lists_and_prints_a_hostile_case_as_text(page, planted):
    dialogs = watch_dialogs(page)
    page.goto("/workbench")
    page.fill("#username", "clerk_xss")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#desk[data-ready]")
    expect(page.locator("#window-name")).to_have_text(f"1号窗口 · {hostile('窗口')}")
    row = page.locator(f'#cases tr[data-case-no="{planted["receipt"]["case_no"]}"]')
    expect(row).to_contain_text(ITEM)
    expect(row).to_contain_text(hostile("张"))
    row.locator("button.open-case").click()
    expect(page.locator("#case-facts")).to_contain_text(hostile("结果"))

    # The decision notice prints the item, the applicant and the result: as text.
    page.click('#notice-kinds [data-kind="decision"]')
    expect(page.locator("#print-view")).to_be_visible()
    printed = page.locator("#print-body")
    expect(printed).to_contain_text(hostile("张"))
    expect(printed).to_contain_text(ITEM)
    # The template's own markup is made inert: what acts is gone, what prints stays.
    expect(printed.locator("#template-end")).to_have_text("模板结束")
    assert printed.locator("img[src], img[onerror], iframe, meta, a[href]").count() == 0
    page.wait_for_timeout(500)
    assert page.url.endswith("/workbench"), "the notice took the clerk away"
    nothing_ran(page, dialogs)

    # Signing out leaves no applicant behind in the page.
    page.click("#print-back")
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.locator("#cases tr").count() == 0
    assert "张<img" not in page.content().replace("&lt;", "<")
    assert page.evaluate("() => sessionStorage.getItem('hall.workbench.token')") is None


def test_the_dashboard_charts_and_exports_a_hostile_item_name_as_text(page, planted):
    dialogs = watch_dialogs(page)
    page.goto("/dashboard")
    page.fill("#username", "analyst")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#board[data-loaded]")
    # This year's cases are the stories' few: the planted item is among the top 20 items.
    page.select_option("#top", "20")
    page.click("#refresh")
    page.wait_for_function("() => !document.body.classList.contains('loading')")
    card = page.locator('figure[data-chart="by-item"]')
    # The tooltip shows the name; drawn on the canvas, it is no markup (and needs no inline style).
    shown = page.evaluate(
        """(name) => {
            const chart = echarts.getInstanceByDom(document.getElementById('chart-by-item'));
            const index = chart.getOption().yAxis[0].data.indexOf(name);
            chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: index });
            return index;
        }""",
        ITEM,
    )
    assert shown >= 0, "the planted item is not charted"
    # ECharts describes the chart for screen readers in an attribute: as text too.
    assert ITEM in card.locator(".chart-area").get_attribute("aria-label")
    with page.expect_download() as download:
        card.locator("button.csv").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert ["'" + ITEM] in [row[:1] for row in rows], rows
    nothing_ran(page, dialogs)
