"""Priority neighbourhoods: reads for the sets of LSOAs an analyst names, and their gap to the rest of the borough.

The gap measure (strategy reference §4.3; no single official formula exists) compares the rate per 1,000 residents
in the priority LSOAs with the rate in the rest of the partnership's LSOAs, per financial year or per rolling 12
months. Every rate is population-weighted (sum of counts over sum of residents, never an average of LSOA rates) and
comes from ``rates.rates`` for the same period and dataset, so the counts, the residents and the mid-year estimate
used are those of the rates page:

    gap % = (priority rate - rest rate) / rest rate x 100   how much higher the priority areas' rate is
    difference = priority rate - rest rate                   per 1,000 residents in the period

The same two figures against the whole borough (priority areas included, "the borough average") are kept beside,
because some targets (the Wigan seed's "no more than 33%") are worded that way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from django.db.models import Count, QuerySet
from django.http import Http404

from safer.core.models import Partnership
from safer.geography import selectors as geography
from safer.geography.models import IOD_EDITION
from safer.intelligence import rates as rate_selectors
from safer.intelligence.models import PriorityArea
from safer.intelligence.selectors import Dataset, Flag, add_months, fy_label, fy_of, live_months

Frequency = Literal["fy", "rolling12"]
FREQUENCIES: dict[str, str] = {
    "fy": "Financial years (April to March)",
    "rolling12": "Rolling 12 months, ending each month",
}
Compare = Literal["rest", "borough"]
COMPARISONS: dict[str, str] = {
    "rest": "The rest of the borough (the priority areas taken out)",
    "borough": "The whole borough (priority areas included: the borough average)",
}
DEPRIVED_DECILES = 2  # "IMD deciles 1 to 2": the most deprived 20% of LSOAs in England


# ---- the areas -----------------------------------------------------------------------------------------------------


def areas_of(partnership: Partnership) -> QuerySet[PriorityArea]:
    """The partnership's priority areas, by name, each with ``lsoa_count``."""
    return (
        PriorityArea.objects.filter(partnership=partnership)
        .select_related("created_by")
        .annotate(lsoa_count=Count("lsoas"))
        .order_by("name")
    )


def area_of(partnership: Partnership, area_id: int) -> PriorityArea:
    """One priority area of this partnership; any other (another partnership's, or none) is a 404."""
    try:
        return PriorityArea.objects.get(partnership=partnership, pk=area_id)
    except PriorityArea.DoesNotExist as exc:
        raise Http404("No such priority area") from exc


@dataclass(frozen=True)
class LsoaChoice:
    code: str
    name: str
    ward_code: str
    ward_name: str
    imd_decile: int | None

    @property
    def label(self) -> str:
        decile = f"IMD decile {self.imd_decile}" if self.imd_decile is not None else "no IMD decile"
        return f"{self.name} ({self.code}), {self.ward_name or rate_selectors.NO_WARD}, {decile}"


@dataclass(frozen=True)
class WardChoice:
    code: str
    name: str
    lsoa_codes: tuple[str, ...]
    deprived: int  # LSOAs in IMD deciles 1 to 2

    @property
    def label(self) -> str:
        n = len(self.lsoa_codes)
        return f"{self.name} ({n} LSOA{'s' if n != 1 else ''}, {self.deprived} in IMD deciles 1 to 2)"


@dataclass(frozen=True)
class Choices:
    wards: list[WardChoice]
    lsoas: list[LsoaChoice]
    iod_edition: str = IOD_EDITION

    @property
    def deprived_codes(self) -> list[str]:
        return [c.code for c in self.lsoas if c.imd_decile is not None and c.imd_decile <= DEPRIVED_DECILES]

    def lsoa_codes_of_wards(self, ward_codes: list[str]) -> set[str]:
        chosen = set(ward_codes)
        return {code for ward in self.wards if ward.code in chosen for code in ward.lsoa_codes}


def choices(partnership: Partnership) -> Choices:
    """What the analyst can choose from: the partnership's wards and its LSOAs with their IoD2019 IMD decile."""
    deprivation = geography.deprivation_by_lsoa(partnership, IOD_EDITION)
    lsoas = []
    by_ward: dict[str, list[LsoaChoice]] = {}
    for lsoa in geography.lsoas_in(partnership).select_related("ward"):
        dep = deprivation.get(lsoa.pk)
        choice = LsoaChoice(
            code=lsoa.code,
            name=lsoa.name,
            ward_code=lsoa.ward.code if lsoa.ward else "",
            ward_name=lsoa.ward.name if lsoa.ward else "",
            imd_decile=dep.imd_decile if dep else None,
        )
        lsoas.append(choice)
        if choice.ward_code:
            by_ward.setdefault(choice.ward_code, []).append(choice)
    lsoas.sort(key=lambda c: (c.ward_name == "", c.ward_name, c.name, c.code))
    wards = []
    for ward in geography.wards_in(partnership).order_by("name", "code"):
        members = by_ward.get(ward.code, [])
        if not members:
            continue
        wards.append(
            WardChoice(
                code=ward.code,
                name=ward.name,
                lsoa_codes=tuple(sorted(m.code for m in members)),
                deprived=sum(1 for m in members if m.imd_decile is not None and m.imd_decile <= DEPRIVED_DECILES),
            )
        )
    return Choices(wards=wards, lsoas=lsoas)


