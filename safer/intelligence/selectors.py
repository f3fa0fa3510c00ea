"""Reads for the analyst's pages: what is loaded, data-quality flags, the month x financial-year heat map."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from safer.core.models import Job, Partnership
from safer.geography import selectors as geography
from safer.intelligence.categories import ASB, CURRENT, HISTORIC, SERIOUS_VIOLENCE, STOP_SEARCH, label
from safer.intelligence.importers.forces import force_name
from safer.intelligence.models import (
    ForceUnlocated,
    HomeForce,
    ImportRun,
    MonthlyCount,
    OutcomeRecord,
    PartnerRecord,
    PartnerSource,
    Rejection,
    RunStatus,
    Source,
    StopSearch,
    StreetRecord,
)

PARTNER_PREFIX = "partner:"

FY_MONTH_ORDER = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Dataset:
    slug: str
    name: str
    categories: list[str] | None  # None: every crime category (never ASB)
    is_asb: bool = False
    source: str = Source.POLICEUK_STREET

    @property
    def is_partner(self) -> bool:
        return self.source.startswith("partner:")

    @property
    def noun(self) -> str:
        """What one counted row is, in the plural: crimes, ASB incidents, searches, or a partner's records."""
        if self.is_partner:
            return "records"
        if self.source == Source.POLICEUK_STOP_SEARCH:
            return "searches"
        return "incidents" if self.is_asb else "crimes"

    @property
    def counted(self) -> str:
        """What a count counts, as a sentence says it: "recorded crimes", "ASB incidents"…"""
        return {
            "crimes": "recorded crimes",
            "incidents": "ASB incidents",
            "searches": "stop and searches",
            "records": "the partner's records",
        }[self.noun]

    @property
    def source_note(self) -> str:
        if self.is_partner:
            return "Source: the partner's files as imported here (partner data, not published open data)."
        if self.source == Source.POLICEUK_STOP_SEARCH:
            return "Source: police.uk stop-and-search data, Open Government Licence v3.0."
        return "Source: police.uk street-level data, Open Government Licence v3.0."


def datasets(partnership: Partnership | None = None) -> list[Dataset]:
    """What the analyst can choose: all recorded crime, ASB incidents, each category; and, given the partnership,
    each of its partner sources."""
    choices = [
        Dataset("all-crime", "All recorded crime (excluding ASB)", None),
        Dataset("asb", "Anti-social behaviour incidents", [ASB], is_asb=True),
        Dataset("stop-and-search", "Stop and search", [STOP_SEARCH], source=Source.POLICEUK_STOP_SEARCH),
        Dataset(
            "serious-violence",
            "Serious violence (police.uk proxy: violence and sexual offences, robbery, possession of weapons)",
            SERIOUS_VIOLENCE,
        ),
    ]
    for text, slug in sorted(CURRENT.items()):
        if slug != ASB:
            choices.append(Dataset(slug, text, [slug]))
    for text, slug in HISTORIC.items():
        choices.append(Dataset(slug, f"{text} (before May 2013)", [slug]))
    if partnership is not None:
        for source in PartnerSource.objects.filter(partnership=partnership).order_by("name"):
            choices.append(partner_dataset(source))
    return choices


def partner_dataset(source: PartnerSource) -> Dataset:
    return Dataset(f"partner-{source.pk}", f"{source.name} (partner data)", None, source=source.key)


def dataset(slug: str, partnership: Partnership | None = None) -> Dataset:
    """A dataset by its slug; partner sources only within their own partnership (404 for anyone else's)."""
    if slug.startswith("partner-") and partnership is not None and slug[8:].isdigit():
        source = PartnerSource.objects.filter(partnership=partnership, pk=int(slug[8:])).first()
        if source is not None:
            return partner_dataset(source)
    for item in datasets():
        if item.slug == slug:
            return item
    raise Http404("No such dataset")


def fy_of(month: date) -> int:
    """The starting year of the financial year (April to March) a month falls in: 2021 for 2021/22."""
    return month.year if month.month >= 4 else month.year - 1


def fy_label(start_year: int) -> str:
    return f"{start_year}/{str(start_year + 1)[-2:]}"


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def is_partner(source: str) -> bool:
    return source.startswith(PARTNER_PREFIX)


