"""What every browser story shares: the running hall (started by scripts/browser_stories on
the demo hall), Chromium driven by Playwright, a page that fails its story on any console
error, page error or failed request, an axe-core check, the API for setting a story up, and
screenshots for the README."""

import datetime
import json
import os
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

# The password of every demo account (api/src/demo/mod.rs, DEMO_PASSWORD).
DEMO_PASSWORD = "demo password 2012"
# The demo hall's district centre (api/src/demo/catalogue.rs, REGION).
DEMO_CENTER = "640105"
CHROMIUM = os.environ.get("HALL_CHROMIUM", "/usr/bin/chromium")


class ApiError(Exception):
    """An answer that is not a success, with its status and body."""

    def __init__(self, method, path, status, body):
        super().__init__(f"{method} {path} answered {status}: {body}")
        self.status = status
        self.body = body


class Api:
    """The hall's API, for setting a story up the way another client would."""

    def __init__(self, base_url):
        self.base_url = base_url
        self._tokens = {}

    def call(self, method, path, body=None, token=None, accept="application/json"):
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
        )
        request.add_header("Accept", accept)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                text = answer.read().decode()
        except urllib.error.HTTPError as error:
            raise ApiError(method, path, error.code, error.read().decode()) from None
        if not text or not accept.endswith("json"):
            return text
        return json.loads(text)

    def get(self, path, token=None):
        return self.call("GET", path, token=token)

    def post(self, path, body, token=None):
        return self.call("POST", path, body, token)

    def put(self, path, body, token=None):
        return self.call("PUT", path, body, token)

    def login(self, username, password=DEMO_PASSWORD):
        """A token for `username`, signed in once per run (the login rate limit counts)."""
        if username not in self._tokens:
            answer = self.post("/api/v1/auth/login", {"username": username, "password": password})
            self._tokens[username] = answer["access_token"]
        return self._tokens[username]

    def admin(self):
        return self.login("admin", os.environ["HALL_ADMIN_PASSWORD"])

    def center(self, code=DEMO_CENTER):
        """The centre coded `code`, as the admin reads it."""
        token = self.admin()
        for center in self.get("/api/v1/centers?limit=200", token)["items"]:
            if center["code"] == code:
                return center
        raise LookupError(f"no centre {code}")


def hall_now():
    """The hall's local time now (scripts/browser_stories hands its HALL_UTC_OFFSET on)."""
    sign, hours, minutes = re.fullmatch(
        r"([+-])(\d\d):(\d\d)", os.environ.get("HALL_UTC_OFFSET", "+08:00")
    ).groups()
    offset = datetime.timedelta(hours=int(hours), minutes=int(minutes)) * (1 if sign == "+" else -1)
    return (datetime.datetime.now(datetime.timezone.utc) + offset).replace(tzinfo=None)


@pytest.fixture(scope="session", autouse=True)
def the_queues_issue_tickets_today(api):
    """The stories take tickets, which the queues issue on working days within their hours.
    The runner picks a UTC offset at which it is a weekday's late morning; when none fits (a
    weekend afternoon in UTC) or the day is a public holiday, the admin makes the day a
    working one (调休) and opens the queues all day, as a hall would for an extra opening."""
    token = api.admin()
    now = hall_now()
    today = now.date()
    center = api.center()

    def working_today():
        counted = api.get(
            f"/api/v1/calendar/working-days?from={today - datetime.timedelta(days=1)}&to={today}"
            f"&division={DEMO_CENTER}",
            token,
        )
        return counted["working_days"] == 1

    if not working_today():
        year = api.get(f"/api/v1/calendar/{today.year}", token)
        holidays = []
        for holiday in year["holidays"]:
            first = datetime.date.fromisoformat(holiday["from"])
            last = datetime.date.fromisoformat(holiday["to"])
            if not first <= today <= last:
                holidays.append({k: holiday[k] for k in ("name", "from", "to")})
                continue
            if first < today:
                holidays.append({"name": holiday["name"], "from": holiday["from"], "to": str(today - datetime.timedelta(days=1))})
            if today < last:
                holidays.append({"name": holiday["name"], "from": str(today + datetime.timedelta(days=1)), "to": holiday["to"]})
        working = list(year["working_days"])
        if today.weekday() >= 5:
            working.append(today.isoformat())
        body = {"year": today.year, "holidays": holidays, "working_days": sorted(set(working))}
        if year.get("notice"):
            body["notice"] = year["notice"]
        api.put(f"/api/v1/calendar/{today.year}", body, token)
        assert working_today(), f"{today} is still no working day for {DEMO_CENTER}"

    for queue in api.get(f"/api/v1/centers/{center['id']}/queues", token):
        opens = datetime.time.fromisoformat(queue["opens_at"])
        closes = datetime.time.fromisoformat(queue["closes_at"])
        if opens <= now.time() < closes and (now + datetime.timedelta(minutes=45)).time() < closes:
            continue
        fields = ("prefix", "name", "item_ids", "window_ids", "daily_cap", "waiting_warning", "no_show_policy", "active")
        api.put(
            f"/api/v1/queues/{queue['id']}",
            {**{k: queue[k] for k in fields}, "opens_at": "00:00", "closes_at": "23:59:59"},
            token,
        )


