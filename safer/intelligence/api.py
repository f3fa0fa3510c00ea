"""The analysis API: datasets, heat map, trends, rates per 1,000, priority-neighbourhood gaps, hot spots and imports.

Each operation reads through the selectors the analyst's pages use (``selectors``, ``rates``, ``priority``,
``hotspots``), so its numbers are the pages'. Who may call it is who may open the pages: the "intelligence" area's
roles (analyst, manager, partnership admin) read; analysts and partnership admins ("intelligence_import") start an
import. Others in the partnership get 403; another partnership's dataset, priority area, import or job is a 404.

Tables answer a page at a time in ``{"count", "page", "page_size", "items"}`` with the figures' context beside
(dataset, period, data-quality flags), and as CSV on ``Accept: text/csv`` (``safer.api.tables``).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from ninja.params import functions as param_functions

from safer.api.schemas import AUTH_ERRORS, INPUT_ERRORS, QUERY_INT, ErrorOut
from safer.api.scoping import require_area, working_request
from safer.api.tables import CSV_NOTE, Paged, PageQuery, PartnershipId, answer, documented, page_of
from safer.core import selectors as core_selectors
from safer.core.http import PartnershipRequest
from safer.core.jobs import recover_interrupted
from safer.core.models import JobStatus
from safer.intelligence import hotspots as hs
from safer.intelligence import priority, selectors
from safer.intelligence import rates as rate_selectors
from safer.intelligence.forms import PoliceUkUploadForm
from safer.intelligence.models import ImportRun, RunStatus
from safer.intelligence.tasks import IMPORT_JOB_KINDS
from safer.intelligence.uploads import start_policeuk_upload

router = Router(tags=["intelligence"])

ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS}

DatasetSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=80,
        pattern=r"^[a-z0-9-]+$",
        description="A dataset's slug from /api/intelligence/datasets (404 for one you cannot see)",
    ),
]
Month = Annotated[str, Field(pattern=r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", description="A month, like 2021-08")]
FinancialYear = Annotated[
    int, Field(ge=2000, le=2100, description="The year a financial year starts in: 2021 for April 2021 to March 2022")
]
Id = Annotated[int, Field(ge=1), QUERY_INT]
JobId = Annotated[
    str, Field(pattern=r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
]


def _analysis(request: HttpRequest, partnership: int | None, area: str = "intelligence") -> PartnershipRequest:
    working = working_request(request, partnership)
    require_area(working, area)
    return working


def _month(text: str | None) -> date | None:
    return None if text is None else date(int(text[:4]), int(text[5:7]), 1)


def _number(value: float | None) -> float | None:
    """A figure as JSON can carry it: NaN (no statistic) becomes null."""
    return None if value is None or math.isnan(value) else value


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


# --- shared schemas -----------------------------------------------------------------------------------------------


class FlagOut(Schema):
    """A data-quality flag, as the pages show it beside the figures."""

    level: Literal["warning", "info"]
    text: str


class DatasetRef(Schema):
    slug: str
    name: str


def _flags(flags: list[selectors.Flag]) -> list[FlagOut]:
    return [FlagOut(level="info" if f.level == "info" else "warning", text=f.text) for f in flags]


def _ref(chosen: selectors.Dataset) -> DatasetRef:
    return DatasetRef(slug=chosen.slug, name=chosen.name)


class DatasetQuery(PageQuery):
    dataset: DatasetSlug = "all-crime"


FLAG_EXAMPLE = {"level": "warning", "text": "1 month missing between December 2019 and July 2022: March 2020."}


# --- datasets -----------------------------------------------------------------------------------------------------


class DatasetOut(Schema):
    slug: str
    name: str
    counted: str = Field(description='What a count counts: "recorded crimes", "ASB incidents"…')
    is_partner: bool = Field(description="A partner's own data, imported here (not published open data)")


@router.get(
    "/intelligence/datasets",
    response={200: Paged[DatasetOut], **ERRORS},
    operation_id="list_datasets",
    summary="What the figures can be counted for",
    description="All recorded crime, ASB, stop and search, serious violence, each police.uk category, and your "
    "partnership's partner sources: the `dataset` of the other analysis operations." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 21,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "slug": "all-crime",
                    "name": "All recorded crime (excluding ASB)",
                    "counted": "recorded crimes",
                    "is_partner": False,
                }
            ],
        },
        "slug,name,counted,is_partner\r\nall-crime,All recorded crime (excluding ASB),recorded crimes,false\r\n",
    ),
)
def list_datasets(request: HttpRequest, query: Query[PageQuery]) -> Paged[DatasetOut] | HttpResponse:
    working = _analysis(request, query.partnership)
    rows = [
        DatasetOut(slug=d.slug, name=d.name, counted=d.counted, is_partner=d.is_partner)
        for d in selectors.datasets(working.partnership)
    ]
    count, items = page_of(rows, query)
    body = Paged[DatasetOut](count=count, page=query.page, page_size=query.page_size, items=items)
    return answer(request, body, DatasetOut, f"datasets-{working.partnership.slug}")


# --- heat map -----------------------------------------------------------------------------------------------------


class HeatMapQuery(DatasetQuery):
    financial_year: Annotated[FinancialYear, QUERY_INT] | None = Field(
        default=None, description="Only this financial year's months (its starting year: 2021 for 2021/22)"
    )


class HeatCellOut(Schema):
    """One month's count: null when the month is not loaded ("no data", which is not zero)."""

    month: date = Field(description="The month's first day")
    financial_year: str = Field(description="Like 2021/22 (April to March)")
    count: int | None
    band: int = Field(description="1 (lowest fifth of this table's months) to 5 (highest); 0 for no data")


