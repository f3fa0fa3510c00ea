"""Rates per 1,000 residents by LSOA and ward, for any period and dataset, with deprivation beside.

A rate is the count of crimes (or ASB incidents) placed in an area in the period, divided by the area's residents in
one ONS mid-year estimate, times 1,000 (strategy reference §4.1). Ward and partnership rates are population-weighted:
the sum of the counts over the sum of the residents of their LSOAs, never an average of LSOA rates. Everything that
makes a figure less than it looks is declared: months with no data, rows with no location, LSOAs with no population
figure, and which mid-year estimate and deprivation edition were used.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from django.db.models import Sum

from safer.core.models import Partnership
from safer.geography import selectors as geography
from safer.geography.models import IOD_EDITION, Deprivation
from safer.geography.selectors import PopulationFigures
from safer.intelligence.categories import ASB
from safer.intelligence.models import MonthlyCount, Source
from safer.intelligence.selectors import Dataset, Flag, ForceContext, add_months, force_unlocated, live_months

Level = Literal["lsoa", "ward"]
LEVELS: dict[str, str] = {"lsoa": "LSOA", "ward": "Ward"}
BANDS = 5
PER = 1000
NO_WARD = "No ward in the lookup"


def months_between(start: date, end: date) -> list[date]:
    """Every month from ``start`` to ``end`` inclusive (first days of months)."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def population_year_for(start: date, end: date) -> int:
    """The calendar year most of the period's months fall in (the earlier year on a tie, as for financial years)."""
    counts = Counter(m.year for m in months_between(start, end))
    return max(counts, key=lambda year: (counts[year], -year))


def default_period(partnership: Partnership, source: str = Source.POLICEUK_STREET) -> tuple[date, date] | None:
    """The latest 12 months loaded from a source (fewer when less is loaded); None when nothing is."""
    months = live_months(partnership, source)
    if not months:
        return None
    end = months[-1]
    return max(months[0], add_months(end, -11)), end


def round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True)
class RateRow:
    """One area. For LSOAs, ``imd_decile``/``imd_rank`` are its own; for wards, ``imd_decile`` is the decile of its
    most deprived LSOA and ``deprived_lsoas`` how many of its LSOAs are in national deciles 1 and 2."""

    code: str
    name: str
    parent: str  # an LSOA's ward, a ward's district
    lsoas: int
    count: int
    population: int | None
    rate: float | None  # per 1,000 residents in the period
    annualised: float | None  # per 1,000 residents per year
    ratio: float | None  # rate / the partnership's rate
    band: int  # 0 = no rate, 1..5 = fifths of the areas' rates (the map's colours)
    imd_decile: int | None
    imd_rank: int | None = None
    deprived_lsoas: int | None = None
    ranked_lsoas: int = 0

    @property
    def imd_text(self) -> str:
        if self.imd_decile is None:
            return "No deprivation figure"
        if self.deprived_lsoas is None:
            return f"IMD decile {self.imd_decile} (rank {self.imd_rank:,})"
        return (
            f"Most deprived LSOA in IMD decile {self.imd_decile}; {self.deprived_lsoas} of {self.lsoas} "
            f"LSOA{'s' if self.lsoas != 1 else ''} in deciles 1 to 2"
        )


@dataclass
class RateTable:
    dataset: Dataset
    level: str
    start: date
    end: date
    months: list[date]
    months_with_data: list[date]
    rows: list[RateRow]
    total_count: int  # placed in an LSOA that has a population figure
    total_population: int | None
    overall_rate: float | None
    overall_annualised: float | None
    no_location: int  # a partner's rows with no location (the partner recorded them in the area)
    off_map: int  # placed in LSOAs that are not the partnership's 2011 LSOAs (another vintage)
    unpopulated_count: int  # placed in LSOAs with no population figure: in no rate
    population: PopulationFigures
    iod_edition: str
    deprivation_source: str
    bands: list[tuple[float, float] | None] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    # police.uk: each force's rows with no location in the period (the force's, not the area's: never counted here)
    force_unlocated: list[ForceContext] = field(default_factory=list)

    @property
    def months_missing(self) -> list[date]:
        loaded = set(self.months_with_data)
        return [m for m in self.months if m not in loaded]

    @property
    def period_label(self) -> str:
        n = len(self.months)
        if n == 1:
            return f"{self.start:%B %Y} (1 month)"
        return f"{self.start:%B %Y} to {self.end:%B %Y} ({n} months)"

    @property
    def noun(self) -> str:
        return self.dataset.noun

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]


