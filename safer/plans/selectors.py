"""Reads for plans and performance, scoped to one partnership: anything of another partnership is a 404.

For other apps (the delivery plan, the board pack):

- ``plans_of(partnership)``, ``plan_of(partnership, plan_id)``, ``latest_plan(partnership)``
- ``priorities_of(plan)``, ``priority_of(partnership, priority_id)``
- ``measures_of(partnership)``, ``measure_of(partnership, measure_id)``; ``entry_periods(measure)``: the periods a
  partner's figure may be entered for (the entry page's choices, and the API's check)
- ``measure_status(measure) -> Status``: every figure (entered or computed, with who entered it and when, or the link
  to the intelligence rows behind it), the current target, its trajectory, the latest figure's RAG (an override,
  with its reason, wins over the computed one), direction of travel, % change against baseline, and for composite
  measures "N of M improved". The rules are in ``safer.plans.rag``.
- ``board(partnership, plan) -> list[PriorityBoard]``: every priority's measures with their status.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from safer.core.models import Agency, Partnership
from safer.plans import rag
from safer.plans.models import (
    DeliveryGroup,
    Frequency,
    Measure,
    MeasureSource,
    MeasureValue,
    PartnerPlan,
    Plan,
    Priority,
    RagOverride,
    SeriousViolenceReview,
    Tag,
    Target,
    TargetKind,
)

# ---- plans ---------------------------------------------------------------------------------------------------------


def plans_of(partnership: Partnership) -> QuerySet[Plan]:
    """The partnership's plans, newest period and version first."""
    return Plan.objects.filter(partnership=partnership).select_related("copied_from", "created_by")


def plan_of(partnership: Partnership, plan_id: int) -> Plan:
    try:
        return plans_of(partnership).get(pk=plan_id)
    except Plan.DoesNotExist as exc:
        raise Http404("No such plan") from exc


def latest_plan(partnership: Partnership) -> Plan | None:
    return plans_of(partnership).first()


def priorities_of(plan: Plan) -> QuerySet[Priority]:
    return Priority.objects.filter(plan=plan).prefetch_related("tags", "delivery_groups")


def priority_of(partnership: Partnership, priority_id: int) -> Priority:
    try:
        return Priority.objects.select_related("plan").get(plan__partnership=partnership, pk=priority_id)
    except Priority.DoesNotExist as exc:
        raise Http404("No such priority") from exc


def tags_of(plan: Plan) -> QuerySet[Tag]:
    return Tag.objects.filter(plan=plan)


def groups_of(partnership: Partnership) -> QuerySet[DeliveryGroup]:
    return DeliveryGroup.objects.filter(partnership=partnership).prefetch_related("priorities")


def group_of(partnership: Partnership, group_id: int) -> DeliveryGroup:
    try:
        return groups_of(partnership).get(pk=group_id)
    except DeliveryGroup.DoesNotExist as exc:
        raise Http404("No such delivery group") from exc


def partner_plans_of(partnership: Partnership) -> QuerySet[PartnerPlan]:
    return PartnerPlan.objects.filter(partnership=partnership).prefetch_related("objectives")


def partner_plan_of(partnership: Partnership, partner_plan_id: int) -> PartnerPlan:
    try:
        return partner_plans_of(partnership).get(pk=partner_plan_id)
    except PartnerPlan.DoesNotExist as exc:
        raise Http404("No such partner plan") from exc


def reviews_of(partnership: Partnership) -> QuerySet[SeriousViolenceReview]:
    return SeriousViolenceReview.objects.filter(partnership=partnership).select_related("plan", "created_by")


def review_of(partnership: Partnership, review_id: int) -> SeriousViolenceReview:
    try:
        return reviews_of(partnership).get(pk=review_id)
    except SeriousViolenceReview.DoesNotExist as exc:
        raise Http404("No such review") from exc


# ---- measures ------------------------------------------------------------------------------------------------------


def measures_of(partnership: Partnership) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(partnership=partnership)
        .select_related("priority", "priority__plan", "owner_agency", "priority_area")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(is_current=True).prefetch_related("trajectory"))
        )
    )


def measure_of(partnership: Partnership, measure_id: int) -> Measure:
    try:
        return measures_of(partnership).get(pk=measure_id)
    except Measure.DoesNotExist as exc:
        raise Http404("No such measure") from exc