@dataclass(frozen=True)
class AreaLsoa:
    code: str
    name: str
    ward: str
    population: int | None
    imd_decile: int | None
    imd_rank: int | None


@dataclass(frozen=True)
class WardShare:
    name: str
    chosen: int
    lsoas: int

    @property
    def whole(self) -> bool:
        return self.chosen == self.lsoas


@dataclass
class Definition:
    """What a priority area is: its LSOAs and wards, its residents and deprivation."""

    lsoas: list[AreaLsoa]
    wards: list[WardShare]
    population: int | None  # residents of the LSOAs with a figure, in ``population_year``
    population_year: int | None
    population_source: str
    borough_population: int | None
    deciles: list[tuple[int, int]]  # (IMD decile, LSOAs), most deprived first
    outside: int  # LSOAs of the set no longer in the partnership's area
    iod_edition: str = IOD_EDITION

    @property
    def share(self) -> float | None:
        if not self.population or not self.borough_population:
            return None
        return self.population / self.borough_population * 100

    @property
    def unpopulated(self) -> int:
        return sum(1 for lsoa in self.lsoas if lsoa.population is None)


def definition(partnership: Partnership, area: PriorityArea) -> Definition:
    years = geography.population_years(partnership)
    population = geography.population_by_lsoa(partnership, years[-1]) if years else None
    deprivation = geography.deprivation_by_lsoa(partnership, IOD_EDITION)
    chosen = set(area.lsoas.values_list("pk", flat=True))
    rows = []
    ward_totals: Counter[str] = Counter()
    ward_chosen: Counter[str] = Counter()
    for lsoa in geography.lsoas_in(partnership).select_related("ward").order_by("code"):
        ward = lsoa.ward.name if lsoa.ward else rate_selectors.NO_WARD
        ward_totals[ward] += 1
        if lsoa.pk not in chosen:
            continue
        ward_chosen[ward] += 1
        dep = deprivation.get(lsoa.pk)
        rows.append(
            AreaLsoa(
                code=lsoa.code,
                name=lsoa.name,
                ward=ward,
                population=population.by_lsoa.get(lsoa.pk) if population else None,
                imd_decile=dep.imd_decile if dep else None,
                imd_rank=dep.imd_rank if dep else None,
            )
        )
    rows.sort(key=lambda r: (r.ward, r.name, r.code))
    deciles = Counter(r.imd_decile for r in rows if r.imd_decile is not None)
    known = [r.population for r in rows if r.population is not None]
    return Definition(
        lsoas=rows,
        wards=[WardShare(name, ward_chosen[name], ward_totals[name]) for name in sorted(ward_chosen)],
        population=sum(known) if known else None,
        population_year=population.year_used if population else None,
        population_source=population.source if population else "",
        borough_population=population.total if population and population.by_lsoa else None,
        deciles=sorted(deciles.items()),
        outside=len(chosen) - len(rows),
    )


# ---- the gap over time ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapRow:
    """One period: counts, residents and rates per 1,000 for the priority LSOAs, the rest and the whole borough."""

    label: str
    start: date
    end: date
    months: int
    months_with_data: int
    population_year: int | None
    priority_count: int
    priority_population: int | None
    priority_rate: float | None
    rest_count: int
    rest_population: int | None
    rest_rate: float | None
    borough_count: int
    borough_population: int | None
    borough_rate: float | None

    @property
    def complete(self) -> bool:
        return self.months_with_data == self.months

    def baseline(self, compare: str = "rest") -> float | None:
        return self.borough_rate if compare == "borough" else self.rest_rate

    def gap_pct(self, compare: str = "rest") -> float | None:
        """How much higher the priority areas' rate is than the baseline's, in per cent of the baseline's."""
        base = self.baseline(compare)
        if self.priority_rate is None or not base:
            return None
        return (self.priority_rate - base) / base * 100

    def difference(self, compare: str = "rest") -> float | None:
        """Priority rate minus the baseline's, per 1,000 residents in the period."""
        base = self.baseline(compare)
        return None if self.priority_rate is None or base is None else self.priority_rate - base

    def met(self, target: float | None, compare: str = "rest") -> bool | None:
        """Whether the gap % as shown (one decimal place) is at or below the target; None without either."""
        gap = rate_selectors.round1(self.gap_pct(compare))
        return None if target is None or gap is None else gap <= target