def _annualise(rate: float | None, months: int) -> float | None:
    return None if rate is None or months == 0 else rate * 12 / months


def rate_per_1000(count: int, population: int | None) -> float | None:
    return None if not population else count / population * PER


def _bands(values: list[float]) -> dict[float, int]:
    """Band 1..5 for each value: fifths of the sorted values, a tie taking the band where its run starts.

    So equal rates always share a colour and the lowest rate (often 0) is always band 1.
    """
    ordered = sorted(values)
    first: dict[float, int] = {}
    for index, value in enumerate(ordered):
        first.setdefault(value, index)
    return {value: index * BANDS // len(ordered) + 1 for value, index in first.items()}


def _counts(partnership: Partnership, chosen: Dataset, start: date, end: date) -> tuple[dict[int, int], int]:
    """Counts per LSOA id in the period, and the count with no location."""
    qs = MonthlyCount.objects.filter(partnership=partnership, source=chosen.source, month__gte=start, month__lte=end)
    qs = qs.exclude(category=ASB) if chosen.categories is None else qs.filter(category__in=chosen.categories)
    by_lsoa: dict[int, int] = {}
    no_location = 0
    for lsoa_id, n in qs.values("lsoa_id").annotate(n=Sum("count")).values_list("lsoa_id", "n").order_by():
        if lsoa_id is None:
            no_location += int(n)
        else:
            by_lsoa[int(lsoa_id)] = int(n)
    return by_lsoa, no_location


@dataclass
class _Area:
    code: str
    name: str
    parent: str
    lsoas: int = 0
    count: int = 0
    population: int = 0
    lsoas_with_population: int = 0
    deciles: list[int] = field(default_factory=list)
    rank: int | None = None


def rates(partnership: Partnership, chosen: Dataset, start: date, end: date, level: str = "lsoa") -> RateTable | None:
    """Count, residents, rate per 1,000 (for the period and annualised) and ratio to the partnership, per area.

    None when no month of the period is loaded. Rows are ordered by rate, highest first (areas with no rate last).
    """
    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}: use one of {', '.join(LEVELS)}")
    start, end = start.replace(day=1), end.replace(day=1)
    months = months_between(start, end)
    with_data = [m for m in live_months(partnership, chosen.source) if start <= m <= end]
    if not with_data:
        return None
    counts, no_location = _counts(partnership, chosen, start, end)
    population = geography.population_by_lsoa(partnership, population_year_for(start, end))
    deprivation: dict[int, Deprivation] = geography.deprivation_by_lsoa(partnership, IOD_EDITION)

    areas: dict[str, _Area] = {}
    placed = 0
    unpopulated_count = 0
    # The partnership: every LSOA with a population figure (the same base at either level).
    total_count = 0
    total_population = 0
    # Plain values, not model objects: a large district has hundreds of LSOAs and this runs on every page view.
    lsoa_rows = geography.lsoas_in(partnership).order_by("code")
    fields = ("pk", "code", "name", "ward__code", "ward__name", "lad__name")
    for lsoa_pk, lsoa_code, lsoa_name, ward_code, ward_name, lad_name in lsoa_rows.values_list(*fields):
        count = counts.get(lsoa_pk, 0)
        placed += count
        residents = population.by_lsoa.get(lsoa_pk)
        if residents is None:
            unpopulated_count += count
        else:
            total_count += count
            total_population += residents
        dep = deprivation.get(lsoa_pk)
        if level == "lsoa":
            key, name, parent = lsoa_code, lsoa_name, ward_name if ward_code is not None else NO_WARD
        elif ward_code is not None:
            key, name, parent = ward_code, ward_name, lad_name
        else:
            key, name, parent = "", "LSOAs with no ward in the lookup", lad_name
        area = areas.setdefault(key, _Area(code=key, name=name, parent=parent))
        area.lsoas += 1
        area.count += count
        if residents is not None:
            area.population += residents
            area.lsoas_with_population += 1
        if dep is not None:
            area.deciles.append(dep.imd_decile)
            area.rank = dep.imd_rank
    off_map = sum(counts.values()) - placed

    overall = rate_per_1000(total_count, total_population)
    n_months = len(with_data)

    def area_rate(a: _Area) -> float | None:
        return rate_per_1000(a.count, a.population) if a.lsoas_with_population == a.lsoas else None

    # Bands on the rate as shown (one decimal), so the map, the key and the table always agree.
    band_of = _bands([r for r in (round1(area_rate(a)) for a in areas.values()) if r is not None])
    rows = []
    for a in areas.values():
        rate = area_rate(a)
        rows.append(
            RateRow(
                code=a.code,
                name=a.name,
                parent=a.parent,
                lsoas=a.lsoas,
                count=a.count,
                population=a.population if a.lsoas_with_population == a.lsoas else None,
                rate=rate,
                annualised=_annualise(rate, n_months),
                ratio=rate / overall if rate is not None and overall else None,
                band=0 if rate is None else band_of[round(rate, 1)],
                imd_decile=min(a.deciles) if a.deciles else None,
                imd_rank=a.rank if level == "lsoa" else None,
                deprived_lsoas=sum(1 for d in a.deciles if d <= 2) if level == "ward" else None,
                ranked_lsoas=len(a.deciles),
            )
        )
    rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0), r.name, r.code))
    bands: list[tuple[float, float] | None] = []
    for band in range(1, BANDS + 1):
        shown = [round1(r.rate) for r in rows if r.band == band]
        values = [v for v in shown if v is not None]
        bands.append((min(values), max(values)) if values else None)
    table = RateTable(
        dataset=chosen,
        level=level,
        start=start,
        end=end,
        months=months,
        months_with_data=with_data,
        rows=rows,
        total_count=total_count,
        total_population=total_population or None,
        overall_rate=overall,
        overall_annualised=_annualise(overall, n_months),
        no_location=no_location,
        force_unlocated=force_unlocated(partnership, chosen.source, start, end, chosen.categories),
        off_map=off_map,
        unpopulated_count=unpopulated_count,
        population=population,
        iod_edition=IOD_EDITION,
        deprivation_source=geography.EDITION_SOURCES[IOD_EDITION],
        bands=bands,
    )
    table.flags = _flags(table, len(deprivation), sum(a.lsoas for a in areas.values()))
    return table


