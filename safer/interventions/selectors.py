"""Every read of risk assessments, interventions and tasks, scoped to the partnership and to cases the person
may see (``safer.cases.selectors.case_for`` gives a 404 for anyone else's case)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from safer.core.models import Partnership, User
from safer.interventions.models import (
    BAND_ORDER,
    Band,
    CaseTask,
    InstrumentStatus,
    Intervention,
    Notification,
    Outcome,
    RiskAssessment,
    RiskInstrument,
)
from safer.interventions.powers import POWERS, STEPS, PowerKind


def instruments_in_use(partnership: Partnership) -> QuerySet[RiskInstrument]:
    # Victims' instruments first ("victim" sorts after "perpetrator").
    return RiskInstrument.objects.filter(partnership=partnership, status=InstrumentStatus.PUBLISHED).order_by(
        "-assesses", "name"
    )


def instrument_versions(partnership: Partnership) -> QuerySet[RiskInstrument]:
    return RiskInstrument.objects.filter(partnership=partnership).order_by("name", "-version")


def instrument_in_use(partnership: Partnership, instrument_id: int) -> RiskInstrument:
    try:
        return instruments_in_use(partnership).get(pk=instrument_id)
    except RiskInstrument.DoesNotExist as exc:
        raise Http404("No such instrument") from exc


def instrument_draft(partnership: Partnership, instrument_id: int) -> RiskInstrument:
    try:
        return instrument_versions(partnership).get(pk=instrument_id, status=InstrumentStatus.DRAFT)
    except RiskInstrument.DoesNotExist as exc:
        raise Http404("No such draft") from exc


def instrument_of(partnership: Partnership, instrument_id: int) -> RiskInstrument:
    try:
        return instrument_versions(partnership).get(pk=instrument_id)
    except RiskInstrument.DoesNotExist as exc:
        raise Http404("No such instrument") from exc


def assessments_of(case: Any) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(case=case).select_related("instrument", "assessed_by", "party")


def interventions_of(case: Any) -> QuerySet[Intervention]:
    return (
        Intervention.objects.filter(case=case)
        .select_related("subject", "recorded_by", "issuing_agency")
        .prefetch_related("breaches")
    )


def intervention_of(case: Any, intervention_id: int) -> Intervention:
    try:
        return interventions_of(case).get(pk=intervention_id)
    except Intervention.DoesNotExist as exc:
        raise Http404("No such intervention") from exc


def tasks_of(case: Any) -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(case=case).select_related("owner", "done_by")


def task_on(case: Any, task_id: int) -> CaseTask:
    try:
        return tasks_of(case).get(pk=task_id)
    except CaseTask.DoesNotExist as exc:
        raise Http404("No such task") from exc


def open_tasks_for(user: User, partnership: Partnership, visible: QuerySet[Any]) -> QuerySet[CaseTask]:
    """Open tasks of this person on cases their agencies can still see (``visible``: the cases selector)."""
    return (
        CaseTask.objects.filter(
            owner=user, partnership=partnership, done_at__isnull=True, case__in=visible.values("pk")
        )
        .select_related("case")
        .order_by("due_at", "id")
    )


def reviews_due_for(
    user: User, partnership: Partnership, visible: QuerySet[Any], within_days: int = 14
) -> list[RiskAssessment]:
    """The latest assessment of each party this person assessed (on a case they can still see), whose review falls
    due within ``within_days``."""
    horizon = timezone.localdate() + timedelta(days=within_days)
    latest: dict[int, RiskAssessment] = {}
    rows = (
        RiskAssessment.objects.filter(
            partnership=partnership, party__risk_assessments__assessed_by=user, case__in=visible.values("pk")
        )
        .select_related("case", "instrument")
        .order_by("party_id", "-assessed_at", "-id")
        .distinct()
    )
    for row in rows:
        latest.setdefault(row.party_id, row)
    return sorted(
        (a for a in latest.values() if a.next_review_on is not None and a.next_review_on <= horizon),
        key=lambda a: (a.next_review_on, a.pk),
    )


def notifications_for(user: User, partnership: Partnership, limit: int = 20) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, partnership=partnership).select_related("task")[:limit]


def unread_count(user: User, partnership: Partnership) -> int:
    return Notification.objects.filter(user=user, partnership=partnership, read_at__isnull=True).count()


# --- Counts for the partnership -------------------------------------------------------------------------------


@dataclass
class StepRow:
    step: int
    label: str
    cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass
class KindRow:
    label: str
    step: int
    issued: int = 0
    in_force: int = 0
    breached: int = 0


@dataclass
class PowersCounts:
    steps: list[StepRow]
    kinds: list[KindRow]
    cases: int
    resolved_at_step_2: int
    resolved: int


def powers_counts(partnership: Partnership) -> PowersCounts:
    """Cases by the highest step reached and the outcome of the action at that step (the latest one there).

    "Resolved at step 2" is a case whose highest step is 2 and whose latest step-2 action stopped the behaviour.
    """
    per_case: dict[int, tuple[int, Any, str]] = {}  # case -> (step, issued_at, outcome)
    kinds = {k: KindRow(label=p.label, step=p.step) for k, p in POWERS.items()}
    now = timezone.now()
    rows = Intervention.objects.filter(partnership=partnership).values_list(
        "case_id", "step", "issued_at", "outcome", "kind", "status", "expires_at", "id"
    )
    breached = set(
        Intervention.objects.filter(partnership=partnership, breaches__isnull=False).values_list("id", flat=True)
    )
    for case_id, step, issued_at, outcome, kind, status, expires_at, pk in rows:
        current = per_case.get(case_id)
        if current is None or (step, issued_at) > (current[0], current[1]):
            per_case[case_id] = (step, issued_at, outcome)
        row = kinds[PowerKind(kind)]
        row.issued += 1
        if status == "active" and (expires_at is None or expires_at > now):
            row.in_force += 1
        if pk in breached:
            row.breached += 1
    steps = {n: StepRow(step=n, label=label, outcomes={o.value: 0 for o in Outcome}) for n, label in STEPS.items()}
    for step, _, outcome in per_case.values():
        steps[step].cases += 1
        steps[step].outcomes[outcome] = steps[step].outcomes.get(outcome, 0) + 1
    return PowersCounts(
        steps=list(steps.values()),
        kinds=[row for row in kinds.values() if row.issued],
        cases=len(per_case),
        resolved_at_step_2=steps[2].outcomes[Outcome.RESOLVED],
        resolved=sum(s.outcomes[Outcome.RESOLVED] for s in steps.values()),
    )


# --- For the cases app (case page, case list filters) --------------------------------------------------------


def latest_assessments(case: Any) -> list[RiskAssessment]:
    """The latest assessment of each party on a case, highest band first."""
    latest: dict[int, RiskAssessment] = {}
    for row in assessments_of(case).order_by("party_id", "-assessed_at", "-id"):
        latest.setdefault(row.party_id, row)
    return sorted(latest.values(), key=lambda a: (-BAND_ORDER[Band(a.band)], a.party_id))


def current_band_by_case(case_ids: list[int]) -> dict[int, str]:
    """Each case's current risk band: the highest band among the latest assessment of each of its parties."""
    latest: dict[int, RiskAssessment] = {}
    rows = RiskAssessment.objects.filter(case_id__in=case_ids).only("case_id", "party_id", "band", "assessed_at")
    for row in rows.order_by("party_id", "-assessed_at", "-id"):
        latest.setdefault(row.party_id, row)
    bands: dict[int, str] = {}
    for row in latest.values():
        if row.case_id not in bands or BAND_ORDER[Band(row.band)] > BAND_ORDER[Band(bands[row.case_id])]:
            bands[row.case_id] = row.band
    return bands