class HeatYearOut(Schema):
    financial_year: str
    start_year: int
    total: int | None
    months_with_data: int


class HeatMapOut(Paged[HeatCellOut]):
    """The heat map's months, oldest first, with each financial year's total and the flags shown beside it."""

    dataset: DatasetRef
    years: list[HeatYearOut]
    average_year: float | None = Field(description="The average total of the complete financial years")
    flags: list[FlagOut]


@router.get(
    "/intelligence/heat-map",
    response={200: HeatMapOut, **ERRORS},
    operation_id="get_heat_map",
    summary="Counts per month by financial year: the heat map",
    description="The heat map page's figures: each month's count of the dataset in the partnership's area (rows "
    "with no location are not counted), with each financial year's total and the page's data-quality flags. "
    "`financial_year` keeps one year's months." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 12,
            "page": 1,
            "page_size": 100,
            "items": [{"month": "2021-04-01", "financial_year": "2021/22", "count": 148, "band": 2}],
            "dataset": {"slug": "all-crime", "name": "All recorded crime (excluding ASB)"},
            "years": [{"financial_year": "2021/22", "start_year": 2021, "total": 1873, "months_with_data": 12}],
            "average_year": 1873.0,
            "flags": [FLAG_EXAMPLE],
        },
        "month,financial_year,count,band\r\n2021-04-01,2021/22,148,2\r\n2021-05-01,2021/22,,0\r\n",
    ),
)
def get_heat_map(request: HttpRequest, query: Query[HeatMapQuery]) -> HeatMapOut | HttpResponse:
    working = _analysis(request, query.partnership)
    chosen = selectors.dataset(query.dataset, working.partnership)
    table = selectors.heat_map(working.partnership, chosen)
    cells: list[HeatCellOut] = []
    years: list[HeatYearOut] = []
    if table is not None:
        for index, year in enumerate(table.years):
            if query.financial_year not in (None, year):
                continue
            label = selectors.fy_label(year)
            years.append(HeatYearOut(financial_year=label, start_year=year, total=table.totals[index],
                                     months_with_data=table.months_present[index]))  # fmt: skip
            for row in table.rows:
                cell = row.cells[index]
                cells.append(HeatCellOut(month=cell.month, financial_year=label, count=cell.count, band=cell.band))
    cells.sort(key=lambda c: c.month)
    count, items = page_of(cells, query)
    body = HeatMapOut(
        count=count,
        page=query.page,
        page_size=query.page_size,
        items=items,
        dataset=_ref(chosen),
        years=years,
        average_year=table.averages_total if table is not None else None,
        flags=_flags(selectors.quality_flags(working.partnership, chosen)),
    )
    return answer(request, body, HeatCellOut, f"heat-map-{chosen.slug}-{working.partnership.slug}")


# --- trends -------------------------------------------------------------------------------------------------------


class TrendPointOut(Schema):
    month: date
    count: int | None = Field(description="null: the month is not loaded")
    rolling_12_months: int | None = Field(description="The 12 months to this one; null when any of them is missing")


class ComparisonOut(Schema):
    label: str
    value: float | None
    change_pct: float | None = Field(description="The change from this figure to the current period's, in %")


class CategoryOut(Schema):
    category: str
    count: int


class TrendOut(Paged[TrendPointOut]):
    """Every month from the first loaded to the last, and the trends page's comparisons."""

    dataset: DatasetRef
    period_label: str | None = Field(description="The financial year to date that `current` counts")
    current: int | None
    comparisons: list[ComparisonOut]
    categories: list[CategoryOut] = Field(description="The most prevalent categories in the latest 12 months")
    flags: list[FlagOut]