def live_months(partnership: Partnership, source: str = Source.POLICEUK_STREET) -> list[date]:
    """The months a source has live data for. A police.uk file covers one month; a partner file covers every month
    from its first row's to its last row's."""
    runs = ImportRun.objects.filter(partnership=partnership, source=source, status=RunStatus.LIVE).exclude(
        month__isnull=True
    )
    if is_partner(source):
        found: set[date] = set()
        for first, last in runs.values_list("month", "month_to"):
            if first is None:
                continue
            month: date = first
            while month <= (last or first):
                found.add(month)
                month = add_months(month, 1)
        return sorted(found)
    months = runs.values_list("month", flat=True).distinct()
    return sorted({m for m in months if m is not None})


def monthly_series(partnership: Partnership, chosen: Dataset, source: str | None = None) -> dict[date, int]:
    """Counts per month for rows placed in the partnership's area (rows with no location are counted apart)."""
    source = source or chosen.source
    qs = MonthlyCount.objects.filter(partnership=partnership, source=source)
    if not is_partner(source):
        # police.uk rows with no location may lie anywhere in the force; a partner's rows are all the area's own.
        qs = qs.filter(lsoa__isnull=False)
    qs = qs.exclude(category=ASB) if chosen.categories is None else qs.filter(category__in=chosen.categories)
    totals = {row["month"]: row["n"] for row in qs.values("month").annotate(n=Sum("count")).order_by()}
    # A loaded month with no rows of this kind is a real zero; a month not loaded stays absent ("no data").
    return {month: totals.get(month, 0) for month in live_months(partnership, source)}


@dataclass
class HeatCell:
    month: date
    count: int | None
    band: int  # 0 = no data, 1..5 = quintile band of this table's values


@dataclass
class HeatRow:
    month_name: str
    cells: list[HeatCell]
    average: float | None


@dataclass
class HeatMap:
    dataset: Dataset
    years: list[int]
    rows: list[HeatRow]
    totals: list[int | None]
    months_present: list[int]
    averages_total: float | None
    bands: list[tuple[int, int] | None] = field(default_factory=list)  # the key: each band's lowest and highest

    @property
    def year_labels(self) -> list[str]:
        return [fy_label(y) for y in self.years]


def heat_map(partnership: Partnership, chosen: Dataset) -> HeatMap | None:
    """The seed's Appendix B: months down, financial years across, yearly totals and monthly averages."""
    series = monthly_series(partnership, chosen)
    if not series:
        return None
    years = list(range(fy_of(min(series)), fy_of(max(series)) + 1))
    values = sorted(v for v in series.values())
    bands = _quintile_bounds(values)
    rows = []
    for month_number in FY_MONTH_ORDER:
        cells = []
        for year in years:
            month = date(year if month_number >= 4 else year + 1, month_number, 1)
            count = series.get(month)
            cells.append(HeatCell(month, count, _band(count, bands)))
        present = [c.count for c in cells if c.count is not None]
        rows.append(HeatRow(MONTH_NAMES[month_number - 1], cells, statistics.fmean(present) if present else None))
    totals: list[int | None] = []
    months_present = []
    for i, _year in enumerate(years):
        column = [c.count for c in (row.cells[i] for row in rows) if c.count is not None]
        totals.append(sum(column) if column else None)
        months_present.append(len(column))
    complete = [t for t, n in zip(totals, months_present, strict=True) if t is not None and n == 12]
    return HeatMap(
        dataset=chosen,
        years=years,
        rows=rows,
        totals=totals,
        months_present=months_present,
        averages_total=statistics.fmean(complete) if complete else None,
        bands=bands,
    )


def _quintile_bounds(values: list[int]) -> list[tuple[int, int] | None]:
    """The lowest and highest value in each of the five bands of a table's values (sorted): fifths of the values, a
    tie taking the band where its run starts, so that equal counts share a colour, no count is in two bands and the
    key's ranges never overlap. A band no count falls in is None (left out of the key)."""
    if not values:
        return []
    ordered = sorted(values)
    first: dict[int, int] = {}
    for index, value in enumerate(ordered):
        first.setdefault(value, index)
    bounds: list[tuple[int, int] | None] = [None] * 5
    for value, index in first.items():  # in rising order of value
        band = index * 5 // len(ordered)
        low_high = bounds[band]
        bounds[band] = (value, value) if low_high is None else (low_high[0], value)
    return bounds


def _band(count: int | None, bounds: list[tuple[int, int] | None]) -> int:
    """The band (1 to 5) of a count, by the key: the highest band whose lowest value it reaches; 0 for no data."""
    if count is None:
        return 0
    for index in range(len(bounds) - 1, -1, -1):
        low_high = bounds[index]
        if low_high is not None and count >= low_high[0]:
            return index + 1
    return 1