def measures_for_entry(partnership: Partnership, agencies: list[Agency], everyone: bool) -> QuerySet[Measure]:
    """Measures whose figures this person may enter: all partner-entered ones for the plans roles, otherwise those
    their agency reports."""
    found = measures_of(partnership).filter(source=MeasureSource.PARTNER)
    return found if everyone else found.filter(owner_agency__in=agencies)


def target_of(measure: Measure, target_id: int) -> Target:
    try:
        return Target.objects.get(measure=measure, pk=target_id)
    except Target.DoesNotExist as exc:
        raise Http404("No such target") from exc


def current_target(measure: Measure) -> Target | None:
    targets = [t for t in measure.targets.all() if t.is_current]
    return targets[0] if targets else None


# ---- periods -------------------------------------------------------------------------------------------------------


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def fy_start_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def period_label(start: date, end: date) -> str:
    """ "2021/22" for a financial year, "Q1 2021/22" for a financial quarter, "April 2021" for a month."""
    fy = fy_start_year(start)
    fy_text = f"{fy}/{str(fy + 1)[-2:]}"
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    whole = start.day == 1 and end == month_end(end)
    if whole and months == 12 and start.month == 4:
        return fy_text
    if whole and months == 3 and start.month in (4, 7, 10, 1):
        return f"Q{((start.month - 4) % 12) // 3 + 1} {fy_text}"
    if whole and months == 1:
        return f"{start:%B %Y}"
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


def period_for(day: date, frequency: str) -> tuple[date, date]:
    """The month, financial quarter or financial year a month falls in: (first day, last day)."""
    if frequency == Frequency.MONTHLY:
        return date(day.year, day.month, 1), month_end(day)
    if frequency == Frequency.QUARTERLY:
        offset = (day.month - 4) % 3
        first_month = day.month - offset
        first_year = day.year
        if first_month < 1:
            first_month += 12
            first_year -= 1
        start = date(first_year, first_month, 1)
        last_month = first_month + 2
        last_year = first_year + (last_month > 12)
        return start, month_end(date(last_year, (last_month - 1) % 12 + 1, 1))
    fy = fy_start_year(day)
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def months_in(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def entry_periods(measure: Measure, today: date | None = None) -> list[tuple[date, date]]:
    """The periods a figure may be entered for, newest first: from the earliest of the baseline, three years
    before the plan starts and five years ago, to now."""
    today = today or timezone.localdate()
    target = current_target(measure)
    starts = [date(today.year - 5, today.month, 1)]
    if target is not None and target.baseline_start:
        starts.append(target.baseline_start)
    if measure.priority is not None:
        plan_start = measure.priority.plan.period_start
        starts.append(date(plan_start.year - 3, plan_start.month, 1))
    first = min(starts)
    periods: list[tuple[date, date]] = []
    day = first
    while day <= today:
        period = period_for(day, measure.frequency)
        if not periods or periods[-1] != period:
            periods.append(period)
        day = date(period[1].year + (period[1].month == 12), period[1].month % 12 + 1, 1)
    return list(reversed(periods))


# ---- status --------------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One period's figure with where it came from."""

    start: date
    end: date
    value: float | None
    entered_by: str = ""
    entered_at: datetime | None = None
    source_note: str = ""
    link: str = ""  # the intelligence page with the rows behind a computed figure
    months: int = 0  # computed figures: months of data loaded in the period
    months_expected: int = 0
    value_id: int | None = None
    expected: float | None = None  # the trajectory at the period's end
    rating: rag.Rating = field(default_factory=lambda: rag.Rating(rag.GREY, "Not rated"))

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)

    @property
    def complete(self) -> bool:
        return self.months_expected == 0 or self.months == self.months_expected