@router.get(
    "/intelligence/trends",
    response={200: TrendOut, **ERRORS},
    operation_id="get_trends",
    summary="The monthly series with rolling 12 months, and this year against earlier years",
    description="The trends page's figures: each month's count, the rolling 12-month total, the financial year to "
    "date against the same months last year and the 3-year average, and the categories ranked." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 32,
            "page": 1,
            "page_size": 100,
            "items": [{"month": "2021-04-01", "count": 148, "rolling_12_months": 1790}],
            "dataset": {"slug": "all-crime", "name": "All recorded crime (excluding ASB)"},
            "period_label": "2022/23 to date (April 2022 to July 2022)",
            "current": 655,
            "comparisons": [{"label": "Same months of 2021/22", "value": 610.0, "change_pct": 7.38}],
            "categories": [{"category": "Violence and sexual offences", "count": 702}],
            "flags": [],
        },
        "month,count,rolling_12_months\r\n2021-04-01,148,1790\r\n",
    ),
)
def get_trends(request: HttpRequest, query: Query[DatasetQuery]) -> TrendOut | HttpResponse:
    working = _analysis(request, query.partnership)
    chosen = selectors.dataset(query.dataset, working.partnership)
    result = selectors.trend(working.partnership, chosen)
    points: list[TrendPointOut] = []
    if result is not None:
        rolling = dict(result.rolling)
        points = [TrendPointOut(month=m, count=c, rolling_12_months=rolling.get(m)) for m, c in result.points]
    count, items = page_of(points, query)
    body = TrendOut(
        count=count,
        page=query.page,
        page_size=query.page_size,
        items=items,
        dataset=_ref(chosen),
        period_label=result.period_label if result else None,
        current=result.current if result else None,
        comparisons=[
            ComparisonOut(label=c.label, value=c.value, change_pct=c.change_pct)
            for c in (result.comparisons if result else [])
        ],
        categories=[CategoryOut(category=name, count=n) for name, n in (result.ranking if result else [])],
        flags=_flags(selectors.quality_flags(working.partnership, chosen)),
    )
    return answer(request, body, TrendPointOut, f"trend-{chosen.slug}-{working.partnership.slug}")


# --- rates --------------------------------------------------------------------------------------------------------


class PeriodQuery(DatasetQuery):
    start: Month | None = Field(default=None, description="The first month (the latest 12 months loaded if neither)")
    end: Month | None = Field(default=None, description="The last month, the same as or after `start`")


class RatesQuery(PeriodQuery):
    level: Literal["lsoa", "ward"] = "lsoa"


class RateRowOut(Schema):
    code: str
    name: str
    parent: str = Field(description="An LSOA's ward, a ward's district")
    lsoas: int
    count: int
    population: int | None
    rate: float | None = Field(description="Per 1,000 residents in the period")
    annualised: float | None = Field(description="Per 1,000 residents a year: rate x 12 / months with data")
    ratio: float | None = Field(description="The rate over the partnership's rate")
    band: int = Field(description="1 to 5: the fifth of the areas' rates it falls in (the map's colours); 0: no rate")
    imd_decile: int | None = Field(description="An LSOA's IMD decile; a ward's most deprived LSOA's")
    imd_rank: int | None
    deprived_lsoas: int | None = Field(description="A ward's LSOAs in IMD deciles 1 to 2")


class RatesOut(Paged[RateRowOut]):
    """Each area's count, residents and rate per 1,000, highest rate first, with the partnership's own."""

    dataset: DatasetRef
    level: Literal["lsoa", "ward"]
    start: date | None
    end: date | None
    months: int
    months_with_data: int
    total_count: int
    total_population: int | None
    overall_rate: float | None
    overall_annualised: float | None
    no_location: int = Field(description="Rows with no location: in no area and no rate")
    population_year: int | None = Field(description="The ONS mid-year estimate used")
    flags: list[FlagOut]


def _period(working: PartnershipRequest, chosen: selectors.Dataset, query: PeriodQuery) -> tuple[date, date] | None:
    """The period asked for, completed as the rates page completes it (the latest 12 months loaded by default)."""
    start, end = _month(query.start), _month(query.end)
    if start and end and start > end:
        raise _invalid("end", "The last month must be the same as or after the first month")
    latest = rate_selectors.default_period(working.partnership, chosen.source)
    if start is None and end is None:
        return latest
    if end is None:
        assert start is not None
        return start, max(start, latest[1]) if latest else start
    if start is None:
        return selectors.add_months(end, -11), end
    return start, end


