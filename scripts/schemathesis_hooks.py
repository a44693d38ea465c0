"""Schemathesis hooks for Service Hall: how to send an NDJSON body (one generated
ImportedCase per line), which schemathesis has no serializer for; the throwaway account the
account operations work on (SCHEMATHESIS_USER_ID), so that updating or deactivating a user
never touches the administrator whose token the run uses; and realistic references — the
demo hall's windows, items, departments and cases, read once through the API
(SCHEMATHESIS_URL, SCHEMATHESIS_TOKEN) — so that generated bodies reach the rules behind the
references instead of stopping at "no such window"."""

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
    """A body's references to what exists, and the fields that must agree with the path."""
    method, path = _operation(ctx)
    body = case.body
    if not isinstance(body, dict):
        return case
    hall = _hall()
    seed = json.dumps(body, sort_keys=True, default=str)
    if hall and method == "POST" and path == "/api/v1/cases":
        window = _pick(hall["windows"], seed)
        body["window_id"] = window["id"]
        body["item_id"] = _pick(window["item_ids"], seed)
        body["applicant"] = dict(APPLICANT)
    if hall and path in ("/api/v1/items", "/api/v1/items/{id}") and "department_id" in body:
        body["department_id"] = _pick(hall["departments"], seed)
    if path.startswith("/api/v1/calendar/") and method == "PUT" and case.path_parameters:
        # The body's year is the path's; its dates are moved into that year.
        year = case.path_parameters.get("year")
        if isinstance(year, int):
            body["year"] = year
    return case


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    lines = value if isinstance(value, list) else [value]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