def _flags(table: RateTable, ranked: int, lsoas: int) -> list[Flag]:
    flags = []
    missing = table.months_missing
    if missing:
        shown = ", ".join(f"{m:%B %Y}" for m in missing[:6]) + (" and more" if len(missing) > 6 else "")
        flags.append(
            Flag(
                "warning",
                f"{len(missing)} of the {len(table.months)} months in this period have no data ({shown}). Counts and "
                f"rates for the period are understated; the annualised rates use the {len(table.months_with_data)} "
                "months with data.",
            )
        )
    pop = table.population
    if pop.year_used is None:
        flags.append(Flag("warning", "No population estimates are loaded for this area, so no rate can be worked out."))
    else:
        text = f"Residents: mid-{pop.year_used} estimates ({pop.source})."
        if not pop.is_exact:
            text += (
                f" Most of the period falls in {pop.year_asked}; mid-{pop.year_used} is the nearest estimate loaded"
                + (" at or before it." if pop.year_used < pop.year_asked else " (none is loaded before it).")
            )
        flags.append(Flag("info" if pop.is_exact else "warning", text))
        if "prisoners" in pop.source.lower():
            flags.append(
                Flag(
                    "warning",
                    "These estimates exclude prisoners (they are the deprivation indices' denominators, not general "
                    "population estimates).",
                )
            )
    if pop.year_used is not None and pop.lsoas_without_figure:
        flags.append(
            Flag(
                "warning",
                f"{pop.lsoas_without_figure} LSOA{'s have' if pop.lsoas_without_figure != 1 else ' has'} no "
                f"population figure for mid-{pop.year_used}: {table.unpopulated_count:,} {table.noun} placed there "
                "are in no rate.",
            )
        )
    if table.no_location:
        flags.append(
            Flag(
                "info",
                f"{table.no_location:,} {table.noun} in this period have no location in the partner's files: they "
                "are not in any area and not in these counts or rates.",
            )
        )
    for context in table.force_unlocated:
        flags.append(Flag("info", context.sentence("in this period")))
    if table.off_map:
        flags.append(
            Flag(
                "warning",
                f"{table.off_map:,} {table.noun} are placed in LSOAs that are not on the 2011 LSOA map used here "
                "(another LSOA vintage) and are not in these figures.",
            )
        )
    if ranked < lsoas:
        flags.append(Flag("warning", f"{table.iod_edition} deprivation is loaded for {ranked} of {lsoas} LSOAs."))
    return flags


