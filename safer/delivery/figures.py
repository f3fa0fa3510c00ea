"""The numbers of a delivery plan at a quarter: budgets and spend by funding source, measures against their
trajectory, RAG counts. Every page and every document reads these, so they all show the same figures.

Rules (shown on the pages and in the documents):

- Spend is entered per quarter against each budget line; "to date" adds quarters 1 to n. A line is over budget
  when its spend to date is more than its budget (allowed, and flagged).
- A quantitative measure with a target is compared with its trajectory at quarter n: for a count added up over
  the year, target x n / 4; for a level (the latest quarter's figure), the target itself. Green = at or better than
  the trajectory; Amber = worse by up to 5% of it; Red = worse by more than 5% (the Safer Derbyshire convention in
  the reference, §2.3). A measure with no figure yet is "No figure"; one with no target is "No target".
- An action's RAG for a quarter is the chair's agreed RAG, or the owner's proposal until it is agreed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from safer.delivery.models import (
    Accumulation,
    BudgetLine,
    DeliveryPlan,
    Direction,
    FundingSource,
    MeasureReading,
    PerformanceMeasure,
    QuarterlyReturn,
    Rag,
    Spend,
    TacticalAction,
)

TOLERANCE = Decimal("0.05")
ZERO = Decimal("0")
SOURCES: list[tuple[str, str]] = list(FundingSource.choices)

MEASURE_STATUS_LABELS = {
    Rag.GREEN: "Green",
    Rag.AMBER: "Amber",
    Rag.RED: "Red",
    "none": "No figure",
    "no_target": "No target",
    "qualitative": "Qualitative",
}


def money(value: Decimal) -> str:
    return f"£{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def number(value: Decimal | None) -> str:
    if value is None:
        return ""
    normal = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{normal:,.0f}" if normal == normal.to_integral() else f"{normal:,.2f}"


@dataclass
class LineFigures:
    line: BudgetLine
    by_quarter: dict[int, Decimal]
    quarter: int

    @property
    def this_quarter(self) -> Decimal:
        return self.by_quarter.get(self.quarter, ZERO)

    @property
    def to_date(self) -> Decimal:
        return sum((v for q, v in self.by_quarter.items() if q <= self.quarter), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.line.amount - self.to_date

    @property
    def over_budget(self) -> bool:
        return self.to_date > self.line.amount


@dataclass
class MeasureFigures:
    measure: PerformanceMeasure
    values: dict[int, Decimal | None]
    texts: dict[int, str]
    quarter: int

    @property
    def actual(self) -> Decimal | None:
        """Year to date (added up) or the latest figure given, at the quarter."""
        given = {q: v for q, v in self.values.items() if v is not None and q <= self.quarter}
        if not given:
            return None
        if self.measure.accumulation == Accumulation.LATEST:
            return given[max(given)]
        return sum(given.values(), ZERO)

    def expected_at(self, quarter: int) -> Decimal | None:
        target = self.measure.target
        if target is None:
            return None
        if self.measure.accumulation == Accumulation.LATEST:
            return target
        return target * quarter / 4

    @property
    def expected(self) -> Decimal | None:
        return self.expected_at(self.quarter)

    @property
    def status(self) -> str:
        if not self.measure.is_quantitative:
            return "qualitative"
        if self.measure.target is None:
            return "no_target"
        actual, expected = self.actual, self.expected
        if actual is None or expected is None:
            return "none"
        return rag_against(actual, expected, self.measure.direction)

    @property
    def status_label(self) -> str:
        return MEASURE_STATUS_LABELS[self.status]

    @property
    def off_track(self) -> bool:
        return self.status in (Rag.AMBER, Rag.RED)

    @property
    def latest_text(self) -> str:
        given = {q: t for q, t in self.texts.items() if t and q <= self.quarter}
        return given[max(given)] if given else ""

    def cumulative_series(self) -> list[tuple[int, Decimal | None, Decimal | None]]:
        """(quarter, actual to date, trajectory) for quarters 1 to 4; actual is None after the quarter shown."""
        rows = []
        for q in (1, 2, 3, 4):
            shown = MeasureFigures(self.measure, self.values, self.texts, q)
            rows.append((q, shown.actual if q <= self.quarter else None, self.expected_at(q)))
        return rows


def rag_against(actual: Decimal, expected: Decimal, direction: str) -> str:
    """Green at or better than expected; Amber worse by up to 5% of it; Red worse by more."""
    gap = (expected - actual) if direction == Direction.UP else (actual - expected)
    if gap <= 0:
        return Rag.GREEN
    if gap <= abs(expected) * TOLERANCE:
        return Rag.AMBER
    return Rag.RED


@dataclass
class ActionFigures:
    action: TacticalAction
    quarter: int
    lines: list[LineFigures]
    measures: list[MeasureFigures]
    current: QuarterlyReturn | None
    returns: dict[int, QuarterlyReturn] = field(default_factory=dict)

    def budget(self, source: str | None = None) -> Decimal:
        return sum((lf.line.amount for lf in self.lines if source in (None, lf.line.source)), ZERO)

    def spent_quarter(self, source: str | None = None) -> Decimal:
        return sum((lf.this_quarter for lf in self.lines if source in (None, lf.line.source)), ZERO)

    def spent_to_date(self, source: str | None = None) -> Decimal:
        return sum((lf.to_date for lf in self.lines if source in (None, lf.line.source)), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.budget() - self.spent_to_date()

    @property
    def over_budget(self) -> bool:
        return any(lf.over_budget for lf in self.lines)

    @property
    def rag(self) -> str:
        return self.current.rag if self.current else ""

    @property
    def rag_is_agreed(self) -> bool:
        return bool(self.current and self.current.agreed_rag)

    @property
    def rag_label(self) -> str:
        if not self.rag:
            return "Not reported"
        return Rag(self.rag).label + ("" if self.rag_is_agreed else " (proposed)")

    @property
    def off_track_measures(self) -> list[MeasureFigures]:
        return [m for m in self.measures if m.off_track]

    @property
    def is_exception(self) -> bool:
        return self.rag in (Rag.AMBER, Rag.RED) or bool(self.off_track_measures)


@dataclass
class PlanFigures:
    delivery_plan: DeliveryPlan
    quarter: int
    actions: list[ActionFigures]

    def budget(self, source: str | None = None) -> Decimal:
        return sum((a.budget(source) for a in self.actions), ZERO)

    def spent_quarter(self, source: str | None = None) -> Decimal:
        return sum((a.spent_quarter(source) for a in self.actions), ZERO)

    def spent_to_date(self, source: str | None = None) -> Decimal:
        return sum((a.spent_to_date(source) for a in self.actions), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.budget() - self.spent_to_date()

    def rag_counts(self) -> dict[str, int]:
        counts = {Rag.GREEN.value: 0, Rag.AMBER.value: 0, Rag.RED.value: 0, "": 0}
        for a in self.actions:
            counts[a.rag] += 1
        return counts

    @property
    def exceptions(self) -> list[ActionFigures]:
        return [a for a in self.actions if a.is_exception]

    @property
    def over_budget(self) -> list[ActionFigures]:
        return [a for a in self.actions if a.over_budget]


def plan_figures(
    delivery_plan: DeliveryPlan, quarter: int, actions: Iterable[TacticalAction] | None = None
) -> PlanFigures:
    """Every action's figures at the quarter, in reference order, in a fixed number of queries."""
    chosen = list(
        actions
        if actions is not None
        else delivery_plan.actions.select_related("lead_agency", "owner").prefetch_related("priorities")
    )
    chosen.sort(key=lambda a: a.sort_key)
    ids = [a.pk for a in chosen]
    lines_by_action: dict[int, list[BudgetLine]] = defaultdict(list)
    order = {source: i for i, (source, _label) in enumerate(SOURCES)}
    for line in sorted(BudgetLine.objects.filter(action_id__in=ids), key=lambda li: (order[li.source], li.pk)):
        lines_by_action[line.action_id].append(line)
    spend: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for s in Spend.objects.filter(budget_line__action_id__in=ids).select_related("quarterly_return"):
        spend[s.budget_line_id][s.quarterly_return.quarter] = s.amount
    measures_by_action: dict[int, list[PerformanceMeasure]] = defaultdict(list)
    for m in PerformanceMeasure.objects.filter(action_id__in=ids).order_by("id"):
        measures_by_action[m.action_id].append(m)
    values: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    texts: dict[int, dict[int, str]] = defaultdict(dict)
    for r in MeasureReading.objects.filter(measure__action_id__in=ids).select_related("quarterly_return"):
        values[r.measure_id][r.quarterly_return.quarter] = r.value
        texts[r.measure_id][r.quarterly_return.quarter] = r.text
    returns: dict[int, dict[int, QuarterlyReturn]] = defaultdict(dict)
    for ret in QuarterlyReturn.objects.filter(action_id__in=ids).select_related("owner", "agreed_by"):
        returns[ret.action_id][ret.quarter] = ret
    result = []
    for action in chosen:
        result.append(
            ActionFigures(
                action=action,
                quarter=quarter,
                lines=[LineFigures(line, spend[line.pk], quarter) for line in lines_by_action[action.pk]],
                measures=[MeasureFigures(m, values[m.pk], texts[m.pk], quarter) for m in measures_by_action[action.pk]],
                current=returns[action.pk].get(quarter),
                returns=returns[action.pk],
            )
        )
    return PlanFigures(delivery_plan=delivery_plan, quarter=quarter, actions=result)
