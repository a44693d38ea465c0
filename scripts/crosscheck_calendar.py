#!/usr/bin/env python3
"""Cross-check the shipped calendar (domain/calendar/china/*.json) against an independent
source, the PyPI package `chinesecalendar`: every date of every shipped year must agree on
whether it is a working day. Exits non-zero and lists the disagreements otherwise."""
import datetime
import json
import pathlib
import sys

import chinese_calendar

root = pathlib.Path(__file__).resolve().parent.parent / "domain" / "calendar" / "china"
disagreements = []
years = 0
for path in sorted(root.glob("*.json")):
    doc = json.loads(path.read_text(encoding="utf-8"))
    year = doc["year"]
    years += 1
    off = set()
    for holiday in doc["holidays"]:
        day = datetime.date.fromisoformat(holiday["from"])
        while day <= datetime.date.fromisoformat(holiday["to"]):
            off.add(day)
            day += datetime.timedelta(days=1)
    on = {datetime.date.fromisoformat(d) for d in doc["working_days"]}
    day = datetime.date(year, 1, 1)
    while day.year == year:
        ours = day in on or (day.weekday() < 5 and day not in off)
        theirs = chinese_calendar.is_workday(day)
        if ours != theirs:
            disagreements.append(f"{day} ({day:%a}): shipped says {'working' if ours else 'off'}, chinesecalendar says {'working' if theirs else 'off'}")
        day += datetime.timedelta(days=1)

for line in disagreements:
    print(line)
print(f"calendar cross-check: {years} years, {len(disagreements)} disagreements")
sys.exit(1 if disagreements or years == 0 else 0)
