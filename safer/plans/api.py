"""The plans API: plans with their priorities, measures with their latest figure, target and RAG, a measure's figures,
and a partner's figure for a period.

It reads through ``safer.plans.selectors`` as the pages do: the RAG is ``measure_status``'s (an override set by hand,
with its reason, wins over the computed one), so the API, the measure page, the board and the board pack agree.
Who may do what is the pages' rule: the plans roles (manager, partnership admin, analyst) read; a figure may be
entered by someone with a plans role, or by a member of the agency that reports the measure (anyone else: 404 for
that measure, as on the figure-entry page). Another partnership's plan or measure is a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from safer.api.schemas import AUTH_ERRORS, INPUT_ERRORS, JSON_NUMBER, QUERY_INT, ErrorOut, IsoDate, StrictStr
from safer.api.scoping import require_area, working_request
from safer.api.tables import CSV_NOTE, Paged, PageQuery, PartnershipId, answer, documented, page_of
from safer.core.http import PartnershipRequest
from safer.core.permissions import can
from safer.core.services import ServiceError
from safer.plans import selectors, services
from safer.plans.models import Frequency, Measure, MeasureSource, Plan, PlanStatus, Polarity, Unit

router = Router(tags=["plans"])

ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS}
Id = Annotated[int, Field(ge=1), QUERY_INT]
RagValue = Literal["green", "amber", "red", "grey"]
PERIOD_NAMES: dict[str, str] = {
    Frequency.MONTHLY: "month",
    Frequency.QUARTERLY: "financial quarter",
    Frequency.ANNUAL: "financial year",
}
NO_ENTRY = "Entering figures needs a plans role, or membership of the agency that reports the measure."


def _plans(request: HttpRequest, partnership: int | None) -> PartnershipRequest:
    working = working_request(request, partnership)
    require_area(working, "plans")
    return working


class PartnershipQuery(Schema):
    partnership: PartnershipId | None = None


# --- plans --------------------------------------------------------------------------------------------------------


class PriorityOut(Schema):
    id: int
    code: str
    title: str
    description: str
    tags: list[str] = Field(description="Its pillars, key areas and themes")
    measures: int = Field(description="How many measures it has (see /api/measures?priority=…)")


class PlanOut(Schema):
    id: int
    title: str
    period_start: date
    period_end: date
    status: PlanStatus
    version: int
    published_at: datetime | None
    vision: str
    mission: str
    principles: str
    priorities: list[PriorityOut]


PLAN_EXAMPLE: dict[str, Any] = {
    "id": 2,
    "title": "Community Safety Partnership Plan 2021-24",
    "period_start": "2021-04-01",
    "period_end": "2024-03-31",
    "status": "published",
    "version": 1,
    "published_at": "2021-05-12T10:00:00Z",
    "vision": "A borough where people are safe and feel safe",
    "mission": "",
    "principles": "",
    "priorities": [
        {
            "id": 7,
            "code": "1",
            "title": "Maintain the evidenced reduction in Crime, Disorder, and Anti-Social Behaviour",
            "description": "",
            "tags": ["Prevention and Diversion", "Engage"],
            "measures": 2,
        }
    ],
}


def _plan(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.pk,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        status=PlanStatus(plan.status),
        version=plan.version,
        published_at=plan.published_at,
        vision=plan.vision,
        mission=plan.mission,
        principles=plan.principles,
        priorities=[
            PriorityOut(
                id=p.pk,
                code=p.code,
                title=p.title,
                description=p.description,
                tags=[t.name for t in p.tags.all()],
                measures=p.measures.count(),
            )
            for p in selectors.priorities_of(plan)
        ],
    )


@router.get(
    "/plans",
    response={200: Paged[PlanOut], **ERRORS},
    operation_id="list_plans",
    summary="The partnership's strategic plans, with their priorities",
    description="Newest period and version first. JSON only: each plan holds its priorities.",
    openapi_extra=documented({"count": 1, "page": 1, "page_size": 100, "items": [PLAN_EXAMPLE]}),
)
def list_plans(request: HttpRequest, query: Query[PageQuery]) -> Paged[PlanOut]:
    working = _plans(request, query.partnership)
    count, found = page_of(selectors.plans_of(working.partnership), query)
    return Paged[PlanOut](count=count, page=query.page, page_size=query.page_size, items=[_plan(p) for p in found])


@router.get(
    "/plans/{plan_id}",
    response={200: PlanOut, **ERRORS},
    operation_id="get_plan",
    summary="One strategic plan, with its priorities",
    description="404 for a plan of another partnership.",
    openapi_extra=documented(PLAN_EXAMPLE),
)
def get_plan(request: HttpRequest, plan_id: Path[Id], query: Query[PartnershipQuery]) -> PlanOut:
    working = _plans(request, query.partnership)
    return _plan(selectors.plan_of(working.partnership, plan_id))


# --- measures -----------------------------------------------------------------------------------------------------


class MeasureOut(Schema):
    """A measure with its latest figure, its current target and the RAG the measure page shows."""

    id: int
    name: str
    plan_id: int | None
    priority_id: int | None
    priority: str
    frequency: Frequency
    polarity: Polarity
    unit: Unit
    source: MeasureSource
    owner_agency: str | None = Field(description="The agency that reports a partner-entered measure")
    target: str | None = Field(description="The current target's wording; null when none is set")
    target_level: float | None = Field(description="The level the target sets (for a composite: how many must improve)")
    target_date: date | None
    baseline: float | None
    latest_period: str | None = Field(description='The latest figure\'s period, like "Q2 2024/25"')
    latest_start: date | None
    latest_end: date | None
    latest_value: float | None
    expected: float | None = Field(description="Where the trajectory is at the latest period's end")
    rag: RagValue
    rag_reason: str
    rag_set_by_hand: bool = Field(description="The RAG was set by a person, with the reason in `rag_reason`")
    direction: str = Field(description='From the previous figure: "improving", "worsening", "little change"…')
    change_vs_baseline_pct: float | None


MEASURE_EXAMPLE: dict[str, Any] = {
    "id": 11,
    "name": "Total recorded crime",
    "plan_id": 2,
    "priority_id": 7,
    "priority": "1 Maintain the evidenced reduction in Crime, Disorder, and Anti-Social Behaviour",
    "frequency": "annual",
    "polarity": "down",
    "unit": "count",
    "source": "partner",
    "owner_agency": "Leicestershire Police",
    "target": "Recorded Crime - Reduce by 22% by March 2008",
    "target_level": 19500.0,
    "target_date": "2008-03-31",
    "baseline": 25000.0,
    "latest_period": "2005/06",
    "latest_start": "2005-04-01",
    "latest_end": "2006-03-31",
    "latest_value": 22400.0,
    "expected": 22250.0,
    "rag": "amber",
    "rag_reason": "22,400 misses the trajectory of 22,250 for 31 March 2006 by 150",
    "rag_set_by_hand": False,
    "direction": "not known",
    "change_vs_baseline_pct": -10.4,
}


def _measure(status: selectors.Status) -> MeasureOut:
    measure, latest, target, rating = status.measure, status.latest, status.target, status.rating
    return MeasureOut(
        id=measure.pk,
        name=measure.name,
        plan_id=measure.priority.plan_id if measure.priority else None,
        priority_id=measure.priority_id,
        priority=str(measure.priority) if measure.priority else "",
        frequency=Frequency(measure.frequency),
        polarity=Polarity(measure.polarity),
        unit=Unit(measure.unit),
        source=MeasureSource(measure.source),
        owner_agency=measure.owner_agency.name if measure.owner_agency else None,
        target=(target.wording or target.get_kind_display()) if target else None,
        target_level=status.level,
        target_date=target.target_date if target else None,
        baseline=status.baseline,
        latest_period=latest.label if latest else None,
        latest_start=latest.start if latest else None,
        latest_end=latest.end if latest else None,
        latest_value=latest.value if latest else None,
        expected=latest.expected if latest else None,
        rag=rating.rag,  # type: ignore[arg-type]
        rag_reason=rating.reason,
        rag_set_by_hand=status.override is not None,
        direction=status.direction,
        change_vs_baseline_pct=status.change_vs_baseline,
    )


class MeasuresQuery(PageQuery):
    plan: Id | None = Field(default=None, description="Only the measures of this plan's priorities")
    priority: Id | None = Field(default=None, description="Only this priority's measures")


@router.get(
    "/measures",
    response={200: Paged[MeasureOut], **ERRORS},
    operation_id="list_measures",
    summary="Measures with their latest figure, target and RAG",
    description="Every measure as the measures page and the board show it: the latest figure, the trajectory at its "
    "period's end, the RAG with its reason (set by hand, or by the documented rules), the direction of travel and "
    "the change against the baseline." + CSV_NOTE,
    openapi_extra=documented(
        {"count": 1, "page": 1, "page_size": 100, "items": [MEASURE_EXAMPLE]},
        ",".join(MEASURE_EXAMPLE) + "\r\n11,Total recorded crime,2,7,1 Maintain the evidenced reduction in Crime,"
        "annual,down,count,partner,Leicestershire Police,Recorded Crime - Reduce by 22% by March 2008,19500.0,"
        "2008-03-31,25000.0,2005/06,2005-04-01,2006-03-31,22400.0,22250.0,amber,"
        '"22,400 misses the trajectory of 22,250 for 31 March 2006 by 150",false,not known,-10.4\r\n',
    ),
)
def list_measures(request: HttpRequest, query: Query[MeasuresQuery]) -> Paged[MeasureOut] | HttpResponse:
    working = _plans(request, query.partnership)
    measures = selectors.measures_of(working.partnership).prefetch_related("components").order_by("order", "pk")
    if query.plan is not None:
        measures = measures.filter(priority__plan=selectors.plan_of(working.partnership, query.plan))
    if query.priority is not None:
        measures = measures.filter(priority=selectors.priority_of(working.partnership, query.priority))
    count, found = page_of(measures, query)
    items = [_measure(selectors.measure_status(m)) for m in found]
    body = Paged[MeasureOut](count=count, page=query.page, page_size=query.page_size, items=items)
    return answer(request, body, MeasureOut, f"measures-{working.partnership.slug}")


class FigureOut(Schema):
    """One period's figure, what the trajectory expected then, and its RAG."""

    period: str
    start: date
    end: date
    value: float | None = Field(description="null: no figure (for a computed measure, a period not fully loaded)")
    expected: float | None
    rag: RagValue
    rag_reason: str
    entered_by: str = Field(description="Who entered a partner's figure")
    entered_at: datetime | None
    source_note: str


