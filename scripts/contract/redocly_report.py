"""Reads `redocly lint --format=json` on stdin, prints each problem and the totals, and exits 1
on any error or warning that .redocly.lint-ignore.yaml does not list."""
import json
import sys

report = json.load(sys.stdin)
for problem in report["problems"]:
    where = problem["location"][0]["pointer"]
    print(f"redocly {problem['severity']}: {problem['ruleId']} at {where}: {problem['message']}")
totals = report["totals"]
print(
    f"redocly lint (recommended): {totals['errors']} errors, {totals['warnings']} warnings, "
    f"{totals['ignored']} ignored"
)
sys.exit(1 if totals["errors"] or totals["warnings"] else 0)
