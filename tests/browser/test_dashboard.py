"""The statistics dashboard on the demo hall: an analyst looks at January to September 2012
and sees the figures of the hall's 2012 report, every chart drawn, and a chart's data as CSV."""

import csv
import io

# The demo hall's 2012 figures (docs/DESIGN.md, README "The demo hall").
RECEIVED = 17649
COMPLETED = 17094
REPORT_SENTENCE = (
    "截止今年9月份，政务大厅共受理各类办件17649件，其中：即办件16459件、承诺件1190件，"
    "办结17094件，按时办结率100%。"
)
CHARTS = ["per-day", "per-month", "by-department", "by-window", "by-item", "warnings", "ratings", "waits"]


def digits(text):
    return int("".join(ch for ch in text if ch.isdigit()))


def test_an_analyst_sees_the_2012_report_figures_every_chart_and_downloads_one_as_csv(page, axe, screenshot):
    page.goto("/dashboard")
    page.fill("#username", "analyst")
    page.fill("#password", "demo password 2012")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#board[data-loaded]")

    # January to September 2012, as the cases stood at the end of September.
    page.fill("#from", "2012-01-01")
    page.fill("#to", "2012-09-30")
    page.fill("#as-of", "2012-09-30")
    page.click("#refresh")
    page.wait_for_selector('#board[data-loaded="2012-01-01..2012-09-30@2012-09-30"]')

    assert digits(page.text_content("#tile-received")) == RECEIVED
    assert digits(page.text_content("#tile-completed")) == COMPLETED
    assert page.text_content("#tile-on-time").strip() == "100%"
    for tile in ("satisfaction", "waiting", "wait"):
        assert page.text_content(f"#tile-{tile}").strip() != "—", tile

    # The yearly report's sentence, word for word as the report prints it.
    assert REPORT_SENTENCE in page.text_content("#report-text")

    # Every chart drew its data on a canvas.
    for chart in CHARTS:
        card = page.locator(f'figure.chart-card[data-chart="{chart}"]')
        assert int(card.get_attribute("data-rows")) > 0, chart
        canvas = card.locator("canvas")
        assert canvas.count() == 1, chart
        assert canvas.evaluate("c => c.width > 0 && c.height > 0"), chart

    # The picture for the README: the whole board, its charts redrawn for the larger window.
    page.set_viewport_size({"width": 1440, "height": 2400})
    page.wait_for_timeout(500)
    screenshot(page, "dashboard")

    # The monthly chart's data comes down as CSV: nine months adding up to the period.
    with page.expect_download() as download:
        page.click('figure[data-chart="per-month"] button.csv')
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["月份", "受理", "办结"]
    assert [row[0] for row in rows[1:]] == [f"2012-{m:02d}" for m in range(1, 10)]
    assert sum(int(row[1]) for row in rows[1:]) == RECEIVED
    assert sum(int(row[2]) for row in rows[1:]) == COMPLETED

    axe(page)
