"""Every write of the delivery app: atomic, checked, and in the access log (by object type and id, never text).

Bad input raises :class:`InputError` (a message per field, named as on the form) and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from safer.core.audit import record_access
from safer.core.models import AccessAction, Agency, Partnership, User
from safer.core.services import InputError as InputError  # re-exported for the views
from safer.core.services import ServiceError
from safer.delivery.models import (
    BudgetLine,
    ComplianceLink,
    DeliveryPlan,
    DeliveryPlanStatus,
    EqualityImpact,
    FundingSource,
    MeasureKind,
    MeasureReading,
    Milestone,
    MonitoringQuarter,
    PerformanceMeasure,
    ProtectedCharacteristic,
    QuarterlyReturn,
    Rag,
    ReturnStatus,
    Spend,
    TacticalAction,
    validate_financial_year,
)
from safer.plans import services as plans_services
from safer.plans.models import (
    DeliveryGroup,
    Frequency,
    Measure,
    MeasureSource,
    PartnerObjective,
    Plan,
    Priority,
    Tag,
)

MAX_MONEY = Decimal("9999999999.99")


class FrozenError(ServiceError):
    """The delivery plan is published: its actions, measures and budgets no longer change."""


def _frozen(delivery_plan: DeliveryPlan) -> None:
    if delivery_plan.is_frozen:
        raise FrozenError(f"{delivery_plan.title} is published, so it cannot change. Start a new version to change it.")


def _log(
    action: AccessAction,
    actor: User | None,
    partnership: Partnership,
    object_type: str,
    object_id: Any,
    detail: str,
    request: HttpRequest | None,
) -> None:
    record_access(
        action=action,
        actor=actor,
        partnership=partnership,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        request=request,
    )


def parse_money(raw: object, label: str) -> Decimal:
    """'£1,250.50' or '1250.5' → Decimal; anything else is a message naming the field."""
    text = str(raw if raw is not None else "").strip().replace("£", "").replace(",", "")
    if text == "":
        return Decimal("0")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ServiceError(f"Enter {label} as an amount in pounds, like 1250 or 1,250.50") from None
    if not value.is_finite() or value < 0:
        raise ServiceError(f"Enter {label} as an amount in pounds of 0 or more, like 1250")
    if value > MAX_MONEY or value != value.quantize(Decimal("0.01")):
        raise ServiceError(f"Enter {label} in pounds and pence, like 1250.50")
    return value


def parse_number(raw: object, label: str) -> Decimal | None:
    """A measure's figure: blank is 'no figure'; words are refused with a message naming the measure."""
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if text.endswith("%"):
        text = text[:-1].strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ServiceError(f"Enter the figure for {label} as a number, like 12") from None
    if not value.is_finite() or abs(value) > MAX_MONEY:
        raise ServiceError(f"Enter the figure for {label} as a number, like 12")
    return value.quantize(Decimal("0.01"))


# Delivery plans --------------------------------------------------------------------------------------------


@transaction.atomic
def create_delivery_plan(
    *,
    partnership: Partnership,
    plan: Plan,
    financial_year: str,
    title: str = "",
    actor: User | None,
    request: HttpRequest | None = None,
) -> DeliveryPlan:
    errors: dict[str, str] = {}
    year = (financial_year or "").strip()
    try:
        validate_financial_year(year)
    except Exception:
        errors["financial_year"] = "Enter the financial year like 2024-25"
    if plan.partnership_id != partnership.pk:
        errors["plan"] = "Select a strategic plan of your partnership"
    if not errors and DeliveryPlan.objects.filter(partnership=partnership, financial_year=year).exists():
        errors["financial_year"] = f"There is already a delivery plan for {year}. Open it, or start a new version"
    if errors:
        raise InputError(errors)
    dp = DeliveryPlan.objects.create(
        partnership=partnership,
        plan=plan,
        financial_year=year,
        title=" ".join(title.split()) or f"Delivery Plan {year}",
        created_by=actor,
    )
    _log(AccessAction.CREATE, actor, partnership, "delivery_plan", dp.pk, "Delivery plan created", request)
    return dp