@router.get(
    "/intelligence/rates",
    response={200: RatesOut, **ERRORS},
    operation_id="get_rates",
    summary="Rates per 1,000 residents by LSOA or ward",
    description="The rates page's table for a dataset and period: population-weighted rates, annualised, the "
    "ratio to the partnership's rate and deprivation. 422 when `end` is before `start`." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 36,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "code": "E01025977",
                    "name": "Oadby and Wigston 006C",
                    "parent": "Wigston All Saints",
                    "lsoas": 1,
                    "count": 322,
                    "population": 1694,
                    "rate": 190.08,
                    "annualised": 190.08,
                    "ratio": 3.1,
                    "band": 5,
                    "imd_decile": 3,
                    "imd_rank": 8512,
                    "deprived_lsoas": None,
                }
            ],
            "dataset": {"slug": "all-crime", "name": "All recorded crime (excluding ASB)"},
            "level": "lsoa",
            "start": "2021-08-01",
            "end": "2022-07-01",
            "months": 12,
            "months_with_data": 12,
            "total_count": 3510,
            "total_population": 57210,
            "overall_rate": 61.35,
            "overall_annualised": 61.35,
            "no_location": 0,
            "population_year": 2021,
            "flags": [],
        },
        "code,name,parent,lsoas,count,population,rate,annualised,ratio,band,imd_decile,imd_rank,deprived_lsoas\r\n"
        "E01025977,Oadby and Wigston 006C,Wigston All Saints,1,322,1694,190.08,190.08,3.1,5,3,8512,\r\n",
    ),
)
def get_rates(request: HttpRequest, query: Query[RatesQuery]) -> RatesOut | HttpResponse:
    working = _analysis(request, query.partnership)
    chosen = selectors.dataset(query.dataset, working.partnership)
    period = _period(working, chosen, query)
    table = rate_selectors.rates(working.partnership, chosen, *period, query.level) if period else None
    rows = [
        RateRowOut(
            code=r.code,
            name=r.name,
            parent=r.parent,
            lsoas=r.lsoas,
            count=r.count,
            population=r.population,
            rate=r.rate,
            annualised=r.annualised,
            ratio=r.ratio,
            band=r.band,
            imd_decile=r.imd_decile,
            imd_rank=r.imd_rank,
            deprived_lsoas=r.deprived_lsoas,
        )
        for r in (table.rows if table else [])
    ]
    count, items = page_of(rows, query)
    body = RatesOut(
        count=count,
        page=query.page,
        page_size=query.page_size,
        items=items,
        dataset=_ref(chosen),
        level=query.level,
        start=period[0] if period else None,
        end=period[1] if period else None,
        months=len(table.months) if table else 0,
        months_with_data=len(table.months_with_data) if table else 0,
        total_count=table.total_count if table else 0,
        total_population=table.total_population if table else None,
        overall_rate=table.overall_rate if table else None,
        overall_annualised=table.overall_annualised if table else None,
        no_location=table.no_location if table else 0,
        population_year=table.population.year_used if table else None,
        flags=_flags([*selectors.quality_flags(working.partnership, chosen), *(table.flags if table else [])]),
    )
    name = f"rates-{chosen.slug}-{query.level}-{working.partnership.slug}"
    return answer(request, body, RateRowOut, name)


# --- priority neighbourhoods --------------------------------------------------------------------------------------


class PriorityAreaOut(Schema):
    id: int
    name: str
    description: str
    lsoas: int = Field(description="How many LSOAs the area is made of")


@router.get(
    "/intelligence/priority-areas",
    response={200: Paged[PriorityAreaOut], **ERRORS},
    operation_id="list_priority_areas",
    summary="The partnership's priority neighbourhoods",
    description="Each set of LSOAs the analysts named, by name: the `area_id` of the gap operation." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 1,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "id": 3,
                    "name": "South Wigston and Wigston All Saints",
                    "description": "Neighbouring wards with three of the borough's five most deprived LSOAs",
                    "lsoas": 9,
                }
            ],
        },
        "id,name,description,lsoas\r\n3,South Wigston and Wigston All Saints,Neighbouring wards,9\r\n",
    ),
)
def list_priority_areas(request: HttpRequest, query: Query[PageQuery]) -> Paged[PriorityAreaOut] | HttpResponse:
    working = _analysis(request, query.partnership)
    count, areas = page_of(priority.areas_of(working.partnership), query)
    items = [
        PriorityAreaOut(id=a.pk, name=a.name, description=a.description, lsoas=getattr(a, "lsoa_count", 0))
        for a in areas
    ]
    body = Paged[PriorityAreaOut](count=count, page=query.page, page_size=query.page_size, items=items)
    return answer(request, body, PriorityAreaOut, f"priority-areas-{working.partnership.slug}")


class GapQuery(DatasetQuery):
    frequency: Literal["fy", "rolling12"] = Field(default="fy", description="Financial years, or rolling 12 months")
    compare: Literal["rest", "borough"] = Field(
        default="rest", description="The rest of the borough, or the whole borough (priority areas included)"
    )


class GapRowOut(Schema):
    label: str
    start: date
    end: date = Field(description="The period's last month")
    months: int
    months_with_data: int
    complete: bool = Field(description="Every month of the period is loaded")
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
    gap_pct: float | None = Field(description="(priority rate - the compared rate) / the compared rate x 100")
    difference: float | None = Field(description="Priority rate - the compared rate, per 1,000 residents")


class AreaRef(Schema):
    id: int
    name: str


class GapsOut(Paged[GapRowOut]):
    """The priority area's rate against the rest (or the whole) of the borough, period by period."""

    area: AreaRef
    dataset: DatasetRef
    frequency: Literal["fy", "rolling12"]
    compare: Literal["rest", "borough"]
    priority_lsoas: int
    flags: list[FlagOut]