class FiguresOut(Paged[FigureOut]):
    """A measure's figures, oldest first, with its latest RAG as the measure page shows it."""

    measure: MeasureOut


@router.get(
    "/measures/{measure_id}/figures",
    response={200: FiguresOut, **ERRORS},
    operation_id="list_measure_figures",
    summary="A measure's figures, period by period",
    description="The measure page's table: each period's figure (entered by a partner, or computed from the police.uk "
    "data), the trajectory then and its RAG. 404 for a measure of another partnership." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 1,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "period": "2005/06",
                    "start": "2005-04-01",
                    "end": "2006-03-31",
                    "value": 22400.0,
                    "expected": 22250.0,
                    "rag": "amber",
                    "rag_reason": "22,400 misses the trajectory of 22,250 for 31 March 2006 by 150",
                    "entered_by": "Mo Manager",
                    "entered_at": "2006-05-02T09:12:00Z",
                    "source_note": "iQuanta",
                }
            ],
            "measure": MEASURE_EXAMPLE,
        },
        "period,start,end,value,expected,rag,rag_reason,entered_by,entered_at,source_note\r\n"
        '2005/06,2005-04-01,2006-03-31,22400.0,22250.0,amber,"22,400 misses the trajectory of 22,250 for 31 March '
        '2006 by 150",Mo Manager,2006-05-02T09:12:00Z,iQuanta\r\n',
    ),
)
def list_measure_figures(
    request: HttpRequest, measure_id: Path[Id], query: Query[PageQuery]
) -> FiguresOut | HttpResponse:
    working = _plans(request, query.partnership)
    status = selectors.measure_status(selectors.measure_of(working.partnership, measure_id))
    rows = [
        FigureOut(
            period=f.label,
            start=f.start,
            end=f.end,
            value=f.value,
            expected=f.expected,
            rag=f.rating.rag,  # type: ignore[arg-type]
            rag_reason=f.rating.reason,
            entered_by=f.entered_by,
            entered_at=f.entered_at,
            source_note=f.source_note,
        )
        for f in status.figures
    ]
    count, items = page_of(rows, query)
    body = FiguresOut(count=count, page=query.page, page_size=query.page_size, items=items, measure=_measure(status))
    return answer(request, body, FigureOut, f"figures-{status.measure.pk}")