@transaction.atomic
def publish_delivery_plan(*, delivery_plan: DeliveryPlan, actor: User, request: HttpRequest | None = None) -> None:
    _frozen(delivery_plan)
    if not delivery_plan.actions.exists():
        raise ServiceError("Add at least one tactical action before publishing the delivery plan")
    delivery_plan.status = DeliveryPlanStatus.PUBLISHED
    delivery_plan.published_at = timezone.now()
    delivery_plan.published_by = actor
    delivery_plan.save(update_fields=["status", "published_at", "published_by"])
    _log(AccessAction.CHANGE, actor, delivery_plan.partnership, "delivery_plan", delivery_plan.pk, "Published", request)


@transaction.atomic
def new_version(*, delivery_plan: DeliveryPlan, actor: User, request: HttpRequest | None = None) -> DeliveryPlan:
    """A draft copy of a published plan (actions, measures, milestones, budgets, links); monitoring stays put."""
    if not delivery_plan.is_frozen:
        raise ServiceError("This delivery plan is still a draft: change it directly")
    latest = (
        DeliveryPlan.objects.filter(partnership=delivery_plan.partnership, financial_year=delivery_plan.financial_year)
        .order_by("-version")
        .first()
    )
    assert latest is not None
    if latest.pk != delivery_plan.pk:
        raise ServiceError(f"Version {latest.version} already exists. Open it to make changes")
    copy = DeliveryPlan.objects.create(
        partnership=delivery_plan.partnership,
        plan=delivery_plan.plan,
        financial_year=delivery_plan.financial_year,
        title=delivery_plan.title,
        version=delivery_plan.version + 1,
        previous=delivery_plan,
        created_by=actor,
    )
    for action in delivery_plan.actions.prefetch_related("priorities", "partner_agencies", "pillars"):
        old_pk = action.pk
        priorities = list(action.priorities.all())
        partners = list(action.partner_agencies.all())
        pillars = list(action.pillars.all())
        action.pk = None
        action.id = None
        action.delivery_plan = copy
        action.save()
        action.priorities.set(priorities)
        action.partner_agencies.set(partners)
        action.pillars.set(pillars)
        for line in BudgetLine.objects.filter(action_id=old_pk):
            BudgetLine.objects.create(
                action=action, source=line.source, description=line.description, amount=line.amount
            )
        for m in PerformanceMeasure.objects.filter(action_id=old_pk):
            m.pk = None
            m.id = None
            m.action = action
            m.save()
        for ms in Milestone.objects.filter(action_id=old_pk):
            ms.pk = None
            ms.id = None
            ms.action = action
            ms.save()
        for link in ComplianceLink.objects.filter(action_id=old_pk):
            ComplianceLink.objects.create(action=action, objective_id=link.objective_id, note=link.note)
    _log(AccessAction.CREATE, actor, copy.partnership, "delivery_plan", copy.pk, f"Version {copy.version}", request)
    return copy


# Tactical actions -------------------------------------------------------------------------------------------


@dataclass
class ActionInput:
    reference: str
    title: str
    priority_ids: Sequence[int]
    lead_agency_id: int | None
    owner_id: int | None
    description: str = ""
    pillar_ids: Sequence[int] = ()
    partner_agency_ids: Sequence[int] = ()
    other_partners: str = ""
    task_group_id: int | None = None
    sara_stage: str = "scanning"
    scanning: str = ""
    analysis: str = ""
    response: str = ""
    assessment: str = ""
    local_need: str = ""
    provider: str = ""
    sla: str = ""
    budgets: Mapping[str, object] | None = None  # funding source -> amount (one line per source)


def priorities_of(plan: Plan) -> QuerySet[Priority]:
    return Priority.objects.filter(plan=plan)


def tags_of(plan: Plan) -> QuerySet[Tag]:
    return Tag.objects.filter(plan=plan)


def groups_in(partnership: Partnership) -> QuerySet[DeliveryGroup]:
    return DeliveryGroup.objects.filter(partnership=partnership)


def feedable_measures(partnership: Partnership) -> QuerySet[Measure]:
    """Strategic measures a quarterly figure can be entered into: the partner-entered, quarterly ones."""
    return Measure.objects.filter(
        partnership=partnership, source=MeasureSource.PARTNER, frequency=Frequency.QUARTERLY
    ).order_by("name")


def owners_in(partnership: Partnership) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, memberships__agency__partnership=partnership, memberships__is_active=True)
        .distinct()
        .order_by("full_name")
    )