@router.get(
    "/intelligence/priority-areas/{area_id}/gaps",
    response={200: GapsOut, **ERRORS},
    operation_id="get_priority_gaps",
    summary="A priority neighbourhood's gap to the rest of the borough",
    description="The priority area page's table: population-weighted rates per 1,000 for the area, the rest and the "
    "whole borough, and the gap, per financial year or rolling 12 months. 404 for an area of another "
    "partnership." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 1,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "label": "2021/22",
                    "start": "2021-04-01",
                    "end": "2022-03-01",
                    "months": 12,
                    "months_with_data": 12,
                    "complete": True,
                    "population_year": 2021,
                    "priority_count": 900,
                    "priority_population": 12000,
                    "priority_rate": 75.0,
                    "rest_count": 2600,
                    "rest_population": 45000,
                    "rest_rate": 57.78,
                    "borough_count": 3500,
                    "borough_population": 57000,
                    "borough_rate": 61.4,
                    "gap_pct": 29.8,
                    "difference": 17.22,
                }
            ],
            "area": {"id": 3, "name": "South Wigston and Wigston All Saints"},
            "dataset": {"slug": "all-crime", "name": "All recorded crime (excluding ASB)"},
            "frequency": "fy",
            "compare": "rest",
            "priority_lsoas": 9,
            "flags": [],
        },
        "label,start,end,months,months_with_data,complete,population_year,priority_count,priority_population,"
        "priority_rate,rest_count,rest_population,rest_rate,borough_count,borough_population,borough_rate,gap_pct,"
        "difference\r\n2021/22,2021-04-01,2022-03-01,12,12,true,2021,900,12000,75.0,2600,45000,57.78,3500,57000,"
        "61.4,29.8,17.22\r\n",
    ),
)
def get_priority_gaps(request: HttpRequest, area_id: Path[Id], query: Query[GapQuery]) -> GapsOut | HttpResponse:
    working = _analysis(request, query.partnership)
    area = priority.area_of(working.partnership, area_id)
    chosen = selectors.dataset(query.dataset, working.partnership)
    series = priority.gap_series(working.partnership, area, chosen, query.frequency)
    rows = [
        GapRowOut(
            label=r.label,
            start=r.start,
            end=r.end,
            months=r.months,
            months_with_data=r.months_with_data,
            complete=r.complete,
            population_year=r.population_year,
            priority_count=r.priority_count,
            priority_population=r.priority_population,
            priority_rate=r.priority_rate,
            rest_count=r.rest_count,
            rest_population=r.rest_population,
            rest_rate=r.rest_rate,
            borough_count=r.borough_count,
            borough_population=r.borough_population,
            borough_rate=r.borough_rate,
            gap_pct=r.gap_pct(query.compare),
            difference=r.difference(query.compare),
        )
        for r in (series.rows if series else [])
    ]
    count, items = page_of(rows, query)
    body = GapsOut(
        count=count,
        page=query.page,
        page_size=query.page_size,
        items=items,
        area=AreaRef(id=area.pk, name=area.name),
        dataset=_ref(chosen),
        frequency=query.frequency,
        compare=query.compare,
        priority_lsoas=series.priority_lsoas if series else 0,
        flags=_flags([*selectors.quality_flags(working.partnership, chosen), *(series.flags if series else [])]),
    )
    return answer(request, body, GapRowOut, f"priority-gap-{area.pk}-{chosen.slug}-{query.frequency}")


# --- hot spots ----------------------------------------------------------------------------------------------------


class HotspotQuery(PeriodQuery):
    financial_year: Annotated[FinancialYear, QUERY_INT] | None = Field(
        default=None, description="April to March of this year (its starting year); instead of `start` and `end`"
    )


class HotspotRowOut(Schema):
    code: str
    name: str
    ward: str
    count: int
    population: int | None
    rate: float | None = Field(description="Per 1,000 residents in the period")
    imd_decile: int | None
    z: float | None = Field(description="The Gi* z-score; null when no test was run")
    p: float | None = Field(description="The two-sided pseudo p-value from the permutations; null when not tested")
    gi_class: Literal["hot-99", "hot-95", "hot-90", "none", "cold-90", "cold-95", "cold-99"]
    label: str
    passes_fdr: bool = Field(description="Significant after the false discovery rate cut-off (5%)")
    neighbours: int


class GeneralGOut(Schema):
    observed: float
    expected: float
    z: float
    p: float


class HotspotsOut(Paged[HotspotRowOut]):
    """Every LSOA tested, hot spots first (strongest first), then the rest, cold spots last."""

    dataset: DatasetRef
    start: date | None
    end: date | None
    tested: bool
    reason: str | None = Field(description="Why no test was run (too few areas or records), if none was")
    general_g: GeneralGOut | None
    fdr_cutoff: float | None
    not_tested: int = Field(description="LSOAs with no boundary loaded, so not in the test")
    flags: list[FlagOut]


def _hotspot_period(
    working: PartnershipRequest, chosen: selectors.Dataset, query: HotspotQuery
) -> tuple[date, date] | None:
    if query.financial_year is not None:
        return date(query.financial_year, 4, 1), date(query.financial_year + 1, 3, 1)
    return _period(working, chosen, query)