# --- entering a figure --------------------------------------------------------------------------------------------


class FigureIn(Schema):
    period_start: IsoDate = Field(description="The period's first day: a month, financial quarter or year")
    period_end: IsoDate = Field(description="The period's last day, as the measure's frequency makes it")
    value: Annotated[float, Field(ge=0, lt=1e11), JSON_NUMBER] = Field(description="The figure, 0 or more")
    source_note: Annotated[StrictStr, Field(max_length=300)] = Field(
        default="", description="Where the figure comes from, like: NDTMS quarterly report"
    )


class EnteredOut(Schema):
    id: int
    measure_id: int
    period: str
    period_start: date
    period_end: date
    value: float
    source_note: str
    entered_by: str
    entered_at: datetime


def _entry_measure(working: PartnershipRequest, measure_id: int) -> Measure:
    """The figure-entry page's rule: any partner-entered measure for a plans role, else their agency's."""
    if not (can(working, "plans") or working.agencies):
        raise HttpError(403, NO_ENTRY)
    found = selectors.measures_for_entry(working.partnership, working.agencies, can(working, "plans"))
    measure = found.filter(pk=measure_id).first()
    if measure is None:
        raise Http404("No such measure")
    return measure


def _invalid(errors: dict[str, str]) -> ValidationError:
    where = {"period": "period_start", "value": "value", "source_note": "source_note"}
    return ValidationError(
        [
            {"loc": ["body", "payload", where.get(name, "period_start")], "msg": message, "type": "value_error"}
            for name, message in errors.items()
        ]
    )