def case_ids_with_band(partnership: Partnership, band: str) -> list[int]:
    """Cases whose current band (as on the case page) is ``band``; "none" for cases never assessed is the caller's."""
    assessed = list(RiskAssessment.objects.filter(case__partnership=partnership).values_list("case_id", flat=True))
    return [case_id for case_id, found in current_band_by_case(sorted(set(assessed))).items() if found == band]


def assessed_case_ids(partnership: Partnership) -> QuerySet[Any]:
    return RiskAssessment.objects.filter(case__partnership=partnership).values("case_id").distinct()


def overdue_case_ids(partnership: Partnership) -> QuerySet[Any]:
    """Cases with at least one open task past its due time (for the case list's "overdue" filter)."""
    return (
        CaseTask.objects.filter(partnership=partnership, done_at__isnull=True, due_at__lt=timezone.now())
        .values("case_id")
        .distinct()
    )


@dataclass
class CaseWork:
    assessments: list[RiskAssessment]
    band: str
    open_tasks: int
    overdue_tasks: int
    highest_step: int | None
    in_force: int


def case_work(case: Any) -> CaseWork:
    """What the case page shows about risk, tasks and interventions, in a few queries."""
    latest = latest_assessments(case)
    now = timezone.now()
    tasks = CaseTask.objects.filter(case=case, done_at__isnull=True)
    actions = Intervention.objects.filter(case=case)
    steps = list(actions.values_list("step", flat=True))
    return CaseWork(
        assessments=latest,
        band=latest[0].band if latest else "",
        open_tasks=tasks.count(),
        overdue_tasks=tasks.filter(due_at__lt=now).count(),
        highest_step=max(steps) if steps else None,
        in_force=actions.filter(status="active")
        .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))
        .count(),
    )