@router.get(
    "/intelligence/hotspots",
    response={200: HotspotsOut, **ERRORS},
    operation_id="get_hotspots",
    summary="Hot and cold spots among the LSOAs (Getis-Ord Gi*)",
    description="The hot spots page's table for a dataset and period (a financial year, or `start` and `end`; the "
    "latest 12 months loaded by default): each LSOA's count, rate, Gi* z-score and pseudo p-value, class and "
    "whether it passes the false discovery rate. 422 when `end` is before `start`." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 36,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "code": "E01025977",
                    "name": "Oadby and Wigston 006C",
                    "ward": "Wigston All Saints",
                    "count": 322,
                    "population": 1694,
                    "rate": 190.08,
                    "imd_decile": 3,
                    "z": 3.12,
                    "p": 0.002,
                    "gi_class": "hot-99",
                    "label": "Hot spot, 99% confidence",
                    "passes_fdr": True,
                    "neighbours": 6,
                }
            ],
            "dataset": {"slug": "all-crime", "name": "All recorded crime (excluding ASB)"},
            "start": "2021-08-01",
            "end": "2022-07-01",
            "tested": True,
            "reason": None,
            "general_g": {"observed": 0.1732, "expected": 0.1571, "z": 2.41, "p": 0.012},
            "fdr_cutoff": 0.0028,
            "not_tested": 0,
            "flags": [],
        },
        "code,name,ward,count,population,rate,imd_decile,z,p,gi_class,label,passes_fdr,neighbours\r\n"
        "E01025977,Oadby and Wigston 006C,Wigston All Saints,322,1694,190.08,3,3.12,0.002,hot-99,"
        '"Hot spot, 99% confidence",true,6\r\n',
    ),
)
def get_hotspots(request: HttpRequest, query: Query[HotspotQuery]) -> HotspotsOut | HttpResponse:
    working = _analysis(request, query.partnership)
    chosen = selectors.dataset(query.dataset, working.partnership)
    period = _hotspot_period(working, chosen, query)
    result = hs.hotspots(working.partnership, chosen, *period) if period else None
    rows = [
        HotspotRowOut(
            code=r.code,
            name=r.name,
            ward=r.ward,
            count=r.count,
            population=r.population,
            rate=r.rate,
            imd_decile=r.imd_decile,
            z=_number(r.z),
            p=_number(r.p),
            gi_class=r.key,  # type: ignore[arg-type]
            label=r.label,
            passes_fdr=r.passes_fdr,
            neighbours=r.neighbours,
        )
        for r in (result.rows if result else [])
    ]
    count, items = page_of(rows, query)
    general = result.general if result else None
    body = HotspotsOut(
        count=count,
        page=query.page,
        page_size=query.page_size,
        items=items,
        dataset=_ref(chosen),
        start=period[0] if period else None,
        end=period[1] if period else None,
        tested=bool(result and result.tested),
        reason=result.reason if result else None,
        general_g=GeneralGOut(observed=general.observed, expected=general.expected, z=general.z, p=general.p)
        if general
        else None,
        fdr_cutoff=result.fdr if result else None,
        not_tested=len(result.not_tested) if result else 0,
        flags=_flags([*selectors.quality_flags(working.partnership, chosen), *(result.flags if result else [])]),
    )
    return answer(request, body, HotspotRowOut, f"hotspots-{chosen.slug}-{working.partnership.slug}")


class RepeatLocationOut(Schema):
    location: str = Field(description="The police.uk anonymous map point's name: not an address")
    latitude: float | None
    longitude: float | None
    lsoa_code: str
    lsoa_name: str
    count: int
    months_with_records: int
    first: date
    last: date
    span_months: int


class RepeatLocationsOut(Paged[RepeatLocationOut]):
    dataset: DatasetRef
    start: date | None
    end: date | None


@router.get(
    "/intelligence/hotspots/repeat-locations",
    response={200: RepeatLocationsOut, **ERRORS},
    operation_id="list_repeat_locations",
    summary="The map points where records repeat",
    description="The hot spots page's repeat locations for the same dataset and period: the 20 police.uk map points "
    "with the most records (more than one each). Map points, not addresses: they cannot show a repeat victim or "
    "premises." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 1,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "location": "On or near Supermarket",
                    "latitude": 52.58,
                    "longitude": -1.11,
                    "lsoa_code": "E01025977",
                    "lsoa_name": "Oadby and Wigston 006C",
                    "count": 41,
                    "months_with_records": 11,
                    "first": "2021-08-01",
                    "last": "2022-07-01",
                    "span_months": 12,
                }
            ],
            "dataset": {"slug": "all-crime", "name": "All recorded crime (excluding ASB)"},
            "start": "2021-08-01",
            "end": "2022-07-01",
        },
        "location,latitude,longitude,lsoa_code,lsoa_name,count,months_with_records,first,last,span_months\r\n"
        "On or near Supermarket,52.58,-1.11,E01025977,Oadby and Wigston 006C,41,11,2021-08-01,2022-07-01,12\r\n",
    ),
)
def list_repeat_locations(request: HttpRequest, query: Query[HotspotQuery]) -> RepeatLocationsOut | HttpResponse:
    working = _analysis(request, query.partnership)
    chosen = selectors.dataset(query.dataset, working.partnership)
    period = _hotspot_period(working, chosen, query)
    found = hs.repeat_locations(working.partnership, chosen, *period) if period else []
    rows = [
        RepeatLocationOut(
            location=r.location,
            latitude=r.latitude,
            longitude=r.longitude,
            lsoa_code=r.lsoa_code,
            lsoa_name=r.lsoa_name,
            count=r.count,
            months_with_records=r.months_with_records,
            first=r.first,
            last=r.last,
            span_months=r.span_months,
        )
        for r in found
    ]
    count, items = page_of(rows, query)
    body = RepeatLocationsOut(
        count=count,
        page=query.page,
        page_size=query.page_size,
        items=items,
        dataset=_ref(chosen),
        start=period[0] if period else None,
        end=period[1] if period else None,
    )
    return answer(request, body, RepeatLocationOut, f"repeat-locations-{chosen.slug}-{working.partnership.slug}")