def _check_action(delivery_plan: DeliveryPlan, data: ActionInput, action: TacticalAction | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    partnership = delivery_plan.partnership
    reference = " ".join((data.reference or "").split())
    if not reference:
        errors["reference"] = "Enter the action's reference, like 1.3"
    elif len(reference) > 10:
        errors["reference"] = "The reference must be 10 characters or fewer, like 1.3"
    else:
        taken = TacticalAction.objects.filter(delivery_plan=delivery_plan, reference__iexact=reference)
        if action is not None:
            taken = taken.exclude(pk=action.pk)
        if taken.exists():
            errors["reference"] = f"There is already an action {reference} in this delivery plan. Enter another"
    title = " ".join((data.title or "").split())
    if not title:
        errors["title"] = "Enter the action's title"
    priorities = list(priorities_of(delivery_plan.plan).filter(pk__in=list(data.priority_ids)))
    if not data.priority_ids:
        errors["priorities"] = "Select at least one priority the action serves"
    elif len(priorities) != len(set(data.priority_ids)):
        errors["priorities"] = "Select priorities of this delivery plan's strategic plan"
    agencies = Agency.objects.filter(partnership=partnership)
    lead = agencies.filter(pk=data.lead_agency_id).first() if data.lead_agency_id else None
    if lead is None:
        errors["lead_agency"] = "Select the lead agency"
    owner = owners_in(partnership).filter(pk=data.owner_id).first() if data.owner_id else None
    if owner is None:
        errors["owner"] = "Select the action's owner: someone who works in the partnership"
    partners = list(agencies.filter(pk__in=list(data.partner_agency_ids)))
    pillars = list(tags_of(delivery_plan.plan).filter(pk__in=list(data.pillar_ids)))
    if len(pillars) != len(set(data.pillar_ids)):
        errors["pillars"] = "Select pillars and themes of this delivery plan's strategic plan"
    group = None
    if data.task_group_id:
        group = groups_in(partnership).filter(pk=data.task_group_id).first()
        if group is None:
            errors["task_group"] = "Select a group of your partnership"
    budgets: dict[str, Decimal] = {}
    for source, label in FundingSource.choices:
        raw = (data.budgets or {}).get(source)
        try:
            budgets[source] = parse_money(raw, f"the {label} budget")
        except ServiceError as exc:
            errors[f"budget_{source}"] = str(exc)
    if errors:
        raise InputError(errors)
    return {
        "reference": reference,
        "title": title,
        "priorities": priorities,
        "lead": lead,
        "owner": owner,
        "partners": partners,
        "pillars": pillars,
        "group": group,
        "budgets": budgets,
    }


def _write_action(
    delivery_plan: DeliveryPlan, data: ActionInput, checked: dict[str, Any], action: TacticalAction | None
) -> TacticalAction:
    fields = {
        "reference": checked["reference"],
        "title": checked["title"],
        "description": data.description.strip(),
        "lead_agency": checked["lead"],
        "owner": checked["owner"],
        "other_partners": data.other_partners.strip(),
        "task_group": checked["group"],
        "sara_stage": data.sara_stage or "scanning",
        "scanning": data.scanning.strip(),
        "analysis": data.analysis.strip(),
        "response": data.response.strip(),
        "assessment": data.assessment.strip(),
        "local_need": data.local_need.strip(),
        "provider": data.provider.strip(),
        "sla": data.sla.strip(),
    }
    if action is None:
        action = TacticalAction.objects.create(delivery_plan=delivery_plan, **fields)
    else:
        for key, value in fields.items():
            setattr(action, key, value)
        action.save()
    action.priorities.set(checked["priorities"])
    action.partner_agencies.set(checked["partners"])
    action.pillars.set(checked["pillars"])
    if data.budgets is not None:
        for source, amount in checked["budgets"].items():
            line = BudgetLine.objects.filter(action=action, source=source).order_by("id").first()
            if line is None and amount:
                BudgetLine.objects.create(action=action, source=source, amount=amount)
            elif line is not None and line.amount != amount:
                if amount == 0 and not line.spends.exists():
                    line.delete()
                else:
                    line.amount = amount
                    line.save(update_fields=["amount"])
    return action


@transaction.atomic
def save_action(
    *,
    delivery_plan: DeliveryPlan,
    data: ActionInput,
    action: TacticalAction | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> TacticalAction:
    _frozen(delivery_plan)
    checked = _check_action(delivery_plan, data, action)
    created = action is None
    saved = _write_action(delivery_plan, data, checked, action)
    _log(
        AccessAction.CREATE if created else AccessAction.CHANGE,
        actor,
        delivery_plan.partnership,
        "tactical_action",
        saved.pk,
        "Tactical action added" if created else "Tactical action changed",
        request,
    )
    return saved


@transaction.atomic
def add_measure(
    *,
    action: TacticalAction,
    title: str,
    kind: str,
    unit: str = "",
    target: object = "",
    direction: str = "up",
    accumulation: str = "sum",
    feeds_id: int | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> PerformanceMeasure:
    _frozen(action.delivery_plan)
    errors: dict[str, str] = {}
    clean_title = " ".join((title or "").split())
    if not clean_title:
        errors["title"] = "Enter what the measure counts or describes"
    if kind not in MeasureKind.values:
        errors["kind"] = "Select whether the measure is quantitative or qualitative"
    value: Decimal | None = None
    try:
        value = parse_number(target, "the target")
    except ServiceError:
        errors["target"] = "Enter the target as a number, like 12, or leave it blank"
    if kind == MeasureKind.QUALITATIVE and value is not None:
        errors["target"] = "A qualitative measure has no numeric target: leave the target blank"
    feeds = None
    if feeds_id:
        feeds = feedable_measures(action.delivery_plan.partnership).filter(pk=feeds_id).first()
        if feeds is None:
            errors["feeds"] = "Select a strategic measure of your partnership entered by partners each quarter"
        elif kind != MeasureKind.QUANTITATIVE:
            errors["feeds"] = "Only a quantitative measure's figures can feed a strategic measure"
    if errors:
        raise InputError(errors)
    measure = PerformanceMeasure.objects.create(
        feeds=feeds,
        action=action,
        title=clean_title,
        kind=kind,
        unit=unit.strip(),
        target=value,
        direction=direction or "up",
        accumulation=accumulation or "sum",
    )
    _log(
        AccessAction.CREATE,
        actor,
        action.delivery_plan.partnership,
        "performance_measure",
        measure.pk,
        "Measure added",
        request,
    )
    return measure


@transaction.atomic
def add_milestone(
    *, action: TacticalAction, title: str, due_on: date | None, actor: User | None, request: HttpRequest | None = None
) -> Milestone:
    _frozen(action.delivery_plan)
    errors: dict[str, str] = {}
    clean = " ".join((title or "").split())
    if not clean:
        errors["title"] = "Enter the milestone"
    if due_on is None:
        errors["due_on"] = "Enter the date the milestone is due, like 30 6 2024"
    if errors:
        raise InputError(errors)
    assert due_on is not None
    ms = Milestone.objects.create(action=action, title=clean, due_on=due_on)
    _log(AccessAction.CREATE, actor, action.delivery_plan.partnership, "milestone", ms.pk, "Milestone added", request)
    return ms


@transaction.atomic
def set_milestone_done(
    *, milestone: Milestone, done: bool, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Progress, not plan: allowed on a published plan."""
    milestone.done = done
    milestone.done_on = timezone.localdate() if done else None
    milestone.save(update_fields=["done", "done_on"])
    _log(
        AccessAction.CHANGE,
        actor,
        milestone.action.delivery_plan.partnership,
        "milestone",
        milestone.pk,
        "Milestone done" if done else "Milestone not done",
        request,
    )


# Quarterly monitoring ---------------------------------------------------------------------------------------


def quarter_end(delivery_plan: DeliveryPlan, quarter: int) -> date:
    year = delivery_plan.first_year
    return {1: date(year, 6, 30), 2: date(year, 9, 30), 3: date(year, 12, 31), 4: date(year + 1, 3, 31)}[quarter]


@transaction.atomic
def open_quarter(
    *,
    delivery_plan: DeliveryPlan,
    quarter: int,
    due_on: date | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> MonitoringQuarter:
    """Task every action's owner with a return for the quarter (one return per action)."""
    if quarter not in (1, 2, 3, 4):
        raise InputError({"quarter": "Select a quarter from Q1 to Q4"})
    if not delivery_plan.is_frozen:
        raise ServiceError(
            "Publish the delivery plan before opening a quarter: returns are made against the agreed plan"
        )
    if MonitoringQuarter.objects.filter(delivery_plan=delivery_plan, quarter=quarter).exists():
        raise InputError({"quarter": f"Q{quarter} is already open. Each action has its Q{quarter} return"})
    due = due_on or quarter_end(delivery_plan, quarter)
    opened = MonitoringQuarter.objects.create(delivery_plan=delivery_plan, quarter=quarter, due_on=due, opened_by=actor)
    actions = sorted(delivery_plan.actions.select_related("owner"), key=lambda a: a.sort_key)
    bulk_create_with_history(
        [QuarterlyReturn(action=a, quarter=quarter, owner_id=a.owner_id) for a in actions],
        QuarterlyReturn,
        default_user=actor,
    )
    _tell_owners(delivery_plan, quarter, due, actions)
    _log(
        AccessAction.CREATE,
        actor,
        delivery_plan.partnership,
        "delivery_plan",
        delivery_plan.pk,
        f"Q{quarter} opened: {len(actions)} returns tasked",
        request,
    )
    return opened


def _tell_owners(delivery_plan: DeliveryPlan, quarter: int, due: date, actions: list[TacticalAction]) -> None:
    """One e-mail per owner (after the commit) listing their actions, with the link to their returns."""
    by_owner: dict[int, list[TacticalAction]] = {}
    for action in actions:
        by_owner.setdefault(action.owner_id, []).append(action)
    link = settings.SITE_URL + reverse("delivery:my-returns")
    for owned in by_owner.values():
        owner = owned[0].owner
        body = render_to_string(
            "delivery/email/quarter_opened.txt",
            {
                "owner": owner,
                "delivery_plan": delivery_plan,
                "quarter": quarter,
                "due_on": due,
                "actions": owned,
                "link": link,
            },
        )
        subject = f"Q{quarter} monitoring return due {due:%-d %B %Y}: {delivery_plan.title}"
        transaction.on_commit(
            partial(send_mail, subject=subject, message=body, from_email=None, recipient_list=[owner.email])
        )


def previous_rag(ret: QuarterlyReturn) -> str:
    earlier = (
        QuarterlyReturn.objects.filter(action_id=ret.action_id, quarter__lt=ret.quarter)
        .exclude(agreed_rag="", proposed_rag="")
        .order_by("-quarter")
        .first()
    )
    return earlier.rag if earlier else ""


@dataclass
class ReturnInput:
    progress: str
    proposed_rag: str
    rag_reason: str = ""
    barriers: str = ""
    mitigations: str = ""
    readings: Mapping[int, object] | None = None  # measure id -> raw figure or words
    spends: Mapping[int, object] | None = None  # budget line id -> raw amount in the quarter


@dataclass
class Submitted:
    quarterly_return: QuarterlyReturn
    warnings: list[str]


@transaction.atomic
def submit_return(
    *, quarterly_return: QuarterlyReturn, data: ReturnInput, actor: User, request: HttpRequest | None = None
) -> Submitted:
    """The owner's return. A RAG that differs from last quarter's, or is Amber or Red, needs a reason.
    Spend over budget is allowed and flagged (a warning, and on every report)."""
    ret = QuarterlyReturn.objects.select_for_update().get(pk=quarterly_return.pk)
    if ret.status == ReturnStatus.AGREED:
        raise ServiceError(f"The Q{ret.quarter} return was agreed by the chair, so it can no longer change")
    action = ret.action
    errors: dict[str, str] = {}
    if not data.progress.strip():
        errors["progress"] = "Enter the progress made this quarter"
    if data.proposed_rag not in Rag.values:
        errors["proposed_rag"] = "Select a RAG status: Red, Amber or Green"
    before = previous_rag(ret)
    reason = data.rag_reason.strip()
    if data.proposed_rag in Rag.values and not reason:
        label = Rag(data.proposed_rag).label
        if before and before != data.proposed_rag:
            errors["rag_reason"] = f"Explain why the RAG changed from {Rag(before).label} to {label}"
        elif data.proposed_rag in (Rag.AMBER, Rag.RED):
            errors["rag_reason"] = f"Explain why the action is {label}"
    if data.proposed_rag in (Rag.AMBER, Rag.RED) and not data.barriers.strip():
        errors["barriers"] = "Describe the barriers that make the action Amber or Red"
    measures = {m.pk: m for m in action.measures.all()}
    readings: dict[int, tuple[Decimal | None, str]] = {}
    for measure_id, raw in (data.readings or {}).items():
        measure = measures.get(int(measure_id))
        if measure is None:
            continue
        if measure.is_quantitative:
            try:
                readings[measure.pk] = (parse_number(raw, f"“{measure.title}”"), "")
            except ServiceError as exc:
                errors[f"measure_{measure.pk}"] = str(exc)
        else:
            readings[measure.pk] = (None, str(raw or "").strip())
    lines = {line.pk: line for line in action.budget_lines.all()}
    spends: dict[int, Decimal] = {}
    for line_id, raw in (data.spends or {}).items():
        line = lines.get(int(line_id))
        if line is None:
            continue
        try:
            spends[line.pk] = parse_money(raw, f"the {line.get_source_display()} spend this quarter")
        except ServiceError as exc:
            errors[f"spend_{line.pk}"] = str(exc)
    if errors:
        raise InputError(errors)
    ret.progress = data.progress.strip()
    ret.proposed_rag = data.proposed_rag
    ret.rag_reason = reason
    ret.barriers = data.barriers.strip()
    ret.mitigations = data.mitigations.strip()
    ret.status = ReturnStatus.SUBMITTED
    ret.submitted_at = timezone.now()
    ret.submitted_by = actor
    ret.save()
    for measure_id, (value, text) in readings.items():
        MeasureReading.objects.update_or_create(
            quarterly_return=ret, measure_id=measure_id, defaults={"value": value, "text": text}
        )
    for line_id, amount in spends.items():
        Spend.objects.update_or_create(quarterly_return=ret, budget_line_id=line_id, defaults={"amount": amount})
    warnings = []
    for line in lines.values():
        to_date = sum(
            (s.amount for s in Spend.objects.filter(budget_line=line, quarterly_return__quarter__lte=ret.quarter)),
            Decimal("0"),
        )
        if to_date > line.amount:
            warnings.append(
                f"{line.get_source_display()} spend to date (£{to_date:,.2f}) is over its budget "
                f"(£{line.amount:,.2f}) by £{to_date - line.amount:,.2f}. It is saved and flagged for the chair"
            )
    _log(
        AccessAction.CHANGE,
        actor,
        action.delivery_plan.partnership,
        "quarterly_return",
        ret.pk,
        f"Q{ret.quarter} return submitted",
        request,
    )
    return Submitted(ret, warnings)


@transaction.atomic
def agree_return(
    *,
    quarterly_return: QuarterlyReturn,
    agreed_rag: str,
    comment: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> QuarterlyReturn:
    """The chair agrees the return; a RAG other than the owner's proposal needs a comment saying why."""
    ret = QuarterlyReturn.objects.select_for_update().get(pk=quarterly_return.pk)
    if ret.status == ReturnStatus.TASK_SENT:
        raise ServiceError("The owner has not submitted this return yet")
    if ret.status == ReturnStatus.AGREED:
        raise ServiceError("This return has already been agreed")
    errors: dict[str, str] = {}
    if agreed_rag not in Rag.values:
        errors["agreed_rag"] = "Select the RAG status you agree: Red, Amber or Green"
    elif agreed_rag != ret.proposed_rag and not comment.strip():
        errors["chair_comment"] = (
            f"Explain why you changed the RAG from {Rag(ret.proposed_rag).label} to {Rag(agreed_rag).label}"
        )
    if errors:
        raise InputError(errors)
    ret.agreed_rag = agreed_rag
    ret.chair_comment = comment.strip()
    ret.status = ReturnStatus.AGREED
    ret.agreed_at = timezone.now()
    ret.agreed_by = actor
    ret.save()
    _feed_strategic_measures(ret, actor, request)
    _log(
        AccessAction.CHANGE,
        actor,
        ret.action.delivery_plan.partnership,
        "quarterly_return",
        ret.pk,
        f"Q{ret.quarter} return agreed",
        request,
    )
    return ret


def quarter_start(delivery_plan: DeliveryPlan, quarter: int) -> date:
    year = delivery_plan.first_year
    return {1: date(year, 4, 1), 2: date(year, 7, 1), 3: date(year, 10, 1), 4: date(year + 1, 1, 1)}[quarter]


def _feed_strategic_measures(ret: QuarterlyReturn, actor: User, request: HttpRequest | None) -> None:
    """An agreed figure of a measure that feeds a strategic measure is entered there, as the chair, for the quarter."""
    dp = ret.action.delivery_plan
    for reading in ret.readings.select_related("measure", "measure__feeds"):
        target = reading.measure.feeds
        if target is None or reading.value is None:
            continue
        try:
            plans_services.enter_value(
                measure=target,
                period_start=quarter_start(dp, ret.quarter),
                period_end=quarter_end(dp, ret.quarter),
                raw_value=reading.value,
                source_note=f"Q{ret.quarter} return for action {ret.action.reference}, agreed by the chair",
                actor=actor,
                request=request,
            )
        except ServiceError as exc:
            raise InputError(
                {"agreed_rag": f"The figure for “{reading.measure.title}” could not go into {target.name}: {exc}"}
            ) from None


@transaction.atomic
def return_to_owner(
    *, quarterly_return: QuarterlyReturn, comment: str, actor: User, request: HttpRequest | None = None
) -> QuarterlyReturn:
    """The chair sends a submitted return back for more work (the comment says what is needed)."""
    ret = QuarterlyReturn.objects.select_for_update().get(pk=quarterly_return.pk)
    if ret.status != ReturnStatus.SUBMITTED:
        raise ServiceError("Only a submitted return can be sent back")
    if not comment.strip():
        raise InputError({"chair_comment": "Say what the owner needs to change"})
    ret.status = ReturnStatus.TASK_SENT
    ret.chair_comment = comment.strip()
    ret.save(update_fields=["status", "chair_comment"])
    _log(
        AccessAction.CHANGE,
        actor,
        ret.action.delivery_plan.partnership,
        "quarterly_return",
        ret.pk,
        "Sent back to the owner",
        request,
    )
    return ret


# Equality and compliance -----------------------------------------------------------------------------------


@transaction.atomic
def save_equality_impact(
    *,
    delivery_plan: DeliveryPlan,
    action: TacticalAction | None,
    characteristics: Iterable[str],
    impacts: str,
    mitigations: str,
    outcome: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> EqualityImpact:
    chosen = [c for c in characteristics if c in ProtectedCharacteristic.values]
    errors: dict[str, str] = {}
    if not chosen:
        errors["characteristics"] = "Select the protected characteristics you considered"
    if not impacts.strip():
        errors["impacts"] = "Describe the likely impacts, positive or negative, on people who share them"
    if outcome in ("adjust", "continue") and not mitigations.strip():
        errors["mitigations"] = "Describe how the adverse impacts will be removed, reduced or justified"
    if errors:
        raise InputError(errors)
    eia, created = EqualityImpact.objects.update_or_create(
        delivery_plan=delivery_plan,
        action=action,
        defaults={
            "characteristics": chosen,
            "impacts": impacts.strip(),
            "mitigations": mitigations.strip(),
            "outcome": outcome or "no_change",
            "assessed_by": actor,
            "assessed_on": timezone.localdate(),
        },
    )
    _log(
        AccessAction.CREATE if created else AccessAction.CHANGE,
        actor,
        delivery_plan.partnership,
        "equality_impact",
        eia.pk,
        "Equality impact recorded",
        request,
    )
    return eia


def objectives_of(partnership: Partnership, plan: Plan | None = None) -> QuerySet[PartnerObjective]:
    """Partner plans' objectives: those the strategic plan must align with, or (if it names none) all of them."""
    objectives = PartnerObjective.objects.filter(partner_plan__partnership=partnership).select_related("partner_plan")
    if plan is not None and plan.partner_plans.exists():
        objectives = objectives.filter(partner_plan__in=plan.partner_plans.all())
    return objectives.order_by("partner_plan__owner", "partner_plan__title", "order", "pk")


@transaction.atomic
def set_compliance(
    *, action: TacticalAction, objective_ids: Iterable[int], actor: User | None, request: HttpRequest | None = None
) -> int:
    """The partner objectives this action serves (replaces the set). Returns how many."""
    _frozen(action.delivery_plan)
    wanted = set(
        objectives_of(action.delivery_plan.partnership, action.delivery_plan.plan)
        .filter(pk__in=list(objective_ids))
        .values_list("pk", flat=True)
    )
    current = set(action.compliance_links.values_list("objective_id", flat=True))
    action.compliance_links.exclude(objective_id__in=wanted).delete()
    try:
        ComplianceLink.objects.bulk_create([ComplianceLink(action=action, objective_id=o) for o in wanted - current])
    except IntegrityError:  # pragma: no cover - two people saving at once
        raise ServiceError("Someone else changed these links at the same time. Try again") from None
    _log(
        AccessAction.CHANGE,
        actor,
        action.delivery_plan.partnership,
        "tactical_action",
        action.pk,
        f"Compliance: {len(wanted)} objectives",
        request,
    )
    return len(wanted)