def map_features(partnership: Partnership, table: RateTable) -> tuple[dict[str, Any], list[RateRow]]:
    """The areas' boundaries as GeoJSON with each area's figures, and the areas that have no boundary loaded."""
    collection = geography.boundaries_geojson(partnership, table.level)
    by_code = {row.code: row for row in table.rows}
    features = []
    drawn = set()
    for feature in collection["features"]:
        row = by_code.get(feature["properties"]["code"])
        if row is None:
            continue
        drawn.add(row.code)
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": row.code,
                    "name": row.name,
                    "band": row.band,
                    "count": f"{row.count:,}",
                    "rate": format_number(row.rate),
                    "annualised": format_number(row.annualised),
                    "imd": row.imd_text,
                },
            }
        )
    missing = [row for row in table.rows if row.code not in drawn]
    return {"type": "FeatureCollection", "features": features}, missing


def format_number(value: float | None, places: int = 1) -> str:
    return "no rate" if value is None else f"{value:,.{places}f}"


def export_rows(table: RateTable, partnership_name: str) -> tuple[list[str], list[list[str | int | float | None]]]:
    """The table as it is on the page, for CSV and Excel (rates to one decimal place, ratios to two)."""
    year = table.population.year_used
    residents = f"Residents (mid-{year})" if year else "Residents"
    if table.level == "lsoa":
        header = ["LSOA code", "LSOA name", "Ward", "Count", residents]
    else:
        header = ["Ward code", "Ward name", "District", "LSOAs", "Count", residents]
    header += ["Rate per 1,000 in the period", "Annualised rate per 1,000", "Ratio to the partnership"]
    header += (
        [f"{table.iod_edition} IMD decile", f"{table.iod_edition} IMD rank"]
        if table.level == "lsoa"
        else [f"{table.iod_edition} IMD decile of the most deprived LSOA", "LSOAs in IMD deciles 1 to 2"]
    )
    rows: list[list[str | int | float | None]] = []
    for r in table.rows:
        start: list[str | int | float | None] = (
            [r.code, r.name, r.parent] if table.level == "lsoa" else [r.code, r.name, r.parent, r.lsoas]
        )
        tail: list[str | int | float | None] = (
            [r.imd_decile, r.imd_rank] if table.level == "lsoa" else [r.imd_decile, r.deprived_lsoas]
        )
        rows.append(
            [
                *start,
                r.count,
                r.population,
                round1(r.rate),
                round1(r.annualised),
                None if r.ratio is None else round(r.ratio, 2),
                *tail,
            ]
        )
    pad = [None] if table.level == "ward" else []
    rows.append(
        [
            "",
            f"{partnership_name} (all areas)",
            "",
            *pad,
            table.total_count,
            table.total_population,
            round1(table.overall_rate),
            round1(table.overall_annualised),
            1.0 if table.overall_rate else None,
            None,
            None,
        ]
    )
    if table.no_location:
        rows.append(
            ["", "No location (not in any area)", "", *pad, table.no_location, None, None, None, None, None, None]
        )
    return header, rows