@dataclass
class GapSeries:
    dataset: Dataset
    frequency: str
    rows: list[GapRow]
    chart_periods: list[date]  # every period on the chart's axis, with or without data
    priority_lsoas: int  # in the partnership's area
    flags: list[Flag] = field(default_factory=list)

    @property
    def frequency_label(self) -> str:
        return FREQUENCIES[self.frequency]

    @property
    def frequency_phrase(self) -> str:
        return (
            "by financial year (April to March)" if self.frequency == "fy" else "rolling 12 months, ending each month"
        )

    @property
    def noun(self) -> str:
        return self.dataset.noun

    @property
    def complete_rows(self) -> int:
        return sum(1 for row in self.rows if row.complete)

    def chart_points(self, compare: str = "rest") -> list[tuple[str, list[tuple[date, float | None]]]]:
        """Complete periods only (the table has the rest): a part-year's rate would look like a fall."""
        by_end = {row.end: row for row in self.rows if row.complete}
        priority: list[tuple[date, float | None]] = []
        baseline: list[tuple[date, float | None]] = []
        for end in self.chart_periods:
            row = by_end.get(end)
            priority.append((end, row.priority_rate if row else None))
            baseline.append((end, row.baseline(compare) if row else None))
        other = "Whole borough" if compare == "borough" else "Rest of the borough"
        return [("Priority areas", priority), (other, baseline)]


def periods(partnership: Partnership, chosen: Dataset, frequency: str) -> list[tuple[str, date, date]]:
    """(label, first month, last month) of each period from the first to the last month loaded, oldest first."""
    loaded = live_months(partnership, chosen.source)
    if not loaded:
        return []
    first, last = loaded[0], loaded[-1]
    if frequency == "fy":
        return [
            (fy_label(year), date(year, 4, 1), date(year + 1, 3, 1)) for year in range(fy_of(first), fy_of(last) + 1)
        ]
    if frequency != "rolling12":
        raise ValueError(f"Unknown frequency {frequency!r}: use one of {', '.join(FREQUENCIES)}")
    found = []
    end = add_months(first, 11)
    while end <= last:
        found.append((f"Year ending {end:%B %Y}", add_months(end, -11), end))
        end = add_months(end, 1)
    return found


def gap_series(
    partnership: Partnership, area: PriorityArea, chosen: Dataset, frequency: str = "fy"
) -> GapSeries | None:
    """The priority areas' rate against the rest of the borough (and the whole borough) for each period.

    Periods run from the first to the last month loaded for the dataset's source: financial years (a year with
    fewer than 12 months loaded is marked incomplete) or rolling 12-month windows ending each month. A period with
    no month loaded has no row. None when nothing is loaded.
    """
    spans = periods(partnership, chosen, frequency)
    if not spans:
        return None
    chosen_ids = set(area.lsoas.values_list("pk", flat=True))
    codes = set(geography.lsoas_in(partnership).filter(pk__in=chosen_ids).values_list("code", flat=True))
    rows: list[GapRow] = []
    years: dict[int, int | None] = {}  # population year asked -> used
    source = ""
    unpopulated: set[str] = set()  # priority LSOAs with no population figure in some period
    unpopulated_count = 0
    off_map = 0
    for label, start, end in spans:
        table = rate_selectors.rates(partnership, chosen, start, end, "lsoa")
        if table is None:
            continue
        years[table.population.year_asked] = table.population.year_used
        source = table.population.source or source
        unpopulated_count += table.unpopulated_count
        off_map += table.off_map
        priority_count = 0
        priority_population = 0
        for row in table.rows:
            if row.code not in codes:
                continue
            if row.population is None:
                unpopulated.add(row.code)
                continue
            priority_count += row.count
            priority_population += row.population
        borough_population = table.total_population or 0
        rest_population = borough_population - priority_population
        rest_count = table.total_count - priority_count
        rows.append(
            GapRow(
                label=label,
                start=start,
                end=end,
                months=len(table.months),
                months_with_data=len(table.months_with_data),
                population_year=table.population.year_used,
                priority_count=priority_count,
                priority_population=priority_population or None,
                priority_rate=rate_selectors.rate_per_1000(priority_count, priority_population),
                rest_count=rest_count,
                rest_population=rest_population or None,
                rest_rate=rate_selectors.rate_per_1000(rest_count, rest_population),
                borough_count=table.total_count,
                borough_population=table.total_population,
                borough_rate=table.overall_rate,
            )
        )
    series = GapSeries(
        dataset=chosen,
        frequency=frequency,
        rows=rows,
        chart_periods=[end for _label, _start, end in spans],
        priority_lsoas=len(codes),
    )
    series.flags = _flags(series, len(chosen_ids), years, source, len(unpopulated), unpopulated_count, off_map)
    return series