@dataclass
class Status:
    measure: Measure
    target: Target | None
    figures: list[Figure]
    trajectory: rag.Trajectory | None
    level: float | None
    baseline: float | None
    computed: rag.Rating
    override: RagOverride | None = None
    composite: rag.CompositeResult | None = None
    components: list[Status] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def latest(self) -> Figure | None:
        rated = [f for f in self.figures if f.value is not None]
        return rated[-1] if rated else None

    @property
    def previous(self) -> Figure | None:
        rated = [f for f in self.figures if f.value is not None]
        return rated[-2] if len(rated) > 1 else None

    @property
    def rating(self) -> rag.Rating:
        if self.override is not None:
            return rag.Rating(self.override.rag, f"Set by hand: {self.override.reason}")
        return self.computed

    @property
    def direction(self) -> str:
        latest, previous = self.latest, self.previous
        return rag.direction(
            self.measure.polarity,
            previous.value if previous else None,
            latest.value if latest else None,
        )

    @property
    def change_vs_baseline(self) -> float | None:
        latest = self.latest
        return rag.pct_change(self.baseline, latest.value if latest else None)

    @property
    def improved(self) -> bool:
        latest = self.latest
        return rag.improved(self.measure.polarity, self.baseline, latest.value if latest else None)

    def fmt(self, value: float | None) -> str:
        return rag.fmt(value, self.measure.unit)


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def trajectory_of(target: Target | None) -> rag.Trajectory | None:
    """The target's line, or None when it has no level (a composite target, or a % of a zero baseline)."""
    if target is None or target.kind == TargetKind.COMPOSITE:
        return None
    level = rag.target_level(
        target.kind,
        baseline=target.baseline_value,
        percent_change=target.percent_change,
        target_value=target.target_value,
    )
    if level is None:
        return None
    return rag.Trajectory(
        level=level,
        baseline=_float(target.baseline_value),
        baseline_on=target.baseline_end,
        target_on=target.target_date,
        points=tuple((p.on, float(p.value)) for p in target.trajectory.all()),
    )


def _partner_figures(measure: Measure) -> list[Figure]:
    return [
        Figure(
            start=v.period_start,
            end=v.period_end,
            value=float(v.value),
            entered_by=(v.entered_by.full_name or v.entered_by.email) if v.entered_by else "",
            entered_at=v.entered_at,
            source_note=v.source_note,
            value_id=v.pk,
        )
        for v in MeasureValue.objects.filter(measure=measure).select_related("entered_by").order_by("period_start")
    ]


def _intelligence_figures(measure: Measure, notes: list[str]) -> list[Figure]:
    from safer.intelligence import selectors as intelligence

    try:
        chosen = intelligence.dataset(measure.dataset or "all-crime")
    except Http404:
        notes.append(f"The dataset {measure.dataset!r} is no longer offered; choose another for this measure.")
        return []
    if measure.priority_area_id is not None:
        return _gap_figures(measure, chosen, notes)
    series = intelligence.monthly_series(measure.partnership, chosen)
    buckets: dict[tuple[date, date], list[int]] = {}
    for month, count in series.items():
        buckets.setdefault(period_for(month, measure.frequency), []).append(count)
    figures = []
    for (start, end), counts in sorted(buckets.items()):
        expected = months_in(start, end)
        complete = len(counts) == expected
        if measure.frequency == Frequency.MONTHLY:
            link = reverse("intelligence:cell-rows", args=[chosen.slug, start.year, start.month])
        else:
            link = reverse("intelligence:heat-map") + "?" + urlencode({"dataset": chosen.slug})
        figures.append(
            Figure(
                start=start,
                end=end,
                value=float(sum(counts)) if complete else None,
                source_note=f"police.uk: {chosen.name}"
                + ("" if complete else f" ({len(counts)} of {expected} months loaded, so no figure)"),
                link=link,
                months=len(counts),
                months_expected=expected,
            )
        )
    if not figures:
        notes.append("No police.uk data is loaded for this partnership yet, so there are no figures.")
    return figures


def _gap_figures(measure: Measure, chosen: object, notes: list[str]) -> list[Figure]:
    from safer.intelligence import priority
    from safer.intelligence.models import PriorityArea
    from safer.intelligence.selectors import Dataset

    assert isinstance(chosen, Dataset)
    assert measure.priority_area_id is not None
    area = PriorityArea.objects.get(pk=measure.priority_area_id, partnership=measure.partnership)
    series = priority.gap_series(measure.partnership, area, chosen, "fy")
    compare = measure.gap_compare or "rest"
    figures = []
    for row in series.rows if series is not None else []:
        query = urlencode({"dataset": chosen.slug, "frequency": "fy", "compare": compare})
        figures.append(
            Figure(
                start=row.start,
                end=month_end(row.end),
                value=row.gap_pct(compare) if row.complete else None,
                source_note=(
                    f"police.uk {chosen.name}: {area.name} {row.priority_rate or 0:,.1f} per 1,000 against "
                    f"{row.baseline(compare) or 0:,.1f}"
                    + ("" if row.complete else f" ({row.months_with_data} of {row.months} months loaded, so no figure)")
                ),
                link=reverse("intelligence:priority-area", args=[area.pk]) + "?" + query,
                months=row.months_with_data,
                months_expected=row.months,
            )
        )
    if not figures:
        notes.append("No police.uk data is loaded for this partnership yet, so there is no gap to show.")
    return figures


