"""The delivery plan API: delivery plans, their tactical actions at a quarter (RAG, budget and spend), and the quarterly
returns.

It reads through ``safer.delivery.selectors`` and ``figures`` as the pages do, with the pages' rules for who sees
what: the plans roles and meeting chairs see every action and return; an action's owner without those roles sees
only their own actions and returns (and only the delivery plans holding them); anyone else gets 403 for the list
and 404 for a delivery plan, as nobody learns it exists. Another partnership's delivery plan is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from safer.api.schemas import AUTH_ERRORS, INPUT_ERRORS, QUERY_INT, ErrorOut
from safer.api.scoping import working_request
from safer.api.tables import CSV_NOTE, Paged, PageQuery, answer, documented, page_of
from safer.core.http import PartnershipRequest
from safer.delivery import figures, selectors
from safer.delivery.models import DeliveryPlan, DeliveryPlanStatus, MonitoringQuarter, ReturnStatus, SaraStage

router = Router(tags=["delivery"])

ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS}
Id = Annotated[int, Field(ge=1), QUERY_INT]
Quarter = Annotated[int, Field(ge=1, le=4), QUERY_INT]
RagOrNone = Literal["green", "amber", "red"] | None
NO_VIEW = "Delivery plans need the manager, partnership admin, analyst or meeting chair role, or an action of your own."


def _latest_quarter(dp: DeliveryPlan) -> int | None:
    latest = MonitoringQuarter.objects.filter(delivery_plan=dp).order_by("-quarter").first()
    return latest.quarter if latest else None


# --- delivery plans -----------------------------------------------------------------------------------------------


class DeliveryPlanOut(Schema):
    id: int
    title: str
    financial_year: str = Field(description="Like 2024-25")
    status: DeliveryPlanStatus
    version: int
    strategic_plan_id: int
    published_at: datetime | None
    actions: int = Field(description="The tactical actions you can see in it")
    latest_quarter: int | None = Field(description="The latest quarter opened for returns; null before Q1 is opened")


@router.get(
    "/delivery-plans",
    response={200: Paged[DeliveryPlanOut], **ERRORS},
    operation_id="list_delivery_plans",
    summary="The partnership's delivery plans",
    description="Every delivery plan for the plans roles and meeting chairs; for an action's owner, those holding "
    "their actions." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 1,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "id": 4,
                    "title": "Delivery Plan 2024-25",
                    "financial_year": "2024-25",
                    "status": "published",
                    "version": 1,
                    "strategic_plan_id": 2,
                    "published_at": "2024-04-18T11:00:00Z",
                    "actions": 12,
                    "latest_quarter": 2,
                }
            ],
        },
        "id,title,financial_year,status,version,strategic_plan_id,published_at,actions,latest_quarter\r\n"
        "4,Delivery Plan 2024-25,2024-25,published,1,2,2024-04-18T11:00:00Z,12,2\r\n",
    ),
)
def list_delivery_plans(request: HttpRequest, query: Query[PageQuery]) -> Paged[DeliveryPlanOut] | HttpResponse:
    working = working_request(request, query.partnership)
    plans = selectors.delivery_plans(working)
    if not selectors.can_view(working):
        owned = selectors.actions_in(working)
        if not owned.exists():
            raise HttpError(403, NO_VIEW)
        plans = plans.filter(pk__in=owned.values("delivery_plan"))
    count, found = page_of(plans.order_by("-financial_year", "-version", "-pk"), query)
    visible = selectors.actions_in(working)
    items = [
        DeliveryPlanOut(
            id=dp.pk,
            title=dp.title,
            financial_year=dp.financial_year,
            status=DeliveryPlanStatus(dp.status),
            version=dp.version,
            strategic_plan_id=dp.plan_id,
            published_at=dp.published_at,
            actions=visible.filter(delivery_plan=dp).count(),
            latest_quarter=_latest_quarter(dp),
        )
        for dp in found
    ]
    body = Paged[DeliveryPlanOut](count=count, page=query.page, page_size=query.page_size, items=items)
    return answer(request, body, DeliveryPlanOut, f"delivery-plans-{working.partnership.slug}")


class QuarterQuery(PageQuery):
    quarter: Quarter | None = Field(default=None, description="1 to 4; the latest quarter opened by default, else 1")


def _plan_and_quarter(working: PartnershipRequest, plan_id: int, quarter: int | None) -> tuple[DeliveryPlan, int]:
    dp = selectors.delivery_plan_of(working, plan_id)
    return dp, quarter or _latest_quarter(dp) or 1


# --- actions ------------------------------------------------------------------------------------------------------


class ActionOut(Schema):
    """A tactical action at a quarter, as the delivery plan page shows it."""

    id: int
    reference: str
    title: str
    priorities: str = Field(description="The strategic priorities' codes it serves, like 1; 2")
    lead_agency: str
    owner: str
    sara_stage: SaraStage
    quarter: int
    rag: RagOrNone = Field(description="The chair's agreed RAG, else the owner's proposal; null when not reported")
    rag_agreed: bool
    rag_label: str
    budget: float = Field(description="Pounds, all funding sources")
    spent_quarter: float
    spent_to_date: float
    remaining: float
    over_budget: bool
    measures_off_track: int = Field(description="Its measures Amber or Red against their trajectory at the quarter")
    exception: bool = Field(description="Amber or Red, or a measure off track: in the exception report")


class ActionsOut(Paged[ActionOut]):
    delivery_plan_id: int
    quarter: int


def _action(a: figures.ActionFigures) -> ActionOut:
    action = a.action
    return ActionOut(
        id=action.pk,
        reference=action.reference,
        title=action.title,
        priorities="; ".join(p.code or p.title for p in action.priorities.all()),
        lead_agency=action.lead_agency.name,
        owner=action.owner.full_name or action.owner.email,
        sara_stage=SaraStage(action.sara_stage),
        quarter=a.quarter,
        rag=a.rag or None,  # type: ignore[arg-type]
        rag_agreed=a.rag_is_agreed,
        rag_label=a.rag_label,
        budget=float(a.budget()),
        spent_quarter=float(a.spent_quarter()),
        spent_to_date=float(a.spent_to_date()),
        remaining=float(a.remaining),
        over_budget=a.over_budget,
        measures_off_track=len(a.off_track_measures),
        exception=a.is_exception,
    )


@router.get(
    "/delivery-plans/{plan_id}/actions",
    response={200: ActionsOut, **ERRORS},
    operation_id="list_delivery_actions",
    summary="A delivery plan's tactical actions at a quarter, with RAG, budget and spend",
    description="In reference order. An action's owner without a plans or chair role sees only their own. 404 for a "
    "delivery plan of another partnership, or one you cannot see." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 1,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "id": 31,
                    "reference": "1.1",
                    "title": "Commission diversionary youth activities in South Wigston",
                    "priorities": "1",
                    "lead_agency": "Oadby and Wigston Borough Council",
                    "owner": "Casey Council",
                    "sara_stage": "response",
                    "quarter": 2,
                    "rag": "amber",
                    "rag_agreed": False,
                    "rag_label": "Amber (proposed)",
                    "budget": 8000.0,
                    "spent_quarter": 5000.0,
                    "spent_to_date": 6650.5,
                    "remaining": 1349.5,
                    "over_budget": False,
                    "measures_off_track": 1,
                    "exception": True,
                }
            ],
            "delivery_plan_id": 4,
            "quarter": 2,
        },
        "id,reference,title,priorities,lead_agency,owner,sara_stage,quarter,rag,rag_agreed,rag_label,budget,"
        "spent_quarter,spent_to_date,remaining,over_budget,measures_off_track,exception\r\n"
        "31,1.1,Commission diversionary youth activities in South Wigston,1,Oadby and Wigston Borough Council,"
        "Casey Council,response,2,amber,false,Amber (proposed),8000.0,5000.0,6650.5,1349.5,false,1,true\r\n",
    ),
)
def list_delivery_actions(
    request: HttpRequest, plan_id: Path[Id], query: Query[QuarterQuery]
) -> ActionsOut | HttpResponse:
    working = working_request(request, query.partnership)
    dp, quarter = _plan_and_quarter(working, plan_id, query.quarter)
    actions = selectors.actions_in(working).filter(delivery_plan=dp).prefetch_related("priorities")
    rows = [_action(a) for a in figures.plan_figures(dp, quarter, actions).actions]
    count, items = page_of(rows, query)
    body = ActionsOut(
        count=count, page=query.page, page_size=query.page_size, items=items, delivery_plan_id=dp.pk, quarter=quarter
    )
    return answer(request, body, ActionOut, f"actions-{dp.financial_year}-q{quarter}")


# --- returns ------------------------------------------------------------------------------------------------------


class ReturnOut(Schema):
    """An action's return for a quarter: the owner's report and the chair's decision."""

    id: int
    action_id: int
    action_reference: str
    action_title: str
    quarter: int
    owner: str
    status: ReturnStatus
    status_label: str
    progress: str
    proposed_rag: RagOrNone
    rag_reason: str
    barriers: str
    mitigations: str
    submitted_at: datetime | None
    agreed_rag: RagOrNone
    chair_comment: str
    agreed_at: datetime | None
    agreed_by: str | None


