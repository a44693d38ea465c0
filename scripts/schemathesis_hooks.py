"""Schemathesis hooks for Service Hall: how to send an NDJSON body (one generated
ImportedCase per line), which schemathesis has no serializer for; the throwaway account the
account operations work on (SCHEMATHESIS_USER_ID, SCHEMATHESIS_USER_PASSWORD), so that
updating or deactivating a user never touches the administrator whose token the run uses, and
a password change is made with the account's current password and token; and realistic
references — the demo hall's windows, items, departments, centres, regional calendars, open
rectifications and cases, read through the API (SCHEMATHESIS_URL, SCHEMATHESIS_TOKEN) — so
that generated requests reach the rules behind the references instead of stopping at "no such
window". References that depend on the hall's state as it is when the request is sent (a
case in a state that allows the action, at its current version; a finished case and its
query code for the kiosk) are filled in just before the call. A value drawn invalid on purpose
(a wrong type, a string outside its pattern) is left as drawn."""

import datetime
import functools
import json
import os
import re
import time
import urllib.error
import urllib.request
import uuid

import schemathesis

THROWAWAY = os.environ.get("SCHEMATHESIS_USER_ID")
# The throwaway account's password and token as they stand: a change of password revokes the
# account's tokens and answers a fresh one, which the next change uses.
ACCOUNT = {
    "password": os.environ.get("SCHEMATHESIS_USER_PASSWORD"),
    "token": os.environ.get("SCHEMATHESIS_USER_TOKEN"),
}
URL = os.environ.get("SCHEMATHESIS_URL")
TOKEN = os.environ.get("SCHEMATHESIS_TOKEN")
RECORD = os.environ.get("SCHEMATHESIS_RECORD")
# A resident ID number with a valid GB 11643-1999 check digit.
APPLICANT = {
    "kind": "person",
    "name": "王小明",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
}


