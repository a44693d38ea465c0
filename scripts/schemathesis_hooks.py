"""Schemathesis hooks for Service Hall: how to send an NDJSON body (one generated
ImportedCase per line), which schemathesis has no serializer for; and the throwaway account
the account operations work on (SCHEMATHESIS_USER_ID), so that updating or deactivating a
user never touches the administrator whose token the run uses."""

import json
import os

import schemathesis

THROWAWAY = os.environ.get("SCHEMATHESIS_USER_ID")


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    path = ctx.operation.path if ctx.operation is not None else ""
    if THROWAWAY and path_parameters and path.startswith("/api/v1/users/{id}"):
        path_parameters["id"] = THROWAWAY
    return path_parameters


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    lines = value if isinstance(value, list) else [value]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
