"""Writes for plans and performance: each atomic, checked whole before anything is saved, and in the access log.

A published plan is frozen: its text, tags and priorities cannot change; ``copy_plan`` starts the next version as a
draft (tags, priorities, delivery-group links, partner plans, and the measures with their targets and entered
figures). Targets and figures of a published plan's measures can still change (targets are renegotiated, figures
arrive every quarter): their history says who changed what and when.

Problems with what was entered raise ``InputError`` (field name -> message) so the page can put each message by its
field; nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safer.core.audit import record_access
from safer.core.models import AccessAction, Agency, Partnership, User
from safer.core.services import InputError as InputError  # re-exported for the views
from safer.core.services import ServiceError
from safer.plans.models import (
    DeliveryGroup,
    GapCompare,
    Measure,
    MeasureSource,
    MeasureValue,
    PartnerObjective,
    PartnerPlan,
    Plan,
    PlanStatus,
    Priority,
    Rag,
    RagOverride,
    SeriousViolenceReview,
    Tag,
    TagKind,
    Target,
    TargetKind,
    TrajectoryPoint,
)
from safer.plans.selectors import months_in, period_label

MAX_VALUE = Decimal("1e11")


def _log(
    action: str,
    actor: User | None,
    partnership: Partnership,
    kind: str,
    pk: int,
    detail: str,
    request: HttpRequest | None,
) -> None:
    record_access(
        action=action,
        actor=actor,
        partnership=partnership,
        object_type=kind,
        object_id=pk,
        detail=detail,
        request=request,
    )


def _frozen(plan: Plan) -> None:
    if plan.is_published:
        raise ServiceError(f"{plan} is published, so it cannot change. Start a new version to change it")


def _clean(text: str | None) -> str:
    return (text or "").strip()


def parse_number(raw: Any, label: str) -> Decimal:
    """A figure typed by a person: "1,250", "12.5", "33%" are numbers; anything else is refused, naming the field."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("£", "")
    if text.endswith("%"):
        text = text[:-1].strip()
    if not text:
        raise ServiceError(f"Enter {label}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ServiceError(f"Enter {label} as a number, like 1250 or 12.5 (you entered “{str(raw)[:40]}”)") from None
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        raise ServiceError(f"Enter {label} as a number, like 1250 or 12.5")
    return value


# ---- plans ---------------------------------------------------------------------------------------------------------


@dataclass
class PlanData:
    title: str
    period_start: date
    period_end: date
    vision: str = ""
    mission: str = ""
    principles: str = ""


def _check_plan(data: PlanData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = " ".join(_clean(data.title).split())
    if not title:
        errors["title"] = "Enter the plan's title, like Strategic Plan"
    if data.period_end <= data.period_start:
        errors["period_end"] = (
            f"The end of the period must be after its start ({data.period_start:%-d %B %Y}). "
            "For a plan for 2021-24, enter 31/03/2024"
        )
    if errors:
        raise InputError(errors)
    return {
        "title": title,
        "period_start": data.period_start,
        "period_end": data.period_end,
        "vision": _clean(data.vision),
        "mission": _clean(data.mission),
        "principles": _clean(data.principles),
    }


@transaction.atomic
def create_plan(
    *, partnership: Partnership, data: PlanData, actor: User | None, request: HttpRequest | None = None
) -> Plan:
    plan = Plan.objects.create(partnership=partnership, created_by=actor, **_check_plan(data))
    _log(AccessAction.CREATE, actor, partnership, "plan", plan.pk, "Plan created", request)
    return plan


@transaction.atomic
def update_plan(*, plan: Plan, data: PlanData, actor: User | None, request: HttpRequest | None = None) -> Plan:
    _frozen(plan)
    for name, value in _check_plan(data).items():
        setattr(plan, name, value)
    plan.save()
    _log(AccessAction.CHANGE, actor, plan.partnership, "plan", plan.pk, "Plan changed", request)
    return plan


@transaction.atomic
def publish_plan(*, plan: Plan, actor: User, request: HttpRequest | None = None) -> Plan:
    _frozen(plan)
    if not plan.priorities.exists():
        raise ServiceError("Add at least one priority before publishing the plan")
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = timezone.now()
    plan.published_by = actor
    plan.save(update_fields=["status", "published_at", "published_by"])
    _log(AccessAction.CHANGE, actor, plan.partnership, "plan", plan.pk, "Plan published", request)
    return plan


@transaction.atomic
def copy_plan(*, plan: Plan, actor: User | None, request: HttpRequest | None = None) -> Plan:
    """A new draft version of a plan, to change it (or to start the next period's plan from the last one)."""
    version = (
        Plan.objects.filter(partnership=plan.partnership, title=plan.title, period_start=plan.period_start)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or plan.version
    )
    copy = Plan.objects.create(
        partnership=plan.partnership,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        vision=plan.vision,
        mission=plan.mission,
        principles=plan.principles,
        version=version + 1,
        copied_from=plan,
        created_by=actor,
    )
    copy.partner_plans.set(plan.partner_plans.all())
    tags = {
        tag.pk: Tag.objects.create(plan=copy, name=tag.name, kind=tag.kind, description=tag.description)
        for tag in plan.tags.all()
    }
    measures: dict[int, Measure] = {}
    composites: list[tuple[Measure, list[int]]] = []
    for priority in plan.priorities.prefetch_related("tags", "delivery_groups", "measures__targets__trajectory"):
        new = Priority.objects.create(
            plan=copy, code=priority.code, title=priority.title, description=priority.description, order=priority.order
        )
        new.tags.set([tags[t.pk] for t in priority.tags.all()])
        for group in priority.delivery_groups.all():
            group.priorities.add(new)
        for measure in priority.measures.all():
            old_pk = measure.pk
            component_ids = list(measure.components.values_list("pk", flat=True))
            measure.pk = None
            measure.id = None
            measure.priority = new
            measure.created_by = actor
            measure.created_at = timezone.now()
            measure._state.adding = True
            measure.save()
            measures[old_pk] = measure
            if component_ids:
                composites.append((measure, component_ids))
            _copy_targets(old_pk, measure)
            MeasureValue.objects.bulk_create(
                MeasureValue(
                    measure=measure,
                    period_start=v.period_start,
                    period_end=v.period_end,
                    value=v.value,
                    source_note=v.source_note,
                    entered_by=v.entered_by,
                    entered_at=v.entered_at,
                )
                for v in MeasureValue.objects.filter(measure_id=old_pk)
            )
    for measure, component_ids in composites:
        measure.components.set([measures.get(pk) or pk for pk in component_ids])
    _log(AccessAction.CREATE, actor, plan.partnership, "plan", copy.pk, f"New version of plan {plan.pk}", request)
    return copy


def _copy_targets(old_measure_id: int, measure: Measure) -> None:
    for target in Target.objects.filter(measure_id=old_measure_id).prefetch_related("trajectory"):
        points = list(target.trajectory.all())
        target.pk = None
        target.id = None
        target.measure = measure
        target._state.adding = True
        target.save()
        TrajectoryPoint.objects.bulk_create(TrajectoryPoint(target=target, on=p.on, value=p.value) for p in points)


# ---- tags and priorities -------------------------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    return [n for n in dict.fromkeys(" ".join(part.split()) for part in re.split(r"[,\n]", text or "")) if n]


@transaction.atomic
def set_tags(
    *, plan: Plan, key_areas: str, pillars: str, themes: str, actor: User | None, request: HttpRequest | None = None
) -> list[Tag]:
    """The plan's key areas, pillars and themes, each a comma-separated list (a tag keeps its priorities)."""
    _frozen(plan)
    wanted: dict[str, TagKind] = {}
    errors: dict[str, str] = {}
    for field_name, kind, text in (
        ("key_areas", TagKind.KEY_AREA, key_areas),
        ("pillars", TagKind.PILLAR, pillars),
        ("themes", TagKind.THEME, themes),
    ):
        for name in _names(text):
            if len(name) > 100:
                errors[field_name] = f"“{name[:30]}…” is too long: keep each name to 100 characters"
            elif name.lower() in {n.lower() for n in wanted}:
                errors[field_name] = f"“{name}” appears twice. Use each name once"
            else:
                wanted[name] = kind
    if errors:
        raise InputError(errors)
    existing = {t.name.lower(): t for t in plan.tags.all()}
    kept = []
    for name, kind in wanted.items():
        tag = existing.pop(name.lower(), None)
        if tag is None:
            tag = Tag.objects.create(plan=plan, name=name, kind=kind)
        elif tag.kind != kind or tag.name != name:
            tag.kind, tag.name = kind, name
            tag.save()
        kept.append(tag)
    for tag in existing.values():
        tag.delete()
    _log(AccessAction.CHANGE, actor, plan.partnership, "plan", plan.pk, f"Tags: {len(kept)}", request)
    return kept


@dataclass
class PriorityData:
    code: str
    title: str
    description: str = ""
    order: int = 0
    tag_ids: Sequence[int] = ()
    group_ids: Sequence[int] = ()


def _check_priority(plan: Plan, data: PriorityData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = " ".join(_clean(data.title).split())
    if not title:
        errors["title"] = "Enter the priority, like Reduce re-offending"
    tags = list(plan.tags.filter(pk__in=list(data.tag_ids)))
    if len(tags) != len(set(data.tag_ids)):
        errors["tags"] = "Select themes and pillars of this plan"
    groups = list(DeliveryGroup.objects.filter(partnership=plan.partnership, pk__in=list(data.group_ids)))
    if len(groups) != len(set(data.group_ids)):
        errors["groups"] = "Select delivery groups of this partnership"
    if errors:
        raise InputError(errors)
    return {
        "title": title,
        "code": _clean(data.code)[:10],
        "description": _clean(data.description),
        "order": data.order,
        "tags": tags,
        "groups": groups,
    }


@transaction.atomic
def save_priority(
    *,
    plan: Plan,
    data: PriorityData,
    priority: Priority | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> Priority:
    _frozen(plan)
    checked = _check_priority(plan, data)
    tags, groups = checked.pop("tags"), checked.pop("groups")
    if priority is None:
        if not checked["order"]:
            checked["order"] = plan.priorities.count() + 1
        priority = Priority.objects.create(plan=plan, **checked)
        action = AccessAction.CREATE
    else:
        for name, value in checked.items():
            setattr(priority, name, value)
        priority.save()
        action = AccessAction.CHANGE
    priority.tags.set(tags)
    for group in DeliveryGroup.objects.filter(partnership=plan.partnership):
        if group in groups:
            group.priorities.add(priority)
        else:
            group.priorities.remove(priority)
    _log(action, actor, plan.partnership, "priority", priority.pk, "Priority saved", request)
    return priority


@transaction.atomic
def delete_priority(*, priority: Priority, actor: User | None, request: HttpRequest | None = None) -> None:
    _frozen(priority.plan)
    if priority.measures.exists():
        raise ServiceError("This priority has measures. Move or delete them first")
    pk, partnership = priority.pk, priority.plan.partnership
    priority.delete()
    _log(AccessAction.CHANGE, actor, partnership, "priority", pk, "Priority deleted", request)


# ---- delivery groups, partner plans ----------------------------------------------------------------------------------


@transaction.atomic
def save_group(
    *,
    partnership: Partnership,
    name: str,
    chair: str = "",
    reports_to: str = "",
    remit: str = "",
    group: DeliveryGroup | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> DeliveryGroup:
    cleaned = " ".join(_clean(name).split())
    if not cleaned:
        raise InputError({"name": "Enter the group's name, like Domestic Abuse Forum"})
    taken = DeliveryGroup.objects.filter(partnership=partnership, name__iexact=cleaned)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise InputError({"name": f"There is already a group called {cleaned}. Enter a different name"})
    fields = {"name": cleaned, "chair": _clean(chair), "reports_to": _clean(reports_to), "remit": _clean(remit)}
    if group is None:
        group = DeliveryGroup.objects.create(partnership=partnership, **fields)
    else:
        for key, value in fields.items():
            setattr(group, key, value)
        group.save()
    _log(AccessAction.CHANGE, actor, partnership, "delivery_group", group.pk, "Group saved", request)
    return group


@transaction.atomic
def save_partner_plan(
    *,
    partnership: Partnership,
    owner: str,
    title: str,
    period: str = "",
    objectives: str = "",
    partner_plan: PartnerPlan | None = None,
    agency: Agency | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> PartnerPlan:
    """A partner's plan with its objectives, one a line ("1. Reduce offending" keeps 1 as its code)."""
    errors: dict[str, str] = {}
    if not _clean(owner):
        errors["owner"] = "Enter whose plan it is, like the Police and Crime Commissioner"
    if not _clean(title):
        errors["title"] = "Enter the plan's title, like Police and Crime Plan 2021-24"
    lines = [line.strip() for line in (objectives or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        if len(line) > 500:
            errors["objectives"] = f"Line {number} is longer than 500 characters. Shorten it or split it"
    if errors:
        raise InputError(errors)
    fields = {"owner": _clean(owner), "title": _clean(title), "period": _clean(period)[:40], "agency": agency}
    if partner_plan is None:
        partner_plan = PartnerPlan.objects.create(partnership=partnership, **fields)
    else:
        for key, value in fields.items():
            setattr(partner_plan, key, value)
        partner_plan.save()
    existing = {o.text: o for o in partner_plan.objectives.all()}
    keep = []
    for order, line in enumerate(lines, start=1):
        match = re.match(r"^([A-Za-z0-9]{1,6})[.)]\s+(.*)$", line)
        code, text = (match.group(1), match.group(2)) if match else ("", line)
        objective = existing.pop(text, None) or PartnerObjective(partner_plan=partner_plan, text=text)
        objective.code, objective.order = code, order
        objective.save()
        keep.append(objective.pk)
    PartnerObjective.objects.filter(partner_plan=partner_plan).exclude(pk__in=keep).delete()
    _log(AccessAction.CHANGE, actor, partnership, "partner_plan", partner_plan.pk, f"{len(keep)} objectives", request)
    return partner_plan


@transaction.atomic
def set_partner_plans(
    *, plan: Plan, ids: Iterable[int], actor: User | None, request: HttpRequest | None = None
) -> None:
    _frozen(plan)
    wanted = list(PartnerPlan.objects.filter(partnership=plan.partnership, pk__in=list(ids)))
    plan.partner_plans.set(wanted)
    _log(
        AccessAction.CHANGE,
        actor,
        plan.partnership,
        "plan",
        plan.pk,
        f"Aligned with {len(wanted)} partner plans",
        request,
    )


# ---- Serious Violence Duty reviews ---------------------------------------------------------------------------------


@transaction.atomic
def save_review(
    *,
    partnership: Partnership,
    fields: dict[str, Any],
    review: SeriousViolenceReview | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> SeriousViolenceReview:
    errors: dict[str, str] = {}
    plan = fields.get("plan")
    if plan is not None and plan.partnership_id != partnership.pk:
        errors["plan"] = "Select a plan of your partnership"
    nxt, on = fields.get("next_review_on"), fields.get("reviewed_on")
    if nxt is not None and on is not None and nxt <= on:
        errors["next_review_on"] = (
            f"The next review must be after this one ({on:%-d %B %Y}); the duty expects a yearly review"
        )
    if errors:
        raise InputError(errors)
    if review is None:
        review = SeriousViolenceReview.objects.create(partnership=partnership, created_by=actor, **fields)
        action = AccessAction.CREATE
    else:
        for key, value in fields.items():
            setattr(review, key, value)
        review.save()
        action = AccessAction.CHANGE
    _log(action, actor, partnership, "serious_violence_review", review.pk, "Review saved", request)
    return review


# ---- measures ------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_measure(
    *,
    partnership: Partnership,
    fields: dict[str, Any],
    components: Sequence[int] = (),
    measure: Measure | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
) -> Measure:
    """Check a measure whole (its source decides which fields it needs) and save it."""
    from safer.intelligence import selectors as intelligence
    from safer.intelligence.models import PriorityArea

    errors: dict[str, str] = {}
    priority = fields.get("priority")
    if priority is not None and priority.plan.partnership_id != partnership.pk:
        errors["priority"] = "Select a priority of your partnership's plans"
    source = fields.get("source")
    chosen: list[Measure] = []
    if source == MeasureSource.INTELLIGENCE:
        slugs = {d.slug for d in intelligence.datasets()}
        if fields.get("dataset") not in slugs:
            errors["dataset"] = "Select what the police.uk data should count"
        area = fields.get("priority_area")
        if area is not None:
            if not isinstance(area, PriorityArea) or area.partnership_id != partnership.pk:
                errors["priority_area"] = "Select a priority area of your partnership"
            fields["unit"] = "percent"
            fields["frequency"] = "annual"
            fields["gap_compare"] = fields.get("gap_compare") or GapCompare.REST
        elif fields.get("unit") not in ("count", None):
            errors["unit"] = "A count from the police.uk data is a count: choose Count"
        fields["owner_agency"] = None
    else:
        fields["dataset"] = ""
        fields["priority_area"] = None
    if source == MeasureSource.PARTNER:
        agency = fields.get("owner_agency")
        if agency is not None and agency.partnership_id != partnership.pk:
            errors["owner_agency"] = "Select an agency of your partnership"
    if source == MeasureSource.COMPOSITE:
        fields["owner_agency"] = None
        chosen = list(
            Measure.objects.filter(partnership=partnership, pk__in=list(components)).exclude(
                source=MeasureSource.COMPOSITE
            )
        )
        if measure is not None:
            chosen = [m for m in chosen if m.pk != measure.pk]
        if len(chosen) < 2:
            errors["components"] = "Select at least two measures whose improvement this counts"
        fields["unit"] = "count"
        fields["polarity"] = "up"
    if errors:
        raise InputError(errors)
    if measure is None:
        measure = Measure.objects.create(partnership=partnership, created_by=actor, **fields)
        action = AccessAction.CREATE
    else:
        for key, value in fields.items():
            setattr(measure, key, value)
        measure.save()
        action = AccessAction.CHANGE
    measure.components.set(chosen)
    _log(action, actor, partnership, "measure", measure.pk, "Measure saved", request)
    return measure


# ---- targets -------------------------------------------------------------------------------------------------------


@dataclass
class TargetData:
    kind: str
    wording: str = ""
    baseline_start: date | None = None
    baseline_end: date | None = None
    baseline_value: Decimal | None = None
    percent_change: Decimal | None = None
    target_value: Decimal | None = None
    required_count: int | None = None
    required_fraction: Decimal | None = None
    target_date: date | None = None
    amber_tolerance: Decimal = Decimal(5)
    trajectory: str = ""  # one point a line: "31/03/2006 22250"


ZERO_BASELINE = (
    "A percentage change of a zero baseline is always zero, so it cannot be a target. Set an absolute target "
    "instead: choose “Reach a level” and enter the level to reach, like 0 or 5"
)


def _parse_points(text: str) -> tuple[list[tuple[date, Decimal]], str | None]:
    points = []
    for number, line in enumerate([line for line in (text or "").splitlines() if line.strip()], start=1):
        parts = [part.strip().rstrip(",;") for part in line.strip().split(None, 1)]
        if len(parts) != 2 or " " in parts[1]:
            return [], f"Line {number} of the trajectory: enter a date and a value, like 31/03/2006 22250"
        day: date | None = None
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                day = datetime.strptime(parts[0], fmt).date()  # noqa: DTZ007 - a date, no time
                break
            except ValueError:
                continue
        if day is None:
            return [], f"Line {number} of the trajectory: “{parts[0][:20]}” is not a date. Enter it like 31/03/2006"
        try:
            value = parse_number(parts[1], f"the value on line {number} of the trajectory")
        except ServiceError as exc:
            return [], str(exc)
        points.append((day, value))
    return points, None


def check_target(measure: Measure, data: TargetData) -> list[tuple[date, Decimal]]:
    """Every rule a target must follow; raises InputError naming each field in error."""
    errors: dict[str, str] = {}
    kind = data.kind
    composite = measure.source == MeasureSource.COMPOSITE
    if kind not in TargetKind.values:
        errors["kind"] = "Select the kind of target"
    elif composite and kind != TargetKind.COMPOSITE:
        errors["kind"] = "This measure counts improved indicators: choose “Improve on a number of measures”"
    elif not composite and kind == TargetKind.COMPOSITE:
        errors["kind"] = "Only a measure that counts improved indicators can have this kind of target"
    if data.baseline_start and data.baseline_end and data.baseline_end < data.baseline_start:
        errors["baseline_end"] = f"The baseline period must end on or after its start ({data.baseline_start:%-d %B %Y})"
    if data.baseline_value is not None and not (data.baseline_start and data.baseline_end):
        errors["baseline_start"] = "Enter the baseline period the baseline value is for, like 01/04/2003 to 31/03/2004"
    baseline_limit = data.baseline_end or data.baseline_start
    if data.target_date and baseline_limit and data.target_date <= baseline_limit:
        errors["target_date"] = (
            f"The target date must be after the baseline period, which ends {baseline_limit:%-d %B %Y}. "
            "Check both dates"
        )
    if kind == TargetKind.PERCENT_CHANGE:
        if data.baseline_value is None:
            errors["baseline_value"] = "Enter the baseline value the percentage change is measured from"
        elif data.baseline_value == 0:
            errors["percent_change"] = ZERO_BASELINE
        if data.percent_change is None:
            errors.setdefault("percent_change", "Enter the percentage change, like -22 for a reduction of 22%")
        elif data.percent_change == 0:
            errors.setdefault("percent_change", "Enter a change other than 0%, like -22 for a reduction of 22%")
        elif data.percent_change <= -100:
            errors.setdefault("percent_change", "A reduction cannot be 100% or more. Enter a smaller reduction")
        if data.target_date is None:
            errors["target_date"] = "Enter the date the change should be reached by, like 31/03/2008"
    if kind in (TargetKind.ABSOLUTE, TargetKind.THRESHOLD) and data.target_value is None:
        errors["target_value"] = (
            "Enter the level to reach, like 19500"
            if kind == TargetKind.ABSOLUTE
            else "Enter the threshold, like 33 for a gap of no more than 33%"
        )
    if kind == TargetKind.COMPOSITE:
        total = measure.components.count()
        if (data.required_count is None) == (data.required_fraction is None):
            errors["required_count"] = (
                f"Enter either how many of the {total} measures must improve, "
                "or the share, like 0.75 for three-quarters"
            )
        elif data.required_count is not None and not 1 <= data.required_count <= total:
            errors["required_count"] = f"Enter a number from 1 to {total}: this measure counts {total} measures"
        elif data.required_fraction is not None and not 0 < data.required_fraction <= 1:
            errors["required_fraction"] = (
                "Enter the share as a fraction above 0 and up to 1, like 0.75 for three-quarters"
            )
    if not 0 <= data.amber_tolerance <= 100:
        errors["amber_tolerance"] = "Enter the amber tolerance as a percentage from 0 to 100, like 5"
    points, problem = _parse_points(data.trajectory)
    if problem:
        errors["trajectory"] = problem
    elif points and kind == TargetKind.COMPOSITE:
        errors["trajectory"] = "A target of improved measures has no trajectory. Leave this empty"
    else:
        first, last = data.baseline_end, data.target_date
        for day, _value in points:
            if (first and day <= first) or (last and day >= last):
                errors["trajectory"] = (
                    f"Trajectory point {day:%-d %B %Y} must fall between the end of the baseline and the target date"
                )
                break
    if errors:
        raise InputError(errors)
    return points


@transaction.atomic
def save_target(
    *,
    measure: Measure,
    data: TargetData,
    target: Target | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
    reason: str = "",
) -> Target:
    """Set (or change) the measure's current target and its trajectory; the history keeps the old one."""
    points = check_target(measure, data)
    values = {
        "kind": data.kind,
        "wording": " ".join(_clean(data.wording).split())[:300],
        "baseline_start": data.baseline_start,
        "baseline_end": data.baseline_end,
        "baseline_value": data.baseline_value,
        "percent_change": data.percent_change if data.kind == TargetKind.PERCENT_CHANGE else None,
        "target_value": data.target_value if data.kind in (TargetKind.ABSOLUTE, TargetKind.THRESHOLD) else None,
        "required_count": data.required_count if data.kind == TargetKind.COMPOSITE else None,
        "required_fraction": data.required_fraction if data.kind == TargetKind.COMPOSITE else None,
        "target_date": data.target_date,
        "amber_tolerance": data.amber_tolerance,
    }
    if target is None:
        Target.objects.filter(measure=measure, is_current=True).update(is_current=False)
        target = Target(measure=measure, created_by=actor, **values)
        action = AccessAction.CREATE
    else:
        for key, value in values.items():
            setattr(target, key, value)
        action = AccessAction.CHANGE
    if reason:
        target._change_reason = reason[:100]  # type: ignore[attr-defined]
    target.save()
    existing = {p.on: p for p in target.trajectory.all()}
    for day, value in points:
        point = existing.pop(day, None) or TrajectoryPoint(target=target, on=day)
        if point.pk is None or point.value != value:
            point.value = value
            point.save()
    for point in existing.values():
        point.delete()
    _log(action, actor, measure.partnership, "target", target.pk, f"Target for measure {measure.pk}", request)
    return target


# ---- figures and RAG -------------------------------------------------------------------------------------------------


@transaction.atomic
def enter_value(
    *,
    measure: Measure,
    period_start: date,
    period_end: date,
    raw_value: Any,
    source_note: str = "",
    actor: User | None,
    request: HttpRequest | None = None,
) -> MeasureValue:
    """A partner's figure for a period (replacing an earlier figure for the same period; history keeps both)."""
    label = period_label(period_start, period_end)
    errors: dict[str, str] = {}
    if measure.source != MeasureSource.PARTNER:
        raise ServiceError(f"{measure.name} is computed, not entered: its figures come from the data")
    if period_end < period_start:
        errors["period"] = "The period must end on or after its start"
    elif measure.unit == "count" and months_in(period_start, period_end) != {"monthly": 1, "quarterly": 3}.get(
        measure.frequency, 12
    ):
        errors["period"] = (
            f"{measure.name} is {measure.get_frequency_display().lower()}: choose a period of that length"
        )
    try:
        value = parse_number(raw_value, f"the figure for {label}")
    except ServiceError as exc:
        errors["value"] = str(exc)
    else:
        if value < 0:
            errors["value"] = f"Enter the figure for {label} as a number of 0 or more"
        elif measure.unit == "percent" and value > 1000:
            errors["value"] = f"Enter the figure for {label} as a percentage, like 33 for 33%"
    if errors:
        raise InputError(errors)
    found = MeasureValue.objects.filter(measure=measure, period_start=period_start, period_end=period_end).first()
    if found is None:
        found = MeasureValue(measure=measure, period_start=period_start, period_end=period_end)
    found.value = value
    found.source_note = _clean(source_note)[:300]
    found.entered_by = actor
    found.entered_at = timezone.now()
    found.save()
    _log(AccessAction.CHANGE, actor, measure.partnership, "measure", measure.pk, f"Figure for {label}", request)
    return found


@transaction.atomic
def set_rag(
    *,
    measure: Measure,
    period_end: date,
    rag_value: str,
    reason: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> RagOverride | None:
    """Set a period's RAG by hand (with a reason), or go back to the computed RAG (``rag_value`` "computed")."""
    errors: dict[str, str] = {}
    if rag_value != "computed" and rag_value not in Rag.values:
        errors["rag"] = "Select Green, Amber, Red or Grey, or the computed RAG"
    if not _clean(reason):
        errors["reason"] = "Enter why the RAG is being changed: the board will read it beside the RAG"
    if errors:
        raise InputError(errors)
    found = RagOverride.objects.filter(measure=measure, period_end=period_end).first()
    if rag_value == "computed":
        if found is not None:
            found._change_reason = _clean(reason)[:100]  # type: ignore[attr-defined]
            found.delete()
        _log(AccessAction.CHANGE, actor, measure.partnership, "measure", measure.pk, "RAG back to computed", request)
        return None
    if found is None:
        found = RagOverride(measure=measure, period_end=period_end)
    found.rag = rag_value
    found.reason = _clean(reason)
    found.set_by = actor
    found.set_at = timezone.now()
    found.save()
    _log(AccessAction.CHANGE, actor, measure.partnership, "measure", measure.pk, f"RAG set to {rag_value}", request)
    return found