def baseline_of(measure: Measure, target: Target | None, figures: list[Figure]) -> float | None:
    """The target's baseline value, or else the measure's first figure."""
    if target is not None and target.baseline_value is not None:
        return float(target.baseline_value)
    first = next((f for f in figures if f.value is not None), None)
    return first.value if first else None


def measure_status(measure: Measure, *, depth: int = 0) -> Status:
    """Everything the measure page, the board and the board pack show for one measure."""
    notes: list[str] = []
    target = current_target(measure)
    if measure.source == MeasureSource.COMPOSITE:
        return _composite_status(measure, target, depth)
    figures = (
        _intelligence_figures(measure, notes)
        if measure.source == MeasureSource.INTELLIGENCE
        else _partner_figures(measure)
    )
    trajectory = trajectory_of(target)
    if target is None:
        notes.append("No target is set, so figures are not rated (Grey).")
    elif trajectory is None:
        notes.append("The target has no level to compare with (a percentage of a zero baseline), so it is Grey.")
    tolerance = float(target.amber_tolerance) if target is not None else rag.DEFAULT_TOLERANCE
    for figure in figures:
        figure.rating = rag.rate_period(figure.value, trajectory, figure.end, measure.polarity, tolerance, measure.unit)
        figure.expected = trajectory.at(figure.end) if trajectory else None
    rated = [f for f in figures if f.value is not None]
    computed = rated[-1].rating if rated else rag.Rating(rag.GREY, "No figure yet")
    override = (
        RagOverride.objects.filter(measure=measure, period_end=rated[-1].end).select_related("set_by").first()
        if rated
        else None
    )
    return Status(
        measure=measure,
        target=target,
        figures=figures,
        trajectory=trajectory,
        level=trajectory.level if trajectory else None,
        baseline=baseline_of(measure, target, figures),
        computed=computed,
        override=override,
        notes=notes,
    )


def _composite_status(measure: Measure, target: Target | None, depth: int) -> Status:
    components = (
        [measure_status(m, depth=depth + 1) for m in measure.components.exclude(source=MeasureSource.COMPOSITE)]
        if depth == 0
        else []
    )
    indicators = [
        rag.Indicator(s.measure.name, s.measure.polarity, s.baseline, s.latest.value if s.latest else None)
        for s in components
    ]
    notes = []
    if target is None:
        result = rag.rate_composite(indicators)
        computed = rag.Rating(rag.GREY, "No target is set, so this is not rated")
        notes.append("No target is set, so the count is not rated (Grey).")
    else:
        result = rag.rate_composite(indicators, target.required_count, target.required_fraction)
        computed = result.rating
    latest_end = max((s.latest.end for s in components if s.latest), default=None)
    override = (
        RagOverride.objects.filter(measure=measure, period_end=latest_end).select_related("set_by").first()
        if latest_end
        else None
    )
    figures = []
    if latest_end is not None:
        figure = Figure(
            start=min(s.latest.start for s in components if s.latest),
            end=latest_end,
            value=float(result.improved),
            source_note=result.summary,
        )
        figure.rating = computed
        figure.expected = float(result.needed)
        figures.append(figure)
    return Status(
        measure=measure,
        target=target,
        figures=figures,
        trajectory=None,
        level=float(result.needed) if target is not None else None,
        baseline=None,
        computed=computed,
        override=override,
        composite=result,
        components=components,
        notes=notes,
    )


# ---- the board -----------------------------------------------------------------------------------------------------


@dataclass
class PriorityBoard:
    priority: Priority | None
    statuses: list[Status]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((rag.GREEN, rag.AMBER, rag.RED, rag.GREY), 0)
        for status in self.statuses:
            counts[status.rating.rag] += 1
        return counts


def board(partnership: Partnership, plan: Plan) -> list[PriorityBoard]:
    """Every priority of the plan with its measures' status (a measure belongs to a plan through its priority)."""
    measures = list(measures_of(partnership).filter(priority__plan=plan).prefetch_related("components"))
    by_priority: dict[int, list[Status]] = {}
    for measure in measures:
        assert measure.priority_id is not None
        by_priority.setdefault(measure.priority_id, []).append(measure_status(measure))
    return [PriorityBoard(p, by_priority.get(p.pk, [])) for p in priorities_of(plan)]
