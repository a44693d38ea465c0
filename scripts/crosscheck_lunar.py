"""Checks domain/calendar/statutory/lunar.csv (made with lunar-python) day by day against
independent packages, so that every field of every year 2000-2100 is checked by at least one:

- lunardate 0.3.0: the lunar dates (New Year's Eve, 1/1, 5/5, 8/15), 2000-2099 (its table ends
  there).
- cnlunar 0.2.5: the Qingming solar term, 2000-2099 (likewise).
- ephem 4.2.1 (libastro, the XEphem astronomy library): every field, 2000-2100, from the
  astronomy alone. Qingming is the China Standard Time (UTC+8) day on which the Sun's apparent
  geocentric longitude reaches 15 degrees. The lunar dates follow the rules of GB/T 33661-2017
  (农历的编算和颁行): a month begins on the UTC+8 day of a new moon; the month holding the winter
  solstice is the 11th; in a span from one 11th month to the next that holds 13 months, the
  first month without a principal term (中气, a multiple of 30 degrees) is the leap month.

Prints how many years each package checked, and ephem's closest call (the new moon nearest to
a UTC+8 midnight among the months used). Exits 1 on any disagreement, or if any field of any
year 2000-2100 was checked by no independent package."""
import csv
import datetime
import math
import sys
from pathlib import Path

import cnlunar
import ephem
from lunardate import LunarDate

TABLE = Path(__file__).resolve().parent.parent / "domain/calendar/statutory/lunar.csv"
FIELDS = ("new_years_eve", "spring_festival", "qingming", "dragon_boat", "mid_autumn")
LUNAR_FIELDS = ("new_years_eve", "spring_festival", "dragon_boat", "mid_autumn")
FIRST, LAST = 2000, 2100
CST = datetime.timedelta(hours=8)


# lunardate and cnlunar (both stop at 2099)

def lunardate_dates(year):
    if year > 2099:
        return {}
    spring = LunarDate(year, 1, 1).to_solar_date()
    return {
        "new_years_eve": spring - datetime.timedelta(days=1),
        "spring_festival": spring,
        "dragon_boat": LunarDate(year, 5, 5).to_solar_date(),
        "mid_autumn": LunarDate(year, 8, 15).to_solar_date(),
    }


def cnlunar_qingming(year):
    if year > 2099:
        return {}
    for day in range(1, 11):
        date = datetime.datetime(year, 4, day, 12)
        if cnlunar.Lunar(date, godType="8char").todaySolarTerms == "清明":
            return {"qingming": date.date()}
    raise SystemExit(f"cnlunar finds no Qingming in April {year}")


# ephem: the same dates from the positions of the Sun and the Moon

def cst(moment):
    """An ephem date (UT) as a China Standard Time datetime."""
    return ephem.Date(moment).datetime() + CST


def sun_longitude(moment):
    """The Sun's apparent geocentric ecliptic longitude, equinox of date, in radians."""
    sun = ephem.Sun(moment)
    equatorial = ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=moment)
    return float(ephem.Ecliptic(equatorial, epoch=moment).lon)


def sun_reaches(start, degrees):
    """The first moment after `start` (within about a month) at which the Sun's longitude
    reaches `degrees`."""
    target = math.radians(degrees)

    def past(moment):  # signed angle from the target, in (-pi, pi]
        angle = (sun_longitude(moment) - target) % (2 * math.pi)
        return angle - 2 * math.pi if angle > math.pi else angle

    low = ephem.Date(start)
    while past(low) >= 0 or past(low + 1) < 0:
        low = ephem.Date(low + 1)
    high = ephem.Date(low + 1)
    for _ in range(50):
        middle = ephem.Date((low + high) / 2)
        if past(middle) < 0:
            low = middle
        else:
            high = middle
    return high