def _get(path):
    request = urllib.request.Request(URL + path, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def _post(path, body):
    request = urllib.request.Request(
        URL + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


@functools.lru_cache(maxsize=None)
def _hall():
    """The demo hall's windows (with the items they serve), departments and open cases."""
    if not (URL and TOKEN):
        return None
    windows = _get("/api/v1/windows?limit=500")["items"]
    departments = _get("/api/v1/departments?limit=500")["items"]
    centers = {c["id"]: c["code"] for c in _get("/api/v1/centers?limit=500")["items"] if c["active"]}
    items = {i["id"]: i["code"] for i in _get("/api/v1/items?limit=500")["items"]}
    regions = _get("/api/v1/calendar/regions")["items"]
    serving = [w for w in windows if w.get("item_ids") and w.get("active")]
    return {
        "windows": serving,
        "departments": [d["id"] for d in departments],
        # (centre code, window number, item code) that belong together, for imports.
        "places": [
            (centers[w["center_id"]], w["number"], items[i])
            for w in serving
            if w["center_id"] in centers
            for i in w["item_ids"]
            if i in items
        ],
        "items": sorted(items.values()),
        "item_ids": sorted(items),
        "centers": sorted(centers),
        "regional_years": [(r["region"], y) for r in regions for y in r["years"]],
    }


def _pick(options, seed):
    return options[hash(seed) % len(options)] if options else None


def _operation(ctx):
    operation = ctx.operation
    return (operation.method.upper(), operation.path) if operation is not None else ("", "")


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    method, path = _operation(ctx)
    if THROWAWAY and path_parameters and path.startswith("/api/v1/users/{id}"):
        path_parameters["id"] = THROWAWAY
    hall = _hall()
    if not (hall and path_parameters):
        return path_parameters
    seed = json.dumps(path_parameters, sort_keys=True, default=str)
    if method == "GET" and path == "/api/v1/calendar/regions/{region}/{year}" and _valid_year(
        path_parameters.get("year")
    ):
        # A region's notice that was loaded, rather than one of the many that were not.
        region, year = _pick(hall["regional_years"], seed)
        path_parameters["region"], path_parameters["year"] = region, year
    if path == "/api/v1/public/items/{code}" and isinstance(path_parameters.get("code"), str):
        path_parameters["code"] = _pick(hall["items"], seed)
    if _front_door():
        _queue_paths(method, path, path_parameters)
    _outbox_paths(path, path_parameters)
    return path_parameters


def _outbox_paths(path, path_parameters):
    if path.startswith("/api/v1/webhooks/{id}") and _is_id(path_parameters.get("id")):
        path_parameters["id"] = _spare_webhook()
    if path == "/api/v1/outbox/{id}/replay" and _is_id(path_parameters.get("id")):
        path_parameters["id"] = _dead_message() or path_parameters["id"]


SPARE_WEBHOOK = {"id": None}


def _spare_webhook():
    """A webhook for the `/webhooks/{id}` operations, made again after a DELETE removed it.
    Its address is in TEST-NET-1 (192.0.2.0/24): public to the address check, and nothing
    answers there, so every delivery to it fails and dies (see `scripts/schemathesis`)."""
    if SPARE_WEBHOOK["id"]:
        try:
            _get(f"/api/v1/webhooks/{SPARE_WEBHOOK['id']}")
            return SPARE_WEBHOOK["id"]
        except urllib.error.HTTPError:
            pass
    SPARE_WEBHOOK["id"] = _post("/api/v1/webhooks", {"url": "http://192.0.2.1:9/spare", "events": ["case.rated"]})["id"]
    return SPARE_WEBHOOK["id"]


@functools.lru_cache(maxsize=None)
def _dead_message():
    """A message whose one attempt failed, to replay: a replay queues it, and it dies again
    within about a second, so replays answer 200 or 409 (both documented)."""
    _post("/api/v1/webhooks", {"url": "http://192.0.2.1:9/dead", "events": ["case.accepted"]})
    _new_case("accepted", "outbox-dead-letter")
    for _ in range(100):
        dead = _get("/api/v1/outbox?status=dead&limit=1")["items"]
        if dead:
            return dead[0]["id"]
        time.sleep(0.1)
    return None


# The operations of the hall's front door whose path names a centre, a queue or a window: the
# centre, queue and window of the run's own queue (made once, see `_front_door`). The display
# streams are real: the run's `hall` ends each after a second (HALL_DISPLAY_STREAM_SECONDS).
CENTRE_PATHS = {
    "/api/v1/public/centers/{id}/display",
    "/api/v1/centers/{id}/queues",
    "/api/v1/centers/{id}/tickets",
    "/api/v1/centers/{id}/slots",
    "/api/v1/public/centers/{id}/queues",
    "/api/v1/public/centers/{id}/tickets",
    "/api/v1/public/centers/{id}/slots",
    "/api/v1/public/centers/{id}/check-in",
}


def _queue_paths(method, path, path_parameters):
    door = _front_door()
    if not door or not _is_id(path_parameters.get("id")):
        return
    if path in CENTRE_PATHS:
        path_parameters["id"] = door["center"]
    elif path == "/api/v1/queues/{id}":
        # A change may close the queue or cut its hours: never the door's own.
        path_parameters["id"] = door["spare_queue"] if method == "PUT" else door["queue"]
    elif path in ("/api/v1/windows/{id}/call-next", "/api/v1/windows/{id}/session",
                  "/api/v1/windows/{id}/display"):
        path_parameters["id"] = door["window"]


def _spare_paths(method, path, path_parameters):
    """What changes or closes a centre or a window gets one of its own: schemathesis reuses
    ids it saw in answers, and a door centre deactivated halfway would leave every queue
    operation after it a 404."""
    if not _is_id(path_parameters.get("id")):
        return
    if method == "POST" and path == "/api/v1/centers/{id}/deactivate":
        path_parameters["id"] = _spare_center()
    elif method == "PUT" and path == "/api/v1/centers/{id}":
        path_parameters["id"] = SPARE["center"] or _spare_center(keep=True)
    elif method == "POST" and path == "/api/v1/windows/{id}/deactivate":
        path_parameters["id"] = _spare_window()
    elif method == "PUT" and path == "/api/v1/windows/{id}":
        path_parameters["id"] = SPARE["window"] or _spare_window(keep=True)
    elif method == "POST" and path == "/api/v1/items/{id}/deactivate":
        path_parameters["id"] = _spare_item()
    elif method == "PUT" and path == "/api/v1/items/{id}":
        path_parameters["id"] = SPARE["item"] or _spare_item(keep=True)


SPARE = {"center": None, "center_code": None, "window": None, "item": None, "item_code": None, "n": 0}


def _spare_item(keep=False):
    """A new service item of the run's own."""
    SPARE["n"] += 1
    item = _send("POST", "/api/v1/items", {
        "code": f"st-{SPARE['n']}-{uuid.uuid4().hex[:8]}", "name": f"备用事项{SPARE['n']}",
        "department_id": _hall()["departments"][0], "category": "public_service",
        "handling": "committed", "statutory_days": 20, "promised_days": 10})
    if item and keep:
        SPARE["item"], SPARE["item_code"] = item["id"], item["code"]
    return item["id"] if item else str(uuid.uuid4())


def _spare_center(keep=False):
    """A new centre of the run's own (kept for the updates when `keep`)."""
    SPARE["n"] += 1
    center = _send("POST", "/api/v1/centers",
                   {"code": f"st-{SPARE['n']}-{uuid.uuid4().hex[:8]}", "name": f"备用中心{SPARE['n']}"})
    if center and keep:
        SPARE["center"], SPARE["center_code"] = center["id"], center["code"]
    return center["id"] if center else str(uuid.uuid4())


def _spare_window(keep=False):
    """A new window of the run's own, in the door's centre, serving the door's items."""
    door = _front_door()
    SPARE["n"] += 1
    window = _send("POST", "/api/v1/windows", {
        "center_id": door["center"], "number": 9000 + SPARE["n"] % 999, "name": f"备用窗口{SPARE['n']}",
        "kind": "permanent", "item_ids": door["items"]})
    if window and keep:
        SPARE["window"] = window["id"]
    return window["id"] if window else str(uuid.uuid4())


@functools.lru_cache(maxsize=None)
def _front_door():
    """A queue of the run's own, open all day, for the first serving window's items, with its
    window opened by the administrator (who then holds it and may call to it)."""
    hall = _hall()
    if not hall:
        return None
    window = hall["windows"][0]
    body = {"prefix": "Q", "name": "schemathesis", "item_ids": window["item_ids"],
            "opens_at": "00:00", "closes_at": "23:59", "daily_cap": 9999}
    try:
        queue = _post(f"/api/v1/centers/{window['center_id']}/queues", body)["id"]
    except urllib.error.HTTPError:
        queues = _get(f"/api/v1/centers/{window['center_id']}/queues")
        queue = next(q["id"] for q in queues if q["prefix"] == "Q")
    other = _send("POST", f"/api/v1/centers/{window['center_id']}/queues", {**body, "prefix": "R"})
    if other is None:
        queues = _get(f"/api/v1/centers/{window['center_id']}/queues")
        other = next(q for q in queues if q["prefix"] == "R")
    spare = _send("POST", f"/api/v1/centers/{window['center_id']}/queues", {**body, "prefix": "S"})
    if spare is None:
        queues = _get(f"/api/v1/centers/{window['center_id']}/queues")
        spare = next(q for q in queues if q["prefix"] == "S")
    door = {"center": window["center_id"], "queue": queue, "other": other["id"],
            "spare_queue": spare["id"], "window": window["id"], "items": window["item_ids"],
            "prefixes": {q["prefix"] for q in _get(f"/api/v1/centers/{window['center_id']}/queues")}}
    _open_window(door)
    return door


def _open_window(door):
    _send("PUT", f"/api/v1/windows/{door['window']}/session", {"state": "open"})


def _send(method, path, body):
    request = urllib.request.Request(
        URL + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as refused:
        if RECORD:
            with open(RECORD, "a", encoding="utf-8") as record:
                record.write(json.dumps(["hooks", method, path, refused.code, refused.read().decode()[:300]],
                                        ensure_ascii=False) + "\n")
        return None


def _resident_id(n):
    """The `n`-th of a run of distinct resident ID numbers with valid check digits."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 1000 % 20000)
    body = f"110105{born:%Y%m%d}{n % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


ISSUED = {"n": 0}


def _ticket():
    """A fresh waiting ticket of the run's queue (none on a day the hall's calendar closes)."""
    door = _front_door()
    answer = _send("POST", f"/api/v1/centers/{door['center']}/tickets", {"queue_id": door["queue"]})
    return answer


def _valid_year(year):
    """Whether a drawn path year is one the document allows (coverage draws it as text)."""
    try:
        return 2000 <= int(year) <= 2100
    except (TypeError, ValueError):
        return False


@schemathesis.hook
def map_case(ctx, case):
    """A body's references to what exists, and the fields that must agree with each other or
    with the path, so that a generated body reaches the rules behind them. A body drawn invalid
    on purpose (a wrong type where a list belongs) is left as drawn."""
    if isinstance(case.body, dict):
        try:
            _realistic(ctx, case)
        except (TypeError, AttributeError, KeyError, ValueError, OverflowError):
            pass
    return case


def _realistic(ctx, case):
    method, path = _operation(ctx)
    body = case.body
    hall = _hall()
    seed = json.dumps(body, sort_keys=True, default=str)
    if hall and method == "POST" and path == "/api/v1/cases":
        window = _pick(hall["windows"], seed)
        body["window_id"] = window["id"]
        body["item_id"] = _pick(window["item_ids"], seed)
        body["applicant"] = dict(APPLICANT)
        if body.get("materials") is None or isinstance(body.get("materials"), dict):
            body["materials"] = _materials_at_intake(body["item_id"], body.get("materials"))
    if hall and path in ("/api/v1/items", "/api/v1/items/{id}") and "department_id" in body:
        body["department_id"] = _pick(hall["departments"], seed)
    if path in ("/api/v1/items", "/api/v1/items/{id}"):
        days = [body.get("promised_days"), body.get("statutory_days")]
        if all(isinstance(d, int) for d in days) and days[0] > days[1]:
            body["promised_days"], body["statutory_days"] = days[1], days[0]
        # An immediate item is decided the day it is accepted; a committed one takes days.
        if body.get("handling") == "immediate" and isinstance(body.get("promised_days"), int):
            body["promised_days"] = 0
        if body.get("handling") == "committed" and body.get("promised_days") == 0:
            if isinstance(body.get("statutory_days"), int):
                body["statutory_days"] = max(body["statutory_days"], 1)
                body["promised_days"] = 1
    door = _front_door() if hall else None
    if door and path in ("/api/v1/centers/{id}/queues", "/api/v1/queues/{id}"):
        if isinstance(body.get("item_ids"), list):
            body["item_ids"] = [_pick(door["items"], f"{seed}{i}") for i in range(len(body["item_ids"]))]
        if isinstance(body.get("window_ids"), list) and body["window_ids"]:
            body["window_ids"] = [door["window"]]
        if body.get("item_ids") in (None, []) and body.get("window_ids") in (None, []):
            # A queue feeds at least one item or window.
            body["item_ids"] = door["items"][:1]
        hours = [body.get("opens_at"), body.get("closes_at")]
        if all(isinstance(h, str) for h in hours) and hours[0] >= hours[1]:
            body["opens_at"], body["closes_at"] = "08:30", "17:30"
    if door and path in ("/api/v1/centers/{id}/tickets", "/api/v1/public/centers/{id}/tickets"):
        if _is_id(body.get("queue_id")):
            body["queue_id"] = door["queue"]
        if isinstance(body.get("id_number"), str) and re.fullmatch(r"[0-9]{17}[0-9Xx]", body["id_number"]):
            ISSUED["n"] += 1
            body["id_number"] = _resident_id(ISSUED["n"])
    if hall and path in ("/api/v1/windows", "/api/v1/windows/{id}"):
        # A window stands in a centre that exists and serves items that exist.
        if _is_id(body.get("center_id")):
            body["center_id"] = _pick(hall["centers"], seed)
        if isinstance(body.get("item_ids"), list) and all(_is_id(i) for i in body["item_ids"]):
            body["item_ids"] = sorted({_pick(hall["item_ids"], seed + i) for i in body["item_ids"]})
    if hall and method == "POST" and path == "/api/v1/imports/cases":
        # The centre, window and item of a window that serves it, and a well-formed applicant.
        center, number, item = _pick(hall["places"], seed)
        body["center_code"], body["window_number"], body["item_code"] = center, number, item
        body["applicant"] = dict(APPLICANT)
        if isinstance(body.get("materials"), dict):
            # Left out, every material of the guide counts as received.
            body["materials"] = None
        if isinstance(body.get("received_by"), str):
            body["received_by"] = None
    if hall and path in ("/api/v1/users", "/api/v1/users/{id}") and "role" in body:
        # Clerks work at a window; nobody else is bound to one.
        clerk = body["role"] == "clerk"
        body["window_id"] = _pick(hall["windows"], seed)["id"] if clerk else None
    if path.startswith("/api/v1/calendar/") and method == "PUT" and case.path_parameters:
        year = case.path_parameters.get("year")
        if _valid_year(year):
            _year_body(body, int(year))


# Actions and the states that allow them (docs/DESIGN.md, the case lifecycle); a committed
# case is completed from `in_progress`.
ALLOWED_IN = {
    "start": ["accepted"],
    "pause": ["in_progress", "accepted"],
    "resume": ["paused"],
    "complete": ["in_progress"],
    "deliver": ["completed"],
    "withdraw": ["accepted", "in_progress", "paused"],
    "extend": ["in_progress", "accepted", "paused"],
    "transfer": ["accepted", "in_progress", "paused"],
    "receive_materials": ["paused"],
}
# How a new case is brought to a state: the actions after acceptance.
WALKS = {
    "accepted": [],
    "in_progress": [{"action": "start"}],
    "paused": [{"action": "start"}, {"action": "pause", "reason": "supplement"}],
    "completed": [{"action": "start"}, {"action": "complete", "outcome": "approved"}],
    "delivered": [{"action": "start"}, {"action": "complete", "outcome": "approved"}, {"action": "deliver"}],
    "extended": [{"action": "start"}, {"action": "extend", "days": 1, "reason": "schemathesis"}],
}


@functools.lru_cache(maxsize=None)
def _guide(item_id):
    """The materials of an item's guide."""
    return tuple(_get(f"/api/v1/items/{item_id}")["materials"])


def _materials_at_intake(item_id, drawn):
    """Every material of the item's guide received — or, when the drawn body defers some,
    the first material the guide lets follow deferred to a week later (容缺受理)."""
    try:
        guide = _guide(item_id)
    except urllib.error.URLError:
        return {"received": []}
    deferrable = [m["name"] for m in guide if m["deferrable"]]
    if isinstance(drawn, dict) and drawn.get("deferred") and deferrable:
        later = datetime.date.today() + datetime.timedelta(days=7)
        return {"received": [m["name"] for m in guide if m["name"] != deferrable[0]],
                "deferred": [{"name": deferrable[0], "due_on": later.isoformat()}]}
    return {"received": [m["name"] for m in guide]}


def _new_case(status, seed):
    """A case opened at a window of the demo hall and brought to `status`, with its code."""
    hall = _hall()
    window = _pick(hall["windows"], seed)
    item_id = _pick(window["item_ids"], seed)
    body = {"window_id": window["id"], "item_id": item_id, "applicant": APPLICANT,
            "materials": _materials_at_intake(item_id, None)}
    receipt = _post("/api/v1/cases", body)
    case = receipt
    for step in WALKS[status]:
        if step.get("reason") == "supplement":
            # A 补正 names a paper of the guide.
            step = {**step, "materials": [m["name"] for m in _guide(item_id)][:1]}
        case = _post(f"/api/v1/cases/{receipt['id']}/events", {**step, "version": case["version"]})
        case = case.get("case", case)
    return receipt["id"], receipt["case_no"], receipt["query_code"]


def _case_in(statuses, seed):
    """The id of a case in one of `statuses`, made so when the hall has none."""
    for status in statuses:
        found = _get(f"/api/v1/cases?status={status}&limit=20")["items"]
        if found:
            return _pick(found, seed)["id"]
    return _new_case(statuses[0], seed)[0]


def _open_rectification(seed):
    found = _get("/api/v1/supervision/ratings?open=true")["items"]
    if found:
        return _pick(found, seed)["id"]
    _, case_no, code = _new_case("completed", seed)
    _post(f"/api/v1/public/cases/{case_no}/rating", {"code": code, "score": 1})
    return _get("/api/v1/supervision/ratings?open=true")["items"][0]["id"]


CODE = re.compile(r"[0-9]{6}\Z")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """References that must hold when the request is sent: the hall changes as the run goes."""
    method, path = _operation(ctx)
    try:
        _just_before(method, path, case)
    except (urllib.error.URLError, TypeError, AttributeError, KeyError, ValueError, IndexError):
        pass


def _just_before(method, path, case):
    body = case.body if isinstance(case.body, dict) else None
    if case.path_parameters and _front_door():
        # Every path naming a centre, queue or window of the front door names the run's own,
        # and what would change or close one names a spare one (see `_front_door`).
        _queue_paths(method, path, case.path_parameters)
        _spare_paths(method, path, case.path_parameters)
    seed = json.dumps([case.path_parameters, case.query, body], sort_keys=True, default=str)
    if path == "/api/v1/auth/password" and ACCOUNT["password"]:
        if body is not None and isinstance(body.get("old_password"), str):
            body["old_password"] = ACCOUNT["password"]
        if ACCOUNT["token"]:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {ACCOUNT['token']}"}
    if path.startswith("/api/v1/calendar/") and method == "PUT" and body is not None:
        year = (case.path_parameters or {}).get("year")
        if _valid_year(year):
            _year_body(body, int(year))
    if body is not None and _front_door():
        _front_door_body(method, path, case, body, seed)
    if body is not None and method in ("POST", "PUT") and path in ("/api/v1/webhooks", "/api/v1/webhooks/{id}"):
        # A subscriber in TEST-NET-1 (public to the check; nothing answers there).
        url = body.get("url")
        if isinstance(url, str) and url.startswith("http"):
            body["url"] = f"http://192.0.2.{1 + hash(url) % 250}:9/generated"
    if not _hall() or not case.path_parameters:
        return
    _outbox_paths(path, case.path_parameters)
    if path == "/api/v1/cases/{id}/notifications" and _is_id(case.path_parameters.get("id")):
        # A real case, so that the applicant's choice of texts is recorded, not answered 404.
        case.path_parameters["id"] = _case_in(["accepted", "in_progress"], seed)
    if path == "/api/v1/cases/{id}/events" and body is not None:
        # A case whose state allows the action, decided on at its current version.
        statuses = ALLOWED_IN.get(body.get("action"))
        if statuses and _is_id(case.path_parameters.get("id")):
            case.path_parameters["id"] = _case_in(statuses, seed)
        if isinstance(body.get("version"), int) and _is_id(case.path_parameters.get("id")):
            current = _get(f"/api/v1/cases/{case.path_parameters['id']}")
            body["version"] = current["version"]
            # A 补正 names papers of the case's guide, a resumption some of those it lacks.
            if body.get("action") == "pause" and isinstance(body.get("materials"), list):
                papers = [m["name"] for m in current["materials"]]
                body["materials"] = papers[:1] if body.get("reason") == "supplement" else []
            if body.get("action") == "resume" and isinstance(body.get("arrived"), list):
                body["arrived"] = current["missing_materials"][:len(body["arrived"])]
            if body.get("action") == "receive_materials" and isinstance(body.get("materials"), list):
                body["materials"] = current["missing_materials"][:max(1, len(body["materials"]))]
            if body.get("action") == "transfer" and _is_id(body.get("window_id")):
                others = [
                    w["id"] for w in _hall()["windows"]
                    if current["item_id"] in w["item_ids"] and w["id"] != current["window_id"]
                ]
                if others:
                    body["window_id"] = _pick(others, seed)
    if path.startswith("/api/v1/public/cases/{case_no}") and isinstance(
        case.path_parameters.get("case_no"), str
    ):
        # A case the kiosk can find, with the code from its receipt; finished, to be rated.
        rating = path.endswith("/rating")
        _, case_no, code = _new_case("completed" if rating else "accepted", seed)
        case.path_parameters["case_no"] = case_no
        if rating and body is not None and CODE.match(str(body.get("code"))):
            body["code"] = code
        if not rating and case.query is not None and isinstance(case.query.get("code"), str):
            case.query["code"] = code
    if path == "/api/v1/windows/{id}/call-next" and _front_door():
        _open_window(_front_door())
        _ticket()
    if path in TICKET_PATHS and _is_id(case.path_parameters.get("id")) and _front_door():
        ticket = _ticket_for(body.get("action") if body else None)
        if ticket:
            case.path_parameters["id"] = ticket["id"]
            if body is not None and isinstance(body.get("version"), int):
                body["version"] = ticket["version"]
            if body is not None and body.get("action") == "redirect" and _is_id(body.get("queue_id")):
                body["queue_id"] = _front_door()["other"]
    if path == "/api/v1/supervision/ratings/{id}/close" and _is_id(case.path_parameters.get("id")):
        case.path_parameters["id"] = _open_rectification(seed)
    _notice_paths(path, case, body, seed)


# Each kind of notice, the states of the demo hall's cases it applies to, and how a new case
# is brought to one (a 补正 notice needs a case paused for papers, an extension notice an
# extended one: the demo's pauses and extensions are not always so).
NOTICE_CASES = {
    "receipt": (["accepted", "in_progress"], "accepted"),
    "refusal": (["not_accepted"], "not_accepted"),
    "supplement": ([], "paused"),
    "extension": ([], "extended"),
    "decision": (["completed", "delivered"], "completed"),
    "delivery": (["delivered"], "delivered"),
}
# A centre's own template that the upload check accepts: it shows the notice's number and
# the case's. Drawn strings are templates that do not render (the check refuses them).
TEMPLATE = '{% extends "layout" %}{% block body %}<p>{{ notice.number }} {{ notice.facts.case_no }}</p>{% endblock %}'


def _case_for_notice(kind, seed):
    statuses, walk = NOTICE_CASES[kind]
    for status in statuses:
        found = _get(f"/api/v1/cases?status={status}&limit=20")["items"]
        if found:
            return _pick(found, seed)["id"]
    if walk == "not_accepted":
        window = _pick(_hall()["windows"], seed)
        return _post("/api/v1/cases", {"window_id": window["id"], "item_id": _pick(window["item_ids"], seed),
                                       "applicant": APPLICANT, "decision": "not_accepted",
                                       "reason": "schemathesis"})["id"]
    return _new_case(walk, seed)[0]


def _fresh_notice(seed):
    """A receipt just issued (so never voided) on a new accepted case."""
    case_id = _new_case("accepted", seed)[0]
    return _post(f"/api/v1/cases/{case_id}/notices", {"kind": "receipt"})["id"]


def _notice_paths(path, case, body, seed):
    ids = case.path_parameters or {}
    if path == "/api/v1/cases/{id}/notices" and body is not None and body.get("kind") in NOTICE_CASES \
            and _is_id(ids.get("id")):
        ids["id"] = _case_for_notice(body["kind"], seed)
    if path in ("/api/v1/notices/{id}", "/api/v1/notices/{id}/void") and _is_id(ids.get("id")):
        ids["id"] = _fresh_notice(seed)
    if path == "/api/v1/centers/{id}/notice-templates/{kind}" and _is_id(ids.get("id")):
        ids["id"] = _pick(_hall()["centers"], seed)
        if body is not None and isinstance(body.get("body"), str):
            body["body"] = TEMPLATE


LETTER = re.compile(r"[A-Z]\Z")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\Z")
RESIDENT_ID = re.compile(r"[0-9]{17}[0-9Xx]\Z")
BOOKING_CODE = re.compile(r"[ -]*(?:[2-9A-HJ-NP-Za-hj-np-z][ -]*){8}\Z")
USERNAME = re.compile(r"[a-z0-9._-]{3,64}\Z")
ITEM_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}\Z")
# Where the run's new queues go: the door's centre while it has letters free, then centres
# of the run's own, each with a window (a queue's windows stand in its centre).
QUEUE_CENTRE = {"id": None, "used": set(), "window": None}


def _front_door_body(method, path, case, body, seed):
    """Bodies of the front door that must agree with the hall as it is now: a free prefix, a
    slot on a day to come, a booking of a live slot, the code and card of a fresh booking."""
    door = _front_door()
    if method == "POST" and path == "/api/v1/centers/{id}/queues" and _matches(LETTER, body.get("prefix")):
        centre = _queue_centre()
        free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in centre["used"]]
        body["prefix"] = body["prefix"] if body["prefix"] in free else free[0]
        centre["used"].add(body["prefix"])
        case.path_parameters["id"] = centre["id"]
        if isinstance(body.get("window_ids"), list) and body["window_ids"]:
            body["window_ids"] = [centre["window"]]
    if method == "PUT" and path == "/api/v1/queues/{id}" and _matches(LETTER, body.get("prefix")):
        body["prefix"] = "S"  # the spare queue's own: a letter of another queue is taken
    if path in ("/api/v1/centers/{id}/queues", "/api/v1/queues/{id}"):
        _queue_rules(body)
    if method == "POST" and path == "/api/v1/centers/{id}/slots":
        if _is_id(body.get("item_id")):
            body["item_id"] = _pick(door["items"], seed)
        if _is_id(body.get("queue_id")):
            body["queue_id"] = door["queue"]
        if _matches(DATE, body.get("day")):
            body["day"] = (_local_now().date() + datetime.timedelta(days=1 + hash(seed) % 20)).isoformat()
        _slot_times(body)
    if method == "POST" and path == "/api/v1/public/appointments":
        if _is_id(body.get("slot_id")):
            body["slot_id"] = _slots()["later"]
        if _matches(RESIDENT_ID, body.get("id_number")):
            body["id_number"] = _fresh_resident_id()
    if method == "POST" and path == "/api/v1/public/appointments/cancel":
        if _matches(BOOKING_CODE, body.get("booking_code")) and _matches(RESIDENT_ID, body.get("id_number")):
            booked = _book("later")
            if booked:
                body["booking_code"], body["id_number"] = booked
    if method == "POST" and path == "/api/v1/public/centers/{id}/check-in":
        booked = _book("now") if _slots()["now"] else None
        if booked and _matches(BOOKING_CODE, body.get("booking_code")):
            body["booking_code"] = booked[0]
        elif booked and _matches(RESIDENT_ID, body.get("id_number")):
            body["id_number"] = booked[1]
    if path in ("/api/v1/centers", "/api/v1/centers/{id}") and method in ("POST", "PUT"):
        # A centre's parent exists, and its code is its own (the spare centre keeps its code).
        if _is_id(body.get("parent_id")):
            body["parent_id"] = door["center"]
        if _matches(ITEM_CODE, body.get("code")):
            SPARE["n"] += 1
            body["code"] = SPARE["center_code"] if method == "PUT" and SPARE["center_code"] else f"{body['code'][:20]}-{SPARE['n']}"
    if path in ("/api/v1/items", "/api/v1/items/{id}") and _matches(ITEM_CODE, body.get("code")):
        # A code of its own: the spare item keeps its code, a new item gets a fresh one.
        SPARE["n"] += 1
        body["code"] = SPARE["item_code"] if method == "PUT" and SPARE["item_code"] else f"{body['code'][:24]}-{SPARE['n']}"
    if method == "POST" and path == "/api/v1/users" and _matches(USERNAME, body.get("username")):
        SPARE["n"] += 1
        body["username"] = f"{body['username'][:50]}.{SPARE['n']}"