@pytest.fixture(scope="session")
def base_url():
    """Where the hall under test answers, e.g. http://127.0.0.1:40123."""
    return os.environ.get("HALL_BASE_URL", "http://127.0.0.1:8080").rstrip("/")


@pytest.fixture(scope="session")
def backend():
    """The database the hall runs on: sqlite or postgres."""
    return os.environ.get("HALL_BACKEND", "sqlite")


@pytest.fixture(scope="session")
def api(base_url):
    return Api(base_url)


@pytest.fixture(scope="session")
def browser():
    args = ["--disable-gpu", "--lang=zh-CN"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


class Guard:
    """Collects what went wrong in a page: console errors, uncaught exceptions, requests that
    failed or were answered with an error. A story that expects an error answer says so
    with `allow(status, url_part)`, one that cuts the network with `allow_failure(url_part)`."""

    def __init__(self):
        self.problems = []
        self.allowed = []
        self.may_fail = []

    def allow(self, status, url_part=""):
        self.allowed.append((status, url_part))

    def allow_failure(self, url_part):
        self.may_fail.append(url_part)

    def _is_allowed(self, status, url):
        return any(status == s and part in url for s, part in self.allowed)

    def on_console(self, message):
        if message.type != "error":
            return
        text = message.text
        # Chromium's own line for an error answer: judged by on_response, which knows the URL.
        if text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console error: {text} ({message.location.get('url', '')})")

    def on_page_error(self, error):
        self.problems.append(f"page error: {error}")

    def on_request_failed(self, request):
        failure = request.failure or ""
        # A request cut short by the page itself (navigation, a closed event stream).
        if "ERR_ABORTED" in failure or any(part in request.url for part in self.may_fail):
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def on_response(self, response):
        if response.status >= 400 and not self._is_allowed(response.status, response.url):
            self.problems.append(
                f"error answer: {response.request.method} {response.url} → {response.status}"
            )


def hall_time_zone():
    """The browser's time zone, the hall's own (HALL_UTC_OFFSET, whole hours): its pages show
    the hall's day and time. POSIX's Etc/GMT zones count the other way round."""
    match = re.fullmatch(r"([+-])(\d\d):00", os.environ.get("HALL_UTC_OFFSET", "+08:00"))
    if not match:
        return "Asia/Shanghai"
    hours = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
    if hours == 0 or not -12 <= hours <= 14:
        # Offsets beyond the zones' range only move the pages' clock, not the hall's day.
        return "Etc/UTC"
    return f"Etc/GMT{-hours:+d}"


@pytest.fixture
def page(browser, base_url):
    """A fresh page on the hall that fails the story on any console error, page error,
    failed request or unexpected error answer. `page.guard.allow(409, '/rating')` lets an
    expected error answer through."""
    context = browser.new_context(
        base_url=base_url,
        locale="zh-CN",
        timezone_id=hall_time_zone(),
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    guard = Guard()
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_page_error)
    page.on("requestfailed", guard.on_request_failed)
    page.on("response", guard.on_response)
    page.guard = guard
    yield page
    problems = list(guard.problems)
    context.close()
    assert not problems, "the page went wrong:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def axe_source():
    path = os.environ.get("HALL_AXE_JS", "target/axe/node_modules/axe-core/axe.min.js")
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def axe(axe_source):
    """`axe(page)` runs axe-core on the page as it is now and fails on serious or critical
    violations. The page's CSP stays on: axe is evaluated through the DevTools protocol,
    not injected as a script element."""

    def check(page, context="document"):
        page.evaluate(f"() => {{ {axe_source}\n; window.__axe = axe; }}")
        violations = page.evaluate(
            f"async () => (await window.__axe.run({context}, "
            "{resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"
        )
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, "axe-core found serious violations:\n" + "\n".join(
            f"{v['impact']}: {v['id']} — {v['help']} at {v['nodes']}" for v in serious
        )
        return violations

    return check


@pytest.fixture(scope="session")
def screenshot():
    """`screenshot(page, 'kiosk')` saves docs/pages/kiosk.png when the run was asked to
    (scripts/browser_stories --screenshots); otherwise nothing."""
    folder = os.environ.get("HALL_SCREENSHOTS", "")

    def take(page, name):
        if folder:
            os.makedirs(folder, exist_ok=True)
            page.screenshot(path=os.path.join(folder, f"{name}.png"))

    return take


def text_of(locator):
    """A locator's text with runs of white space as one space."""
    return re.sub(r"\s+", " ", locator.inner_text()).strip()
