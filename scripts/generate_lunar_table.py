"""Writes domain/calendar/statutory/lunar.csv: for each year 2000-2100 the Gregorian dates of
the lunar and solar-term days the statutory holiday law names (全国年节及纪念日放假办法):
lunar New Year's Eve (除夕), the 1st of the first lunar month (春节), the Qingming solar term
(清明), the 5th of the 5th month (端午) and the 15th of the 8th month (中秋), in China's time
zone. Computed with lunar-python (PyPI, 6tail); scripts/crosscheck_lunar.py checks every date
against two other packages. Run: python3 scripts/generate_lunar_table.py (after
`pip install lunar-python==1.4.8`)."""
from pathlib import Path

from lunar_python import Lunar

OUT = Path(__file__).resolve().parent.parent / "domain/calendar/statutory/lunar.csv"

rows = ["year,new_years_eve,spring_festival,qingming,dragon_boat,mid_autumn"]
for year in range(2000, 2101):
    spring = Lunar.fromYmd(year, 1, 1).getSolar()
    eve = spring.next(-1)
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    dragon = Lunar.fromYmd(year, 5, 5).getSolar()
    autumn = Lunar.fromYmd(year, 8, 15).getSolar()
    rows.append(",".join([str(year)] + [d.toYmd() for d in (eve, spring, qingming, dragon, autumn)]))
OUT.write_text("\n".join(rows) + "\n")
print(f"{OUT}: {len(rows) - 1} years")