@dataclass(frozen=True)
class Flag:
    level: str  # "warning" or "info"
    text: str


def quality_flags(partnership: Partnership, chosen: Dataset | None = None) -> list[Flag]:
    """Data-quality flags shown wherever the data is used."""
    flags: list[Flag] = []
    source = chosen.source if chosen is not None else Source.POLICEUK_STREET
    months = live_months(partnership, source)
    if not months:
        if is_partner(source):
            return [Flag("warning", "No file has been imported for this partner source yet.")]
        what = "stop-and-search" if source == Source.POLICEUK_STOP_SEARCH else "police.uk"
        return [Flag("warning", f"No {what} data has been imported for this partnership yet.")]
    expected = []
    month = months[0]
    while month <= months[-1]:
        expected.append(month)
        month = add_months(month, 1)
    missing = [m for m in expected if m not in set(months)]
    if missing:
        shown = ", ".join(f"{m:%B %Y}" for m in missing[:6]) + (" and more" if len(missing) > 6 else "")
        flags.append(
            Flag(
                "warning",
                f"{len(missing)} month{'s' if len(missing) != 1 else ''} missing between "
                f"{months[0]:%B %Y} and {months[-1]:%B %Y}: {shown}. They show as 'no data', "
                "not zero.",
            )
        )
    if (
        source == Source.POLICEUK_STREET
        and months[-1] >= date(2023, 6, 1)
        and not geography.has_lsoa_changes(partnership)
    ):
        flags.append(
            Flag(
                "warning",
                "police.uk months from June 2023 use 2021 LSOA codes. LSOAs that were split, merged or redesigned in "
                "2021 have new codes, and their rows are counted as outside the area until the ONS LSOA (2011) to "
                "LSOA (2021) lookup is loaded (manage.py import_geography --lsoa-changes FILE), then the months "
                "imported again.",
            )
        )
    today = timezone.localdate().replace(day=1)
    behind = (today.year - months[-1].year) * 12 + today.month - months[-1].month
    if behind > 3:
        flags.append(
            Flag(
                "warning",
                f"The newest month loaded is {months[-1]:%B %Y}, {behind} months ago: "
                "the source may have stopped sending, or the latest months are not imported.",
            )
        )
    if chosen is not None:
        series = monthly_series(partnership, chosen)
        for month, count, median in _outliers(series):
            flags.append(
                Flag(
                    "warning",
                    f"{month:%B %Y}: {count:,} is far from the usual level (median of the "
                    f"12 months around it: {median:,.0f}). Check the source before using it.",
                )
            )
    runs = ImportRun.objects.filter(partnership=partnership, source=source, status=RunStatus.LIVE).aggregate(
        read=Sum("rows_read"),
        no_location=Sum("rows_no_location"),
        outside=Sum("rows_outside_area"),
        imported=Sum("rows_imported"),
    )
    if runs["no_location"] and is_partner(source):
        share = runs["no_location"] / max(1, runs["read"] or 0) * 100
        where = (
            "They are counted in the monthly totals (the partner recorded them in the area) but not in any ward, LSOA, "
            "map or rate."
        )
        flags.append(
            Flag("info", f"{runs['no_location']:,} rows ({share:.1f}% of rows read) have no location. {where}")
        )
    elif not is_partner(source):
        chosen_categories = chosen.categories if chosen else None
        for context in force_unlocated(partnership, source, categories=chosen_categories, every_kind=chosen is None):
            flags.append(Flag("info", context.sentence("in the months loaded")))
    if runs["outside"]:
        flags.append(
            Flag(
                "info",
                f"{runs['outside']:,} rows in the imported files lie outside the partnership's area and were skipped.",
            )
        )
    return flags


@dataclass(frozen=True)
class ForceContext:
    """A force's rows with no location in the months an area has loaded: context for the area, never its count."""

    force: str  # the force's name
    count: int

    def sentence(self, when: str) -> str:
        rows = "row" if self.count == 1 else "rows"
        return (
            f"{self.force} had {self.count:,} {rows} with no location {when}. police.uk does not say where they "
            "happened, so some may be in this area; they belong to the force as a whole and are in none of these "
            "figures."
        )