def months_from_11th(year):
    """The months from the 11th month of lunar year `year - 1` up to the 11th month of `year`
    (excluded), as (first day, number, leap, new moon moment)."""
    solstices = [cst(sun_reaches(ephem.Date(datetime.datetime(y, 12, 1)), 270)).date()
                 for y in (year - 1, year)]
    new_moons = []
    moment = ephem.next_new_moon(ephem.Date(datetime.datetime(year - 1, 11, 1)))
    while not new_moons or new_moons[-1][0] <= solstices[1]:
        new_moons.append((cst(moment).date(), moment))
        moment = ephem.next_new_moon(ephem.Date(moment + 1))
    days = [day for day, _ in new_moons]
    start = max(i for i, day in enumerate(days) if day <= solstices[0])
    end = max(i for i, day in enumerate(days) if day <= solstices[1])
    if end - start not in (12, 13):
        raise SystemExit(f"ephem: {end - start} months between the 11th months of {year - 1} and {year}")
    principal_terms = []
    moment = sun_reaches(ephem.Date(datetime.datetime(year - 1, 12, 1)), 270)
    while cst(moment).date() < days[end]:
        principal_terms.append(cst(moment).date())
        degrees = (round(math.degrees(sun_longitude(moment))) + 30) % 360
        moment = sun_reaches(ephem.Date(moment + 20), degrees)
    leap = None
    if end - start == 13:
        leap = next(i for i in range(start, end)
                    if not any(days[i] <= term < days[i + 1] for term in principal_terms))
    months = []
    number = 11
    for i in range(start, end):
        if i != leap and i != start:
            number = number % 12 + 1
        months.append((days[i], number, i == leap, new_moons[i][1]))
    return months


def ephem_dates(year):
    """Every field for `year`, and the closest any new moon used came to a UTC+8 midnight."""
    months = months_from_11th(year)
    dates = {}
    margins = []
    for field, month, day in (("spring_festival", 1, 1), ("dragon_boat", 5, 5), ("mid_autumn", 8, 15)):
        first, new_moon = next((first, moment) for first, number, leap, moment in months
                               if number == month and not leap)
        dates[field] = first + datetime.timedelta(days=day - 1)
        at = cst(new_moon)
        midnight = datetime.datetime(at.year, at.month, at.day)
        margins.append(min(at - midnight, midnight + datetime.timedelta(days=1) - at))
    dates["new_years_eve"] = dates["spring_festival"] - datetime.timedelta(days=1)
    dates["qingming"] = cst(sun_reaches(ephem.Date(datetime.datetime(year, 3, 25)), 15)).date()
    return dates, min(margins)


SOURCES = {"lunardate 0.3.0": lunardate_dates, "cnlunar 0.2.5": cnlunar_qingming}

bad = 0
table_years = []
checked_by = {name: set() for name in (*SOURCES, "ephem 4.2.1")}
unchecked = []
closest = (datetime.timedelta(days=1), None)
with TABLE.open() as table:
    for row in csv.DictReader(table):
        year = int(row["year"])
        table_years.append(year)
        opinions = {name: source(year) for name, source in SOURCES.items()}
        opinions["ephem 4.2.1"], margin = ephem_dates(year)
        closest = min(closest, (margin, year))
        for name, dates in opinions.items():
            if dates:
                checked_by[name].add(year)
            for field, date in dates.items():
                if row[field] != date.isoformat():
                    bad += 1
                    print(f"{year} {field}: table {row[field]}, {name} {date}")
        for field in FIELDS:
            if not any(field in dates for dates in opinions.values()):
                unchecked.append(f"{year} {field}")

for name, checked in checked_by.items():
    print(f"  {name}: {len(checked)} years ({min(checked)}-{max(checked)})")
print(f"  ephem's closest call: a new moon {closest[0].total_seconds() / 60:.1f} min from midnight (UTC+8) in {closest[1]}")
if unchecked:
    print(f"checked by no independent package: {', '.join(unchecked)}")
years = list(range(FIRST, LAST + 1))
if table_years != years:
    print(f"the table's years are not exactly {FIRST}-{LAST}")
fully = set(table_years) - {int(entry.split()[0]) for entry in unchecked}
print(f"lunar table cross-check: {len(fully)} of {len(years)} years {FIRST}-{LAST} checked in every "
      f"field by at least one independent package, {bad} disagreements")
sys.exit(1 if bad or unchecked or table_years != years else 0)
