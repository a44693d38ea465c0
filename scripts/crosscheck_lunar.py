"""Checks domain/calendar/statutory/lunar.csv (made with lunar-python) day by day against two
independent packages: lunardate for the lunar dates, cnlunar for the Qingming solar term.
Both stop at 2099, so the table's last year, 2100, rests on lunar-python alone.
Exits 1 on any disagreement."""
import csv
import datetime
import sys
from pathlib import Path

import cnlunar
from lunardate import LunarDate

TABLE = Path(__file__).resolve().parent.parent / "domain/calendar/statutory/lunar.csv"


def qingming(year):
    for day in range(1, 11):
        date = datetime.datetime(year, 4, day, 12)
        if cnlunar.Lunar(date, godType="8char").todaySolarTerms == "清明":
            return date.date()
    raise SystemExit(f"cnlunar finds no Qingming in April {year}")


bad = 0
years = 0
checked = 0
with TABLE.open() as table:
    for row in csv.DictReader(table):
        years += 1
        year = int(row["year"])
        if year >= 2100:
            continue
        checked += 1
        spring = LunarDate(year, 1, 1).to_solar_date()
        expected = {
            "new_years_eve": spring - datetime.timedelta(days=1),
            "spring_festival": spring,
            "qingming": qingming(year),
            "dragon_boat": LunarDate(year, 5, 5).to_solar_date(),
            "mid_autumn": LunarDate(year, 8, 15).to_solar_date(),
        }
        for field, date in expected.items():
            if row[field] != date.isoformat():
                bad += 1
                print(f"{year} {field}: table {row[field]}, independent {date}")
print(f"lunar table cross-check: {checked} of {years} years checked, {bad} disagreements")
sys.exit(1 if bad or years != 101 else 0)