HOURS = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?\Z")


def _queue_rules(body):
    """A queue feeds at least one item or window, and closes after it opens (08:30 and 17:30
    when not given)."""
    if body.get("item_ids") in (None, []) and body.get("window_ids") in (None, []):
        body["item_ids"] = _front_door()["items"][:1]
    opens, closes = body.get("opens_at", "08:30"), body.get("closes_at", "17:30")
    if _matches(HOURS, opens) and _matches(HOURS, closes) and opens[:5] >= closes[:5]:
        body["opens_at"], body["closes_at"] = "00:00", "23:59"


def _matches(pattern, value):
    return isinstance(value, str) and pattern.match(value) is not None


def _queue_centre():
    door = _front_door()
    if QUEUE_CENTRE["id"] is None:
        QUEUE_CENTRE.update(id=door["center"], used=set(door["prefixes"]), window=door["window"])
    if len(QUEUE_CENTRE["used"]) >= 26:
        centre = _spare_center()
        window = _send("POST", "/api/v1/windows", {
            "center_id": centre, "number": 1, "name": "一号窗口", "kind": "permanent",
            "item_ids": door["items"]})
        QUEUE_CENTRE.update(id=centre, used=set(), window=window["id"] if window else None)
    return QUEUE_CENTRE


def _local_now():
    """The hall's local time (the demo hall is in China)."""
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).replace(tzinfo=None)