def force_unlocated(
    partnership: Partnership,
    source: str,
    start: date | None = None,
    end: date | None = None,
    categories: list[str] | None = None,
    *,
    every_kind: bool = False,
) -> list[ForceContext]:
    """For each force whose files the area has live (in the months from ``start`` to ``end``), its rows with no
    location in those months, of these categories (None: every crime category, ASB apart, as the pages count; or
    every row, ASB too, with ``every_kind``)."""
    runs = ImportRun.objects.filter(partnership=partnership, source=source, status=RunStatus.LIVE)
    if start is not None:
        runs = runs.filter(month__gte=start)
    if end is not None:
        runs = runs.filter(month__lte=end)
    months_by_force: dict[str, set[date]] = {}
    for force, month in runs.exclude(force="").values_list("force", "month"):
        if month is not None:
            months_by_force.setdefault(force, set()).add(month)
    found = []
    for force, months in sorted(months_by_force.items()):
        rows = ForceUnlocated.objects.filter(source=source, force=force, month__in=months)
        if source == Source.POLICEUK_STREET and not every_kind:
            rows = rows.exclude(category=ASB) if categories is None else rows.filter(category__in=categories)
        count = rows.aggregate(n=Sum("count"))["n"] or 0
        if count:
            found.append(ForceContext(force_name(force), count))
    return found


def same_file_names(run: ImportRun) -> list[str]:
    """Other imports of the very same file (its fingerprint) into the area, under whatever name: at most one is
    ever live, so it is never counted twice."""
    if not run.sha256:
        return []
    others = ImportRun.objects.filter(partnership=run.partnership, source=run.source, sha256=run.sha256).exclude(
        pk=run.pk
    )
    return [
        f"{other.file_name}, imported {timezone.localtime(other.created_at):%-d %B %Y}"
        for other in others.order_by("created_at")[:5]
    ]


def home_force(partnership: Partnership) -> HomeForce | None:
    return HomeForce.objects.filter(partnership=partnership).first()


def _outliers(series: dict[date, int]) -> list[tuple[date, int, float]]:
    """Months whose count is under half or over double the median of the surrounding 12 months."""
    found = []
    months = sorted(series)
    for month in months:
        window = [
            series[m] for m in months if m != month and abs((m.year - month.year) * 12 + m.month - month.month) <= 6
        ]
        if len(window) < 6:
            continue
        median = statistics.median(window)
        count = series[month]
        if median >= 20 and (count < median / 2 or count > median * 2):
            found.append((month, count, median))
    return found


def runs_of(partnership: Partnership) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(partnership=partnership).select_related("created_by")


def runs_of_job(partnership: Partnership, job: Job) -> QuerySet[ImportRun]:
    """The files a background import took, in the order it took them."""
    return runs_of(partnership).filter(job=job).order_by("pk")


def run_of(partnership: Partnership, run_id: int) -> ImportRun:
    try:
        return runs_of(partnership).get(pk=run_id)
    except ImportRun.DoesNotExist as exc:
        raise Http404("No such import") from exc


def rejections_of(run: ImportRun) -> QuerySet[Rejection]:
    return Rejection.objects.filter(run=run)


def rejections_not_kept(run: ImportRun, kept: int | None = None) -> int:
    """How many of a run's rejected rows are counted but not listed (only the first SAFER_MAX_REJECTIONS_KEPT are
    kept). ``kept``: the rows kept, where the caller has counted them already."""
    if kept is None:
        kept = rejections_of(run).count()
    return max(0, run.rows_rejected - kept)


def searches_for_cell(partnership: Partnership, month: date) -> QuerySet[StopSearch]:
    """The stop-and-search rows behind one heat-map cell."""
    return (
        StopSearch.objects.filter(partnership=partnership, month=month, run__status=RunStatus.LIVE, lsoa__isnull=False)
        .select_related("lsoa", "run")
        .order_by("searched_at", "line")
    )


def records_for_cell(partnership: Partnership, chosen: Dataset, month: date) -> QuerySet[StreetRecord]:
    """The rows behind one heat-map cell ("how was this counted")."""
    qs = StreetRecord.objects.filter(
        partnership=partnership, month=month, run__status=RunStatus.LIVE, lsoa__isnull=False
    ).select_related("lsoa")
    qs = qs.exclude(category=ASB) if chosen.categories is None else qs.filter(category__in=chosen.categories)
    return qs.order_by("lsoa__code", "category", "line")


