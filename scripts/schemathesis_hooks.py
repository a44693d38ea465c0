"""Schemathesis hooks for Service Hall: how to send an NDJSON body (one generated
ImportedCase per line), which schemathesis has no serializer for; the throwaway account the
account operations work on (SCHEMATHESIS_USER_ID), so that updating or deactivating a user
never touches the administrator whose token the run uses; and realistic references — the
demo hall's windows, items, departments and cases, read once through the API
(SCHEMATHESIS_URL, SCHEMATHESIS_TOKEN) — so that generated bodies reach the rules behind the
references instead of stopping at "no such window"."""

import datetime
import functools
import json
import os
import urllib.request

import schemathesis

THROWAWAY = os.environ.get("SCHEMATHESIS_USER_ID")
URL = os.environ.get("SCHEMATHESIS_URL")
TOKEN = os.environ.get("SCHEMATHESIS_TOKEN")
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


@functools.lru_cache(maxsize=None)
def _hall():
    """The demo hall's windows (with the items they serve), departments and open cases."""
    if not (URL and TOKEN):
        return None
    windows = _get("/api/v1/windows?limit=500")["items"]
    departments = _get("/api/v1/departments?limit=500")["items"]
    cases = _get("/api/v1/cases?limit=100")["items"]
    return {
        "windows": [w for w in windows if w.get("item_ids")],
        "departments": [d["id"] for d in departments],
        "cases": [c["id"] for c in cases],
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
    if hall and path_parameters and path == "/api/v1/cases/{id}/events":
        path_parameters["id"] = _pick(hall["cases"], json.dumps(path_parameters, sort_keys=True))
    return path_parameters


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
    if hall and path in ("/api/v1/items", "/api/v1/items/{id}") and "department_id" in body:
        body["department_id"] = _pick(hall["departments"], seed)
    if path in ("/api/v1/items", "/api/v1/items/{id}"):
        days = [body.get("promised_days"), body.get("statutory_days")]
        if all(isinstance(d, int) for d in days) and days[0] > days[1]:
            body["promised_days"], body["statutory_days"] = days[1], days[0]
    if hall and path in ("/api/v1/users", "/api/v1/users/{id}") and "role" in body:
        # Clerks work at a window; nobody else is bound to one.
        clerk = body["role"] == "clerk"
        body["window_id"] = _pick(hall["windows"], seed)["id"] if clerk else None
    if hall and path == "/api/v1/cases/{id}/events" and case.path_parameters:
        # The action is decided on the case's current version.
        try:
            current = _get(f"/api/v1/cases/{case.path_parameters['id']}")
            body["version"] = current["version"]
        except Exception:  # noqa: BLE001 - a case that is gone keeps the generated version
            pass
    if path.startswith("/api/v1/calendar/") and method == "PUT" and case.path_parameters:
        year = case.path_parameters.get("year")
        if isinstance(year, int) and 2000 <= year <= 2100:
            _year_body(body, year)


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