def _slot_times(body):
    """A slot ends after it starts, and its series ends the day it starts."""
    starts, ends = body.get("starts_at"), body.get("ends_at")
    if not (_matches(TIME, starts) and _matches(TIME, ends)):
        return
    if ends <= starts:
        body["starts_at"], body["ends_at"] = starts, ends = "09:00:00", "09:30:00"
    start, end = (int(t[:2]) * 3600 + int(t[3:5]) * 60 + int(t[6:8]) for t in (starts, ends))
    if isinstance(body.get("repeat"), int) and body["repeat"] >= 1:
        body["repeat"] = max(1, min(body["repeat"], (86399 - start) // (end - start)))


@functools.lru_cache(maxsize=None)
def _slots():
    """Slots of the run's own at the door: one tomorrow (booked, then cancelled well before
    the cut-off) and one starting in ten minutes, whose check-in is open now (none late at
    night, when it would run into the next day)."""
    door = _front_door()
    body = {"item_id": door["items"][0], "queue_id": door["queue"], "capacity": 999}
    tomorrow = _local_now().date() + datetime.timedelta(days=1)
    later = _send("POST", f"/api/v1/centers/{door['center']}/slots",
                  {**body, "day": tomorrow.isoformat(), "starts_at": "09:00:00", "ends_at": "09:30:00"})
    start = _local_now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=10)
    end = start + datetime.timedelta(minutes=30)
    now = None
    if end.date() == start.date() == _local_now().date():
        now = _send("POST", f"/api/v1/centers/{door['center']}/slots",
                    {**body, "day": start.date().isoformat(), "starts_at": start.time().isoformat(),
                     "ends_at": end.time().isoformat()})
    return {"later": later[0]["id"] if later else None, "now": now[0]["id"] if now else None}


def _fresh_resident_id():
    ISSUED["n"] += 1
    return _resident_id(ISSUED["n"])


def _book(which):
    """A booking of the run's slot `which`: its code and the ID number it was made with."""
    id_number = _fresh_resident_id()
    booked = _send("POST", "/api/v1/public/appointments", {
        "slot_id": _slots()[which], "name": "王小明", "id_number": id_number, "phone": "13800138000"})
    return (booked["booking_code"], id_number) if booked else None


TICKET_PATHS = {"/api/v1/tickets/{id}", "/api/v1/tickets/{id}/events", "/api/v1/public/tickets/{id}"}
# The steps after the call that bring a ticket to a state allowing each action.
AFTER_CALL = {"finish": ["serve"], "reactivate": ["no_show"]}


def _ticket_for(action):
    """A ticket in a state that allows `action`: waiting for a redirect, a cancel or a read;
    called (and on) for what happens at the counter."""
    door = _front_door()
    ticket = _ticket()
    if ticket is None or action in (None, "redirect", "cancel"):
        return ticket
    _open_window(door)
    called = _send("POST", f"/api/v1/windows/{door['window']}/call-next", {})
    for step in AFTER_CALL.get(action, []):
        if called is None:
            break
        called = _send("POST", f"/api/v1/tickets/{called['id']}/events",
                       {"action": step, "version": called["version"]})
    return called


def _is_id(value):
    return isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", value)


@schemathesis.hook
def after_call(ctx, case, response):
    """A changed password, and the fresh token its answer carries, are the account's now."""
    method, path = _operation(ctx)
    if RECORD:
        # Why requests were refused, when a run warns that an operation's data was "mostly
        # rejected": SCHEMATHESIS_RECORD=file keeps each answer's status and problem.
        with open(RECORD, "a", encoding="utf-8") as record:
            try:
                problem = response.json() if response.status_code >= 400 else None
            except ValueError:
                problem = None
            problem = problem if isinstance(problem, dict) else {}
            detail = problem.get("errors") or problem.get("detail")
            meta = case.meta
            mode = f"{meta.phase.name.value}/{meta.generation.mode.value}" if meta else None
            record.write(json.dumps([method, path, response.status_code, detail, case.body, mode],
                                    ensure_ascii=False, default=str)[:600] + "\n")
    if path == "/api/v1/auth/password" and response.status_code == 200:
        ACCOUNT["password"] = case.body["new_password"]
        ACCOUNT["token"] = response.json()["access_token"]


def _in_year(day, year):
    """`day` (YYYY-MM-DD) moved into `year`, or None when it has no such day there."""
    if not isinstance(day, str) or len(day) != 10:
        return None
    try:
        return datetime.date(year, int(day[5:7]), int(day[8:10]))
    except ValueError:
        return None


def _year_body(body, year):
    """A calendar body for the path's year: its year, a notice, its dates moved into the year,
    periods running forwards, make-up days on weekends outside the periods."""
    body["year"] = year
    if not str(body.get("notice", "")).strip():
        body["notice"] = f"{year}年部分节假日安排的通知"
    holidays = []
    for holiday in body.get("holidays") or []:
        if not isinstance(holiday, dict):
            continue
        ends = sorted(d for d in (_in_year(holiday.get("from"), year), _in_year(holiday.get("to"), year)) if d)
        if len(ends) == 2:
            holiday["from"], holiday["to"] = ends[0].isoformat(), ends[1].isoformat()
            holidays.append(holiday)
    body["holidays"] = holidays
    days = []
    for day in body.get("working_days") or []:
        moved = _in_year(day, year)
        if moved and moved.weekday() >= 5 and not any(
            h["from"] <= moved.isoformat() <= h["to"] for h in holidays
        ):
            days.append(moved.isoformat())
    body["working_days"] = days


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    lines = value if isinstance(value, list) else [value]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
