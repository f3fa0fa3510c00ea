"""The performance rules: pure functions, no database. Every page, export and board pack reads RAG from here.

There is no national RAG standard for CSPs (strategy reference §2.3, F13); these are ours, shown in a legend on every
page that shows a RAG, and the amber tolerance is set per target.

**Target level.** An absolute or threshold target names its level. A percentage-change target's level is
``baseline x (1 + change / 100)``: -22% on a baseline of 25,000 is 19,500. A percentage of a zero baseline is no
target at all (Grey; the form refuses it and offers an absolute target).

**Trajectory.** Where the measure should be at a date: the target's own points when it has them, joined by straight
lines from the baseline (at the end of the baseline period) to the target level (at the target date), counted in
months; before the baseline it is the baseline, after the target date the target level. Without a baseline or a
target date the trajectory is the target level throughout (a threshold to stay within).

**RAG of a period** (the figure for a period compared with the trajectory at the period's end):

- Green: the figure meets or beats the trajectory (at or below it when down is good, at or above when up is good).
- Amber: it misses the trajectory by no more than the *amber tolerance* (5% unless the target says otherwise) of the
  target change, ``|target level - baseline|``; without a baseline, or when the target is to hold the baseline
  level ("maintain the reduction"), of the target level itself.
- Red: it misses by more.
- Grey: no figure for the period, or no target to compare with.

**Composite targets** ("improve on all 14 indicators", "improvement in three-quarters of the measures"): an indicator
has *improved* when its latest figure is better than its baseline (the baseline of its current target, or else its
first figure) in the direction its polarity says is good; an indicator with no figure, or only one and no baseline,
has not improved. The requirement is ``required_count``, or ``ceil(required_fraction x M)`` (three-quarters of 8 is 6,
of 7 is 6). Green: at least the requirement improved; Amber: short by one; Red: short by more; Grey: no indicator has
a figure.

**Direction of travel**: the latest figure against the one before, judged by polarity: "improving", "worsening", or
"little change" when it moved by less than 2% of the earlier figure (and "no change" when equal).

**% change against baseline**: ``(figure - baseline) / baseline x 100``; none when the baseline is zero or missing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
RAG_LABELS = {GREEN: "Green", AMBER: "Amber", RED: "Red", GREY: "Grey"}
RAG_MEANINGS = {
    GREEN: "meeting or beating the trajectory (or the target)",
    AMBER: "missing the trajectory by no more than the tolerance (5% of the target change unless the target says)",
    RED: "missing the trajectory by more than the tolerance",
    GREY: "no figure for the period, or no target to compare with",
}
DEFAULT_TOLERANCE = 5.0
STEADY_BAND = 2.0  # per cent of the earlier figure: "little change" inside it

IMPROVING, WORSENING, STEADY, SAME, UNKNOWN = "improving", "worsening", "little change", "no change", "not known"

Number = float | int | Decimal


def _f(value: Number | None) -> float | None:
    return None if value is None else float(value)


def better(polarity: str, a: float, b: float) -> bool:
    """Whether ``a`` is strictly better than ``b`` for a measure whose ``polarity`` is "down" or "up" (is good)."""
    return a < b if polarity == "down" else a > b


def pct_change(baseline: Number | None, value: Number | None) -> float | None:
    """(value - baseline) / baseline x 100; None when either is missing or the baseline is zero."""
    base, now = _f(baseline), _f(value)
    if base is None or now is None or base == 0:
        return None
    return (now - base) / base * 100


def target_level(
    kind: str,
    *,
    baseline: Number | None = None,
    percent_change: Number | None = None,
    target_value: Number | None = None,
) -> float | None:
    """The level a target aims at: its own value, or the baseline moved by the percentage (None if it cannot be)."""
    if kind == "percent_change":
        base, pct = _f(baseline), _f(percent_change)
        if base is None or pct is None or base == 0:
            return None
        return base * (1 + pct / 100)
    if kind in ("absolute", "threshold"):
        return _f(target_value)
    return None


def month_position(day: date) -> float:
    """A date as months since year 0, with the day as a fraction of its month (so month ends line up)."""
    next_month = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    length = (next_month - date(day.year, day.month, 1)).days
    return day.year * 12 + day.month - 1 + day.day / length


@dataclass(frozen=True)
class Trajectory:
    """The line from the baseline to the target level, through any points the target sets."""

    level: float
    baseline: float | None = None
    baseline_on: date | None = None
    target_on: date | None = None
    points: tuple[tuple[date, float], ...] = ()

    def knots(self) -> list[tuple[date, float]]:
        knots: list[tuple[date, float]] = []
        if self.baseline is not None and self.baseline_on is not None:
            knots.append((self.baseline_on, self.baseline))
        knots.extend(sorted(self.points))
        if self.target_on is not None:
            knots.append((self.target_on, self.level))
        knots.sort(key=lambda k: k[0])
        return knots

    def at(self, day: date) -> float:
        """Where the measure should be on ``day``."""
        if self.target_on is None:
            return self.level
        knots = self.knots()
        if len(knots) < 2:
            return self.level
        if day <= knots[0][0]:
            return knots[0][1]
        if day >= knots[-1][0]:
            return knots[-1][1]
        for (d0, v0), (d1, v1) in itertools.pairwise(knots):
            if d0 <= day <= d1:
                span = month_position(d1) - month_position(d0)
                if span <= 0:
                    return v1
                return v0 + (v1 - v0) * (month_position(day) - month_position(d0)) / span
        return knots[-1][1]  # pragma: no cover - the loop always finds the segment

    def amber_band(self, tolerance: float = DEFAULT_TOLERANCE) -> float:
        """How far a figure may miss the trajectory and still be Amber."""
        change = abs(self.level - self.baseline) if self.baseline is not None else 0.0
        return (change or abs(self.level)) * tolerance / 100


@dataclass(frozen=True)
class Rating:
    rag: str
    reason: str
    expected: float | None = None  # the trajectory (or target) the figure was compared with
    shortfall: float | None = None  # how far it missed, in the measure's unit (0 when met)

    @property
    def label(self) -> str:
        return RAG_LABELS[self.rag]


def fmt(value: float | None, unit: str = "count") -> str:
    """A figure as pages show it: counts with thousands separators, rates and percentages to one decimal place."""
    if value is None:
        return "no data"
    if unit == "percent":
        return f"{value:,.1f}%"
    if unit == "count" and float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if unit in ("count", "rate") else f"{value:,.2f}"


def rate_period(
    value: Number | None,
    trajectory: Trajectory | None,
    period_end: date,
    polarity: str,
    tolerance: Number = DEFAULT_TOLERANCE,
    unit: str = "count",
) -> Rating:
    """RAG for one period's figure against the trajectory at the period's end (the rules in the module docstring)."""
    figure = _f(value)
    if figure is None:
        return Rating(GREY, "No figure for this period")
    if trajectory is None:
        return Rating(GREY, "No target to compare with")
    expected = trajectory.at(period_end)
    when = f"{period_end:%-d %B %Y}"
    if not better(polarity, expected, figure):
        return Rating(
            GREEN, f"{fmt(figure, unit)} meets the trajectory of {fmt(expected, unit)} for {when}", expected, 0.0
        )
    shortfall = abs(figure - expected)
    band = trajectory.amber_band(float(tolerance))
    if shortfall <= band + 1e-9:
        return Rating(
            AMBER,
            f"{fmt(figure, unit)} misses the trajectory of {fmt(expected, unit)} for {when} by {fmt(shortfall, unit)}, "
            f"within the tolerance of {fmt(band, unit)}",
            expected,
            shortfall,
        )
    return Rating(
        RED,
        f"{fmt(figure, unit)} misses the trajectory of {fmt(expected, unit)} for {when} by {fmt(shortfall, unit)}, "
        f"more than the tolerance of {fmt(band, unit)}",
        expected,
        shortfall,
    )


def direction(polarity: str, previous: Number | None, latest: Number | None) -> str:
    """Direction of travel from the previous figure to the latest, judged by polarity."""
    a, b = _f(previous), _f(latest)
    if a is None or b is None:
        return UNKNOWN
    if a == b:
        return SAME
    if a != 0 and abs(b - a) / abs(a) * 100 < STEADY_BAND:
        return STEADY
    return IMPROVING if better(polarity, b, a) else WORSENING


def improved(polarity: str, baseline: Number | None, latest: Number | None) -> bool:
    """Whether the latest figure is better than the baseline (False when either is missing)."""
    a, b = _f(baseline), _f(latest)
    return a is not None and b is not None and better(polarity, b, a)


def required(count: int, required_count: int | None = None, required_fraction: Number | None = None) -> int:
    """How many of ``count`` indicators must improve: the number named, or the fraction rounded up."""
    if required_count is not None:
        return required_count
    if required_fraction is not None:
        return math.ceil(float(required_fraction) * count - 1e-9)
    return count


@dataclass(frozen=True)
class Indicator:
    name: str
    polarity: str
    baseline: float | None
    latest: float | None

    @property
    def improved(self) -> bool:
        return improved(self.polarity, self.baseline, self.latest)


@dataclass(frozen=True)
class CompositeResult:
    improved: int
    total: int
    needed: int
    with_data: int
    rating: Rating

    @property
    def summary(self) -> str:
        return f"{self.improved} of {self.total} improved ({self.needed} needed)"


def rate_composite(
    indicators: Sequence[Indicator], required_count: int | None = None, required_fraction: Number | None = None
) -> CompositeResult:
    """ "N of M indicators improved" and its RAG (rules in the module docstring)."""
    total = len(indicators)
    count = sum(1 for i in indicators if i.improved)
    with_data = sum(1 for i in indicators if i.latest is not None)
    needed = required(total, required_count, required_fraction)
    text = f"{count} of {total} indicators improved; the target needs {needed}"
    if total == 0 or with_data == 0:
        rating = Rating(GREY, "No indicator has a figure yet" if total else "No indicators chosen")
    elif count >= needed:
        rating = Rating(GREEN, text, float(needed), 0.0)
    elif count == needed - 1:
        rating = Rating(AMBER, text + " (short by one)", float(needed), 1.0)
    else:
        rating = Rating(RED, text + f" (short by {needed - count})", float(needed), float(needed - count))
    return CompositeResult(count, total, needed, with_data, rating)