class ReturnsQuery(PageQuery):
    quarter: Quarter | None = Field(default=None, description="Only this quarter's returns (1 to 4)")
    status: ReturnStatus | None = None


@router.get(
    "/delivery-plans/{plan_id}/returns",
    response={200: Paged[ReturnOut], **ERRORS},
    operation_id="list_delivery_returns",
    summary="A delivery plan's quarterly returns",
    description="By quarter and action reference. An action's owner without a plans or chair role sees only their "
    "own. 404 for a delivery plan of another partnership, or one you cannot see." + CSV_NOTE,
    openapi_extra=documented(
        {
            "count": 1,
            "page": 1,
            "page_size": 100,
            "items": [
                {
                    "id": 88,
                    "action_id": 31,
                    "action_reference": "1.1",
                    "action_title": "Commission diversionary youth activities in South Wigston",
                    "quarter": 1,
                    "owner": "Casey Council",
                    "status": "agreed",
                    "status_label": "Agreed by the chair",
                    "progress": "Sessions running",
                    "proposed_rag": "amber",
                    "rag_reason": "Fewer sessions than planned: venue closed for two weeks",
                    "barriers": "Venue closure",
                    "mitigations": "Second venue booked",
                    "submitted_at": "2024-07-08T15:00:00Z",
                    "agreed_rag": "amber",
                    "chair_comment": "",
                    "agreed_at": "2024-07-15T10:00:00Z",
                    "agreed_by": "Chris Chair",
                }
            ],
        },
        "id,action_id,action_reference,action_title,quarter,owner,status,status_label,progress,proposed_rag,"
        "rag_reason,barriers,mitigations,submitted_at,agreed_rag,chair_comment,agreed_at,agreed_by\r\n"
        "88,31,1.1,Commission diversionary youth activities in South Wigston,1,Casey Council,agreed,"
        "Agreed by the chair,Sessions running,amber,Fewer sessions than planned: venue closed for two weeks,"
        "Venue closure,Second venue booked,2024-07-08T15:00:00Z,amber,,2024-07-15T10:00:00Z,Chris Chair\r\n",
    ),
)
def list_delivery_returns(
    request: HttpRequest, plan_id: Path[Id], query: Query[ReturnsQuery]
) -> Paged[ReturnOut] | HttpResponse:
    working = working_request(request, query.partnership)
    dp = selectors.delivery_plan_of(working, plan_id)
    returns = selectors.returns_in(working).filter(action__delivery_plan=dp)
    if query.quarter is not None:
        returns = returns.filter(quarter=query.quarter)
    if query.status is not None:
        returns = returns.filter(status=query.status)
    found: list[Any]
    count, found = page_of(list(sorted(returns, key=lambda r: (r.quarter, r.action.sort_key))), query)
    items = [
        ReturnOut(
            id=r.pk,
            action_id=r.action_id,
            action_reference=r.action.reference,
            action_title=r.action.title,
            quarter=r.quarter,
            owner=r.owner.full_name or r.owner.email,
            status=ReturnStatus(r.status),
            status_label=r.get_status_display(),
            progress=r.progress,
            proposed_rag=r.proposed_rag or None,
            rag_reason=r.rag_reason,
            barriers=r.barriers,
            mitigations=r.mitigations,
            submitted_at=r.submitted_at,
            agreed_rag=r.agreed_rag or None,
            chair_comment=r.chair_comment,
            agreed_at=r.agreed_at,
            agreed_by=(r.agreed_by.full_name or r.agreed_by.email) if r.agreed_by else None,
        )
        for r in found
    ]
    body = Paged[ReturnOut](count=count, page=query.page, page_size=query.page_size, items=items)
    return answer(request, body, ReturnOut, f"returns-{dp.financial_year}")