# --- imports ------------------------------------------------------------------------------------------------------


class ImportRunOut(Schema):
    id: int
    file_name: str
    source: str
    status: RunStatus
    status_label: str
    month: date | None = Field(description="The month the file covers (a partner file: its first month)")
    month_to: date | None = Field(description="A partner file's last month")
    rows_read: int
    rows_imported: int
    rows_outside_area: int
    rows_no_location: int
    rows_rejected: int
    refusal: str = Field(description="Why the whole file was refused, if it was")
    created_at: datetime
    made_live_at: datetime | None
    created_by: str | None
    job_id: str | None


class ImportRunDetailOut(ImportRunOut):
    rejections_kept: int = Field(description="Rejected rows kept with their line and reason (the first ones)")
    rejections_not_kept: int = Field(description="Rejected rows counted but not kept")


RUN_EXAMPLE: dict[str, Any] = {
    "id": 41,
    "file_name": "2021-08-leicestershire-street.csv",
    "source": "policeuk_street",
    "status": "live",
    "status_label": "In use",
    "month": "2021-08-01",
    "month_to": None,
    "rows_read": 8102,
    "rows_imported": 317,
    "rows_outside_area": 7210,
    "rows_no_location": 575,
    "rows_rejected": 0,
    "refusal": "",
    "created_at": "2026-01-12T09:30:00Z",
    "made_live_at": "2026-01-12T09:30:04Z",
    "created_by": "Ana Lyst",
    "job_id": "0b6f3c3e-8f5e-4a57-9a53-3f1f0a7b1c11",
}


def _run(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "file_name": run.file_name,
        "source": run.source,
        "status": RunStatus(run.status),
        "status_label": run.get_status_display(),
        "month": run.month,
        "month_to": run.month_to,
        "rows_read": run.rows_read,
        "rows_imported": run.rows_imported,
        "rows_outside_area": run.rows_outside_area,
        "rows_no_location": run.rows_no_location,
        "rows_rejected": run.rows_rejected,
        "refusal": run.refusal,
        "created_at": run.created_at,
        "made_live_at": run.made_live_at,
        "created_by": (run.created_by.full_name or run.created_by.email) if run.created_by else None,
        "job_id": str(run.job_id) if run.job_id else None,
    }


class ImportsQuery(PageQuery):
    status: RunStatus | None = None


@router.get(
    "/intelligence/imports",
    response={200: Paged[ImportRunOut], **ERRORS},
    operation_id="list_imports",
    summary="Import runs: each file imported, newest first",
    description="What became of each file: rows read, imported, outside the area, with no location, rejected, and "
    "why a file was refused." + CSV_NOTE,
    openapi_extra=documented(
        {"count": 1, "page": 1, "page_size": 100, "items": [RUN_EXAMPLE]},
        "id,file_name,source,status,status_label,month,month_to,rows_read,rows_imported,rows_outside_area,"
        "rows_no_location,rows_rejected,refusal,created_at,made_live_at,created_by,job_id\r\n"
        "41,2021-08-leicestershire-street.csv,policeuk_street,live,In use,2021-08-01,,8102,317,7210,575,0,,"
        "2026-01-12T09:30:00Z,2026-01-12T09:30:04Z,Ana Lyst,0b6f3c3e-8f5e-4a57-9a53-3f1f0a7b1c11\r\n",
    ),
)
def list_imports(request: HttpRequest, query: Query[ImportsQuery]) -> Paged[ImportRunOut] | HttpResponse:
    working = _analysis(request, query.partnership)
    recover_interrupted()  # as the page: a killed import reads as stopped, not "Being imported" for ever
    runs = selectors.runs_of(working.partnership)
    if query.status is not None:
        runs = runs.filter(status=query.status)
    count, found = page_of(runs.order_by("-created_at", "-pk"), query)
    items = [ImportRunOut(**_run(r)) for r in found]
    body = Paged[ImportRunOut](count=count, page=query.page, page_size=query.page_size, items=items)
    return answer(request, body, ImportRunOut, f"imports-{working.partnership.slug}")