def _flags(
    series: GapSeries,
    chosen: int,
    years: dict[int, int | None],
    source: str,
    unpopulated_priority: int,
    unpopulated_count: int,
    off_map: int,
) -> list[Flag]:
    flags = []
    incomplete = [row.label for row in series.rows if not row.complete]
    if incomplete:
        flags.append(
            Flag(
                "warning",
                f"Incomplete: {', '.join(incomplete[:6])}{' and more' if len(incomplete) > 6 else ''} "
                f"{'do' if len(incomplete) != 1 else 'does'} not have every month loaded. Their rates cover only the "
                "months with data, so compare them with each other, not with complete periods; the gap % still "
                "compares like with like. They are not on the chart.",
            )
        )
    used = {y for y in years.values() if y is not None}
    if not used:
        flags.append(Flag("warning", "No population estimates are loaded for this area, so no rate can be worked out."))
    else:
        text = f"Residents: mid-{', mid-'.join(str(y) for y in sorted(used))} estimates ({source})."
        nearest = sorted(asked for asked, got in years.items() if got is not None and got != asked)
        if nearest:
            text += (
                f" Periods falling mostly in {', '.join(str(y) for y in nearest)} use the nearest estimate loaded, "
                "as on the rates page."
            )
        flags.append(Flag("warning" if nearest else "info", text))
    if chosen > series.priority_lsoas:
        n = chosen - series.priority_lsoas
        flags.append(
            Flag(
                "warning",
                f"{n} LSOA{'s' if n != 1 else ''} of this priority area {'are' if n != 1 else 'is'} not in the "
                "partnership's area any more and not in these figures.",
            )
        )
    if unpopulated_priority:
        flags.append(
            Flag(
                "warning",
                f"{unpopulated_priority} of the priority LSOAs {'have' if unpopulated_priority != 1 else 'has'} no "
                "population figure: their crimes are in no rate.",
            )
        )
    elif unpopulated_count:
        flags.append(Flag("warning", "Some LSOAs have no population figure: what is placed there is in neither rate."))
    if off_map:
        flags.append(
            Flag(
                "warning",
                f"{off_map:,} {series.noun} across these periods are placed in LSOAs that are not on the 2011 LSOA map "
                "used here and are in neither rate.",
            )
        )
    return flags


# ---- export --------------------------------------------------------------------------------------------------------

Cell = str | int | float | None


def export_rows(
    series: GapSeries, compare: str = "rest", target: float | None = None
) -> tuple[list[str], list[list[Cell]]]:
    """The table as it is on the page, for CSV and Excel (rates and gaps to one decimal place)."""
    other = "Whole borough" if compare == "borough" else "Rest of the borough"
    header = [
        "Period",
        "First month",
        "Last month",
        "Months with data",
        "Months in the period",
        "Residents (mid-year estimate)",
        "Priority areas: count",
        "Priority areas: residents",
        "Priority areas: rate per 1,000",
        "Rest of the borough: count",
        "Rest of the borough: residents",
        "Rest of the borough: rate per 1,000",
        "Whole borough: count",
        "Whole borough: residents",
        "Whole borough: rate per 1,000",
        f"Gap % (priority rate over {other.lower()}'s)",
        f"Difference per 1,000 (priority minus {other.lower()})",
        "Target gap %",
        "Target met",
    ]
    rows: list[list[Cell]] = []
    round1 = rate_selectors.round1
    for r in series.rows:
        met = r.met(target, compare)
        rows.append(
            [
                r.label,
                f"{r.start:%Y-%m}",
                f"{r.end:%Y-%m}",
                r.months_with_data,
                r.months,
                r.population_year,
                r.priority_count,
                r.priority_population,
                round1(r.priority_rate),
                r.rest_count,
                r.rest_population,
                round1(r.rest_rate),
                r.borough_count,
                r.borough_population,
                round1(r.borough_rate),
                round1(r.gap_pct(compare)),
                round1(r.difference(compare)),
                target,
                None if met is None else ("Met" if met else "Not met"),
            ]
        )
    return header, rows
