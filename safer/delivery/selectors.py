"""Every read of the delivery app, scoped to the person's partnership, and who may do what.

- Seeing delivery plans: the "plans" roles (manager or board, partnership admin, analyst) and meeting chairs.
- Managing them (create, change actions, publish, open a quarter, import): partnership admins and managers.
- Agreeing returns: meeting chairs and partnership admins.
- An action's owner sees and changes their own actions (while the plan is a draft) and submits their own returns,
  whatever their roles.

Anything of another partnership is a 404. Inside the partnership, a person who can see the delivery plan but may
not change a given action or return gets the 403 page saying who can; a person who cannot see the plan at all
(an owner without a plans role looking at someone else's action) gets a 404: nobody learns it exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse

from safer.core.http import PartnershipRequest
from safer.core.models import Role
from safer.core.permissions import AREA_ROLES
from safer.core.waiting import Waiting
from safer.delivery.models import DeliveryPlan, EqualityImpact, QuarterlyReturn, ReturnStatus, TacticalAction

VIEW_ROLES = AREA_ROLES["delivery"]  # the "plans" roles and meeting chairs
MANAGE_ROLES = frozenset({Role.PARTNERSHIP_ADMIN, Role.MANAGER})
CHAIR_ROLES = frozenset({Role.MEETING_CHAIR, Role.PARTNERSHIP_ADMIN})


def can_view(request: PartnershipRequest) -> bool:
    return bool(request.roles & VIEW_ROLES)


def can_manage(request: PartnershipRequest) -> bool:
    return bool(request.roles & MANAGE_ROLES)


def can_chair(request: PartnershipRequest) -> bool:
    return bool(request.roles & CHAIR_ROLES)


def require_view(request: PartnershipRequest) -> None:
    if not can_view(request):
        raise PermissionDenied("Delivery plans need the manager, partnership admin, analyst or meeting chair role")


def require_manage(request: PartnershipRequest) -> None:
    if not can_manage(request):
        raise PermissionDenied("Changing delivery plans needs the partnership admin or manager role")


def require_chair(request: PartnershipRequest) -> None:
    if not can_chair(request):
        raise PermissionDenied("Agreeing quarterly returns needs the meeting chair or partnership admin role")


def delivery_plans(request: PartnershipRequest) -> QuerySet[DeliveryPlan]:
    return DeliveryPlan.objects.filter(partnership=request.partnership).select_related("plan")


def delivery_plan_of(request: PartnershipRequest, plan_id: int) -> DeliveryPlan:
    """A delivery plan of the person's partnership that they may see (owners see those with their actions)."""
    plans = delivery_plans(request)
    if not can_view(request):
        plans = plans.filter(actions__owner=request.user).distinct()
    found = plans.filter(pk=plan_id).first()
    if found is None:
        raise Http404("No such delivery plan")
    return found


def actions_in(request: PartnershipRequest) -> QuerySet[TacticalAction]:
    actions = TacticalAction.objects.filter(delivery_plan__partnership=request.partnership).select_related(
        "delivery_plan", "delivery_plan__plan", "lead_agency", "owner"
    )
    if not can_view(request):
        actions = actions.filter(owner=request.user)
    return actions


def action_of(request: PartnershipRequest, action_id: int) -> TacticalAction:
    found = actions_in(request).filter(pk=action_id).first()
    if found is None:
        raise Http404("No such tactical action")
    return found


def editable_action(request: PartnershipRequest, action_id: int) -> TacticalAction:
    """Managers change any action; an owner changes only their own (others: 403 if they can see it, else 404)."""
    action = action_of(request, action_id)
    if can_manage(request) or action.owner_id == request.user.pk:
        return action
    raise PermissionDenied(
        f"Only the action's owner, {action.owner.full_name}, or a manager can change action {action.reference}"
    )


def returns_in(request: PartnershipRequest) -> QuerySet[QuarterlyReturn]:
    returns = QuarterlyReturn.objects.filter(action__delivery_plan__partnership=request.partnership).select_related(
        "action", "action__delivery_plan", "owner", "agreed_by"
    )
    if not can_view(request):
        returns = returns.filter(owner=request.user)
    return returns


def return_of(request: PartnershipRequest, return_id: int) -> QuarterlyReturn:
    found = returns_in(request).filter(pk=return_id).first()
    if found is None:
        raise Http404("No such quarterly return")
    return found


def own_return(request: PartnershipRequest, return_id: int) -> QuarterlyReturn:
    """Only the person tasked submits a return."""
    ret = return_of(request, return_id)
    if ret.owner_id != request.user.pk:
        raise PermissionDenied(f"Only {ret.owner.full_name}, who owns this action, can submit its return")
    return ret