def partner_records_for_cell(partnership: Partnership, chosen: Dataset, month: date) -> QuerySet[PartnerRecord]:
    """The partner rows behind one heat-map cell, with the file and line each came from."""
    qs = PartnerRecord.objects.filter(
        partnership=partnership, source__partnership=partnership, month=month, run__status=RunStatus.LIVE
    ).filter(run__source=chosen.source)
    return qs.select_related("lsoa", "ward").order_by("occurred_on", "line")


def category_ranking(
    partnership: Partnership, start: date, end: date, source: str = Source.POLICEUK_STREET
) -> list[tuple[str, int]]:
    """Most prevalent categories in a period (inclusive months), ASB listed apart by the caller: police.uk's, or a
    partner source's own (its file's category column)."""
    rows = (
        MonthlyCount.objects.filter(
            partnership=partnership,
            source=source,
            month__gte=start,
            month__lte=end,
            lsoa__isnull=False,
        )
        .values("category")
        .annotate(n=Sum("count"))
        .order_by("-n")
    )
    return [(label(r["category"]), r["n"]) for r in rows]


@dataclass(frozen=True)
class Comparison:
    label: str
    value: float | None
    change_pct: float | None  # change from this comparison to the current period


@dataclass
class Trend:
    dataset: Dataset
    points: list[tuple[date, int | None]]  # every month from first to last; None = no data
    rolling: list[tuple[date, int | None]]  # 12-month rolling totals, None where any of the 12 is missing
    period_label: str
    current: int | None
    comparisons: list[Comparison]
    ranking: list[tuple[str, int]]


def _pct(current: int | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous * 100


def trend(partnership: Partnership, chosen: Dataset) -> Trend | None:
    """Monthly series, rolling 12 months, financial year to date against last year and the 3-year average."""
    series = monthly_series(partnership, chosen)
    if not series:
        return None
    first, last = min(series), max(series)
    points: list[tuple[date, int | None]] = []
    month = first
    while month <= last:
        points.append((month, series.get(month)))
        month = add_months(month, 1)
    rolling: list[tuple[date, int | None]] = []
    for index, (month, _count) in enumerate(points):
        window = [c for _m, c in points[max(0, index - 11) : index + 1]]
        rolling.append(
            (month, sum(c for c in window if c is not None) if len(window) == 12 and None not in window else None)
        )
    fy = fy_of(last)
    months_in = [add_months(date(fy, 4, 1), i) for i in range((last.year - fy) * 12 + last.month - 4 + 1)]

    def total(year_offset: int) -> int | None:
        values = [series.get(add_months(m, -12 * year_offset)) for m in months_in]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    current = total(0)
    last_year = total(1)
    previous_three = [total(k) for k in (1, 2, 3)]
    three_year = statistics.fmean(v for v in previous_three if v is not None) if None not in previous_three else None
    span = f"{months_in[0]:%B %Y} to {months_in[-1]:%B %Y}" if len(months_in) > 1 else f"{months_in[0]:%B %Y}"
    comparisons = [
        Comparison(f"Same months of {fy_label(fy - 1)}", last_year, _pct(current, last_year)),
        Comparison(
            f"Average of the same months in {fy_label(fy - 3)} to {fy_label(fy - 1)}",
            three_year,
            _pct(current, three_year),
        ),
    ]
    start_12 = add_months(last, -11)
    if chosen.is_partner:
        ranking = category_ranking(partnership, start_12, last, chosen.source)
    elif chosen.source == Source.POLICEUK_STOP_SEARCH:
        ranking = []  # one category: nothing to rank
    else:
        ranking = [
            (name, n)
            for name, n in category_ranking(partnership, start_12, last)
            if chosen.is_asb or name != label(ASB)
        ]
    return Trend(
        dataset=chosen,
        points=points,
        rolling=rolling,
        period_label=f"{fy_label(fy)} to date ({span})",
        current=current,
        comparisons=comparisons,
        ranking=ranking,
    )


def latest_outcomes(partnership: Partnership, crime_ids: list[str]) -> dict[str, tuple[date, str]]:
    """The latest outcome from imported outcomes files for each crime, where there is one."""
    latest: dict[str, tuple[date, str]] = {}
    rows = (
        OutcomeRecord.objects.filter(
            partnership=partnership, crime_id__in=[c for c in crime_ids if c], run__status=RunStatus.LIVE
        )
        .order_by("crime_id", "month", "line")
        .values_list("crime_id", "month", "outcome")
    )
    for crime_id, month, outcome in rows:
        latest[crime_id] = (month, outcome)
    return latest
