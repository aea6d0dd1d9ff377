"""DWD against Open-Meteo: a warning when Berlin's two weather sources stop agreeing.

Where a Berlin day has a DWD maximum temperature (the value the fact uses) and an Open-Meteo
one (``openmeteo_temperature_max_c``), the two should be close: a station observation and the
ERA5 reanalysis of the grid cell around it. They are never equal (the station stands in the
city's heat; the grid cell is a 30 km average; DWD's climate day ends at 23:50 UTC, the
export's day at local midnight), so the check asks for agreement on most days, not every day:

* a day **agrees** when the two maxima differ by at most :data:`TOLERANCE_C` (3 °C);
* a year **passes** when at least :data:`MIN_SHARE` (90 %) of its compared days agree; years
  with fewer than :data:`MIN_DAYS` compared days are listed but not judged.

On the seed (2000–2024, Tempelhof against the Open-Meteo export at 52.55 N 13.41 E) 98.7 % of
9,132 days agree, the worst year 96.7 % (2001); DWD is 0.8 °C warmer on average. The same
comparison with the dates shifted by one day gives 61–81 % per year, and a unit or station
mix-up far less, so the thresholds catch what they are for (a misdated, misplaced or
mislabelled file) without firing on the known, explained differences.

**Not blocking.** The fact takes DWD's value where it has one; Open-Meteo is only the
fallback. A disagreement says that one of two independent sources is off, not which one, and
blocking would hold back Jakarta's weather too; so the check warns, lists the years and the
largest differences, and a person decides (docs/indicators.md, Weather).
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.weather import KEY
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.sql_files import bind, sql_file

TOLERANCE_C = 3.0
MIN_SHARE = 0.90
MIN_DAYS = 30
CHECK_NAME = "dwd_openmeteo_agreement"


def _evaluate(audit: Audit) -> dg.AssetCheckResult:
    params = bind(tolerance_c=TOLERANCE_C, berlin=keys.BERLIN)
    years = audit.wh.read_frame(sql_file(__file__, "weather_crosscheck.sql",
                                         fact=audit.relation), **params)
    largest = audit.wh.read_frame(sql_file(__file__, "weather_crosscheck_largest.sql",
                                           fact=audit.relation), berlin=keys.BERLIN)
    years["share_agreeing"] = (years["agreeing"] / years["days"]).round(4)
    judged = years[years["days"] >= MIN_DAYS]
    failing = judged[judged["share_agreeing"] < MIN_SHARE]
    days, agreeing = int(years["days"].sum()), int(years["agreeing"].sum())
    if not len(judged):
        description = (f"no year with at least {MIN_DAYS} days on which both DWD and "
                       "Open-Meteo have a maximum temperature: nothing to compare")
    elif len(failing):
        description = (f"{len(failing)} year(s) below {MIN_SHARE:.0%} of days within "
                       f"{TOLERANCE_C:g} °C: " + ", ".join(
                           f"{r.year} ({r.share_agreeing:.1%} of {r.days})"
                           for r in failing.itertuples()))
    else:
        worst = judged.loc[judged["share_agreeing"].idxmin()]
        description = (f"{agreeing} of {days} days ({agreeing / days:.1%}) within "
                       f"{TOLERANCE_C:g} °C; every year of {len(judged)} at least "
                       f"{MIN_SHARE:.0%} (worst {int(worst['year'])}: "
                       f"{worst['share_agreeing']:.1%})")
    return dg.AssetCheckResult(
        passed=not len(failing),
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "tolerance_c": dg.MetadataValue.float(TOLERANCE_C),
            "min_share_per_year": dg.MetadataValue.float(MIN_SHARE),
            "days_compared": dg.MetadataValue.int(days),
            "days_agreeing": dg.MetadataValue.int(agreeing),
            "years": dg.MetadataValue.md(md_table(years)),
            "largest_differences": dg.MetadataValue.md(md_table(largest)),
        })


WEATHER_SOURCES_AGREE = TableCheck(
    KEY, CHECK_NAME,
    f"Berlin's daily maximum from DWD against Open-Meteo's: per year at least "
    f"{MIN_SHARE:.0%} of the compared days within {TOLERANCE_C:g} °C (years with "
    f"{MIN_DAYS}+ compared days). Warns, does not block: DWD is the value used.",
    _evaluate, blocking=False)