class PartnershipQuery(Schema):
    partnership: PartnershipId | None = None


@router.get(
    "/intelligence/imports/{run_id}",
    response={200: ImportRunDetailOut, **ERRORS},
    operation_id="get_import",
    summary="One import run, with its rejected rows counted",
    description="404 for an import of another partnership. The rejected rows themselves (line, column, reason) are "
    "on the import's page, as CSV too.",
    openapi_extra=documented({**RUN_EXAMPLE, "rejections_kept": 0, "rejections_not_kept": 0}),
)
def get_import(request: HttpRequest, run_id: Path[Id], query: Query[PartnershipQuery]) -> ImportRunDetailOut:
    working = _analysis(request, query.partnership)
    recover_interrupted()
    run = selectors.run_of(working.partnership, run_id)
    kept = selectors.rejections_of(run).count()
    return ImportRunDetailOut(
        **_run(run), rejections_kept=kept, rejections_not_kept=selectors.rejections_not_kept(run, kept=kept)
    )


class ImportJobOut(Schema):
    job_id: str
    status: JobStatus
    status_label: str
    percent: int = Field(description="0 to 100")
    rows_done: int
    rows_total: int | None
    errors: int
    message: str
    status_url: str = Field(description="Where to follow the import: this answer")
    runs: list[ImportRunOut] = Field(description="Each file the job took, in order, once it has taken it")


def _job_out(job: Any, partnership: Any) -> ImportJobOut:
    return ImportJobOut(
        job_id=str(job.pk),
        status=JobStatus(job.status),
        status_label=JobStatus(job.status).label,
        percent=job.percent,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        errors=job.errors,
        message=job.message,
        status_url=reverse("api:get_import_job", args=[job.pk]),
        runs=[ImportRunOut(**_run(r)) for r in selectors.runs_of_job(partnership, job)],
    )


JOB_EXAMPLE: dict[str, Any] = {
    "job_id": "0b6f3c3e-8f5e-4a57-9a53-3f1f0a7b1c11",
    "status": "queued",
    "status_label": "Waiting to start",
    "percent": 0,
    "rows_done": 0,
    "rows_total": None,
    "errors": 0,
    "message": "",
    "status_url": "/api/intelligence/imports/jobs/0b6f3c3e-8f5e-4a57-9a53-3f1f0a7b1c11",
    "runs": [],
}


# One or more files. Declared through ``File(...)`` with the list as the annotation, so that django-ninja reads every
# part as a file: ``File[Annotated[list[...], ...]]`` makes it read one file and pydantic split it into its lines.
UPLOADS = param_functions.File(..., min_length=1, description="The police.uk files, one part each")


@router.post(
    "/intelligence/imports",
    response={202: ImportJobOut, **ERRORS},
    operation_id="start_import",
    summary="Import police.uk files",
    description="Upload one or more police.uk files (`*-street.csv`, `*-stop-and-search.csv`, `*-outcomes.csv`, "
    "gzipped or not, or the monthly archive `.zip`) as `multipart/form-data`, field `upload`. The same checks and "
    "limits as the upload page: 422 naming the file when it is not a CSV, ZIP or GZ file or is too large. The import "
    "runs in the background: the answer (202) gives the job and `status_url`, where it can be followed. Needs the "
    "analyst or partnership admin role.",
    openapi_extra=documented(JOB_EXAMPLE, status=202),
)
def start_import(
    request: HttpRequest,
    query: Query[PartnershipQuery],
    upload: list[UploadedFile] = UPLOADS,
) -> Status[ImportJobOut]:
    working = _analysis(request, query.partnership, area="intelligence_import")
    form = PoliceUkUploadForm(data={}, files=MultiValueDict({"upload": list(upload)}))
    if not form.is_valid():
        messages = [str(m) for m in form.errors.get("upload", [])] or ["Select at least one police.uk file to import"]
        raise ValidationError([{"loc": ["body", "upload"], "msg": m, "type": "value_error"} for m in messages])
    job = start_policeuk_upload(partnership=working.partnership, user=working.user, files=form.cleaned_data["upload"])
    job.refresh_from_db()
    return Status(202, _job_out(job, working.partnership))


@router.get(
    "/intelligence/imports/jobs/{job_id}",
    response={200: ImportJobOut, **ERRORS},
    operation_id="get_import_job",
    url_name="get_import_job",
    summary="How an import you started is going",
    description="The job's progress and each file it took. Only the person who started it sees it (404 otherwise).",
    openapi_extra=documented({**JOB_EXAMPLE, "status": "succeeded", "status_label": "Finished", "percent": 100}),
)
def get_import_job(request: HttpRequest, job_id: Path[JobId], query: Query[PartnershipQuery]) -> ImportJobOut:
    working = _analysis(request, query.partnership)
    recover_interrupted()
    job = core_selectors.job_of(working.user, working.partnership, job_id)
    if job.kind not in IMPORT_JOB_KINDS:
        raise Http404("Not an import")
    return _job_out(job, working.partnership)