@router.post(
    "/measures/{measure_id}/figures",
    response={201: EnteredOut, **ERRORS},
    operation_id="enter_measure_figure",
    summary="Enter a partner's figure for a period",
    description="As the figure-entry page: the figure for one period of a measure entered by partners (replacing an "
    "earlier figure for the same period; the history keeps both). The period must be one the page offers: a whole "
    "month, financial quarter or financial year as the measure's frequency says, from its baseline or five years ago "
    "to now (422 naming `period_start` otherwise). Needs a plans role, or membership of the agency that reports the "
    "measure (404 for any other measure).",
    openapi_extra=documented(
        {
            "id": 301,
            "measure_id": 11,
            "period": "Q1 2024/25",
            "period_start": "2024-04-01",
            "period_end": "2024-06-30",
            "value": 1250.0,
            "source_note": "NDTMS quarterly report",
            "entered_by": "Casey Council",
            "entered_at": "2024-07-10T08:30:00Z",
        },
        status=201,
    ),
)
def enter_measure_figure(
    request: HttpRequest, measure_id: Path[Id], payload: FigureIn, query: Query[PartnershipQuery]
) -> Status[EnteredOut]:
    working = working_request(request, query.partnership)
    measure = _entry_measure(working, measure_id)
    offered = selectors.entry_periods(measure)
    if (payload.period_start, payload.period_end) not in offered:
        latest = offered[0] if offered else None
        example = f" The latest is {latest[0]:%Y-%m-%d} to {latest[1]:%Y-%m-%d}." if latest else ""
        raise _invalid(
            {
                "period": f"{measure.name} takes a figure for each {PERIOD_NAMES[measure.frequency]}: give its first "
                f"and last day, up to the one running now.{example}"
            }
        )
    try:
        value = services.enter_value(
            measure=measure,
            period_start=payload.period_start,
            period_end=payload.period_end,
            raw_value=repr(payload.value),
            source_note=payload.source_note,
            actor=working.user,
            request=request,
        )
    except services.InputError as exc:
        raise _invalid(exc.errors) from exc
    except ServiceError as exc:
        raise _invalid({"period": str(exc)}) from exc
    return Status(
        201,
        EnteredOut(
            id=value.pk,
            measure_id=measure.pk,
            period=selectors.period_label(value.period_start, value.period_end),
            period_start=value.period_start,
            period_end=value.period_end,
            value=float(value.value),
            source_note=value.source_note,
            entered_by=working.user.full_name or working.user.email,
            entered_at=value.entered_at,
        ),
    )