def my_returns(request: PartnershipRequest) -> QuerySet[QuarterlyReturn]:
    return (
        QuarterlyReturn.objects.filter(action__delivery_plan__partnership=request.partnership, owner=request.user)
        .select_related("action", "action__delivery_plan")
        .order_by("status", "-quarter", "action__reference")
    )


def equality_impacts(delivery_plan: DeliveryPlan) -> QuerySet[EqualityImpact]:
    return EqualityImpact.objects.filter(delivery_plan=delivery_plan).select_related("action", "assessed_by")


HISTORY_FIELDS = {
    "title": "title",
    "reference": "reference",
    "owner": "owner",
    "lead_agency": "lead agency",
    "sara_stage": "SARA stage",
    "status": "status",
    "proposed_rag": "proposed RAG",
    "rag_reason": "reason for the RAG",
    "agreed_rag": "agreed RAG",
    "chair_comment": "chair's comment",
    "progress": "progress",
    "barriers": "barriers",
    "mitigations": "mitigations",
    "provider": "provider",
    "sla": "SLA",
    "local_need": "evidence of local need",
}


def change_history(action: TacticalAction) -> list[dict[str, object]]:
    """Who changed the action or its returns (a RAG, a reason, the owner…) and when, newest first."""
    rows: list[dict[str, object]] = []

    def add(records: list[object], label: str) -> None:
        for i, record in enumerate(records):
            older = records[i + 1] if i + 1 < len(records) else None
            if older is None:
                what = "created" if record.history_type == "+" else "recorded"  # type: ignore[attr-defined]
            else:
                delta = record.diff_against(older)  # type: ignore[attr-defined]
                changed = {c.field for c in delta.changes}
                names = [label for name, label in HISTORY_FIELDS.items() if name in changed]
                if not names:
                    continue
                what = "changed " + ", ".join(dict.fromkeys(names))
            rag = getattr(record, "agreed_rag", "") or getattr(record, "proposed_rag", "")
            rows.append(
                {
                    "when": record.history_date,  # type: ignore[attr-defined]
                    "who": record.history_user,  # type: ignore[attr-defined]
                    "what": f"{label}: {what}",
                    "rag": rag,
                }
            )

    add(list(action.history.select_related("history_user").order_by("-history_date", "-history_id")), "Action")
    for ret in action.returns.order_by("quarter"):
        add(
            list(ret.history.select_related("history_user").order_by("-history_date", "-history_id")),
            f"Q{ret.quarter} return",
        )
    rows.sort(key=lambda r: r["when"], reverse=True)  # type: ignore[arg-type,return-value]
    return rows


WAITING_LISTED = 10  # returns listed one by one on Home; more are counted, with a link to them all


def returns_waiting(request: HttpRequest) -> list[Waiting]:
    """An owner's returns to submit (or sent back), and, for a chair, the returns submitted for agreement."""
    partnership = getattr(request, "partnership", None)
    user = getattr(request, "user", None)
    if partnership is None or user is None or not user.is_authenticated:
        return []
    found: list[Waiting] = []
    in_partnership = QuarterlyReturn.objects.filter(action__delivery_plan__partnership=partnership).select_related(
        "action"
    )
    mine = in_partnership.filter(owner=user, status=ReturnStatus.TASK_SENT).order_by("quarter", "action__reference")
    for ret in mine[:WAITING_LISTED]:
        found.append(
            Waiting(
                f"Quarterly return to submit: Q{ret.quarter}, action {ret.action.reference} {ret.action.title}",
                reverse("delivery:submit-return", args=[ret.pk]),
            )
        )
    more = mine.count() - WAITING_LISTED
    if more > 0:
        found.append(Waiting(f"{more} more quarterly returns to submit", reverse("delivery:my-returns")))
    if request.roles & CHAIR_ROLES:  # type: ignore[attr-defined]
        submitted = in_partnership.filter(status=ReturnStatus.SUBMITTED).order_by("quarter", "action__reference")
        for ret in submitted[:WAITING_LISTED]:
            found.append(
                Waiting(
                    f"Quarterly return to agree: Q{ret.quarter}, action {ret.action.reference} {ret.action.title}",
                    reverse("delivery:review-return", args=[ret.pk]),
                )
            )
        more = submitted.count() - WAITING_LISTED
        if more > 0:
            found.append(Waiting(f"{more} more quarterly returns to agree", reverse("delivery:home")))
    return found
