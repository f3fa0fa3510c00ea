"""The RAG rules, against examples worked by hand (the numbers in each docstring)."""

from __future__ import annotations

from datetime import date

import pytest

from safer.plans import rag

# Wigan and Leigh CSP 2005-08: "Recorded Crime - Reduce by 22%" by March 2008. The seed states the target, not the
# baseline count, so these tests use an illustrative 2003/04 baseline of 25,000 recorded crimes.
BASELINE = 25_000
WIGAN = rag.Trajectory(
    level=rag.target_level("percent_change", baseline=BASELINE, percent_change=-22),  # type: ignore[arg-type]
    baseline=BASELINE,
    baseline_on=date(2004, 3, 31),
    target_on=date(2008, 3, 31),
)


def test_wigan_target_level_trajectory_and_tolerance():
    """-22% of 25,000 is 5,500, so the target is 19,500; the line falls 5,500 over 48 months (1,375 a year);
    the amber band is 5% of the 5,500 change: 275."""
    assert WIGAN.level == pytest.approx(19_500)
    assert WIGAN.at(date(2005, 3, 31)) == pytest.approx(23_625)
    assert WIGAN.at(date(2006, 3, 31)) == pytest.approx(22_250)
    assert WIGAN.at(date(2007, 3, 31)) == pytest.approx(20_875)
    assert WIGAN.at(date(2008, 3, 31)) == pytest.approx(19_500)
    assert WIGAN.at(date(2003, 1, 31)) == BASELINE  # before the baseline: the baseline
    assert WIGAN.at(date(2009, 3, 31)) == pytest.approx(19_500)  # after the target date: the target
    assert WIGAN.amber_band() == pytest.approx(275)


@pytest.mark.parametrize(
    ("year_end", "actual", "expected_rag", "shortfall"),
    [
        (date(2006, 3, 31), 22_400, rag.AMBER, 150),  # 150 over 22,250, within 275
        (date(2006, 3, 31), 22_250, rag.GREEN, 0),  # exactly on the line
        (date(2006, 3, 31), 22_525, rag.AMBER, 275),  # on the edge of the band
        (date(2006, 3, 31), 22_526, rag.RED, 276),
        (date(2007, 3, 31), 20_700, rag.GREEN, 0),  # below 20,875: better than the line
        (date(2008, 3, 31), 19_800, rag.RED, 300),  # 300 over 19,500, more than 275
    ],
)
def test_wigan_recorded_crime_rag(year_end, actual, expected_rag, shortfall):
    rating = rag.rate_period(actual, WIGAN, year_end, "down")
    assert rating.rag == expected_rag
    assert rating.shortfall == pytest.approx(shortfall)


def test_wigan_change_against_baseline_and_reason_text():
    """19,800 against 25,000 is a fall of 5,200: -20.8%, short of the -22% target."""
    assert rag.pct_change(BASELINE, 19_800) == pytest.approx(-20.8)
    rating = rag.rate_period(19_800, WIGAN, date(2008, 3, 31), "down")
    assert rating.reason == (
        "19,800 misses the trajectory of 19,500 for 31 March 2008 by 300, more than the tolerance of 275"
    )


def test_priority_neighbourhood_gap_no_more_than_33_percent():
    """Gap 48% in 2004/05, no more than 33% by March 2008: the line falls 15 points over 36 months (5 a year);
    the amber band is 5% of 15 = 0.75 points."""
    gap = rag.Trajectory(level=33, baseline=48, baseline_on=date(2005, 3, 31), target_on=date(2008, 3, 31))
    assert gap.at(date(2006, 3, 31)) == pytest.approx(43)
    assert rag.rate_period(43.5, gap, date(2006, 3, 31), "down", unit="percent").rag == rag.AMBER
    assert rag.rate_period(44, gap, date(2006, 3, 31), "down", unit="percent").rag == rag.RED
    assert rag.rate_period(32.9, gap, date(2008, 3, 31), "down", unit="percent").rag == rag.GREEN
    # A threshold with no baseline or date: the threshold throughout, amber within 5% of 33 (1.65 points).
    flat = rag.Trajectory(level=33)
    assert rag.rate_period(33, flat, date(2007, 3, 31), "down").rag == rag.GREEN
    assert rag.rate_period(34.6, flat, date(2007, 3, 31), "down").rag == rag.AMBER
    assert rag.rate_period(34.7, flat, date(2007, 3, 31), "down").rag == rag.RED


def test_gap_from_rates():
    """Priority rate 90 per 1,000 against a borough rate of 60: 50% higher, so 17 points over the 33% target."""
    gap = rag.pct_change(60, 90)
    assert gap == pytest.approx(50)
    assert rag.rate_period(gap, rag.Trajectory(level=33), date(2008, 3, 31), "down").rag == rag.RED


def test_up_is_good_and_a_tighter_tolerance():
    """Public confidence +5% from 60%: level 63; amber band at 10% tolerance is 0.3 points."""
    level = rag.target_level("percent_change", baseline=60, percent_change=5)
    assert level == pytest.approx(63)
    line = rag.Trajectory(level=level, baseline=60, baseline_on=date(2005, 3, 31), target_on=date(2008, 3, 31))  # type: ignore[arg-type]
    assert rag.rate_period(63.1, line, date(2008, 3, 31), "up", tolerance=10).rag == rag.GREEN
    assert rag.rate_period(62.7, line, date(2008, 3, 31), "up", tolerance=10).rag == rag.AMBER
    assert rag.rate_period(62.6, line, date(2008, 3, 31), "up", tolerance=10).rag == rag.RED


def test_trajectory_points_bend_the_line():
    """Baseline 100 (March 2020), point 95 (March 2021), target 80 (March 2023): halfway through 2021/22 is 90."""
    line = rag.Trajectory(
        level=80,
        baseline=100,
        baseline_on=date(2020, 3, 31),
        target_on=date(2023, 3, 31),
        points=((date(2021, 3, 31), 95.0),),
    )
    assert line.at(date(2021, 3, 31)) == pytest.approx(95)
    assert line.at(date(2022, 3, 31)) == pytest.approx(87.5)
    assert line.at(date(2020, 9, 30)) == pytest.approx(97.5)


def test_grey_without_a_figure_or_a_target_and_zero_baseline():
    assert rag.rate_period(None, WIGAN, date(2006, 3, 31), "down").rag == rag.GREY
    assert rag.rate_period(100, None, date(2006, 3, 31), "down").rag == rag.GREY
    assert rag.target_level("percent_change", baseline=0, percent_change=-10) is None
    assert rag.pct_change(0, 5) is None


def test_direction_of_travel_follows_polarity():
    assert rag.direction("down", 1_000, 900) == rag.IMPROVING
    assert rag.direction("up", 1_000, 900) == rag.WORSENING
    assert rag.direction("down", 1_000, 1_015) == rag.STEADY  # 1.5% is inside the 2% band
    assert rag.direction("down", 1_000, 1_020) == rag.WORSENING
    assert rag.direction("down", 1_000, 1_000) == rag.SAME
    assert rag.direction("down", None, 1_000) == rag.UNKNOWN


def _indicators(improving: int, total: int) -> list[rag.Indicator]:
    return [rag.Indicator(f"Indicator {i + 1}", "down", 100, 90 if i < improving else 110) for i in range(total)]


def test_improve_on_all_14_indicators():
    """Wigan's offending target: all 14 must improve. 14 of 14 Green, 13 Amber, 12 Red."""
    assert rag.rate_composite(_indicators(14, 14)).rating.rag == rag.GREEN
    thirteen = rag.rate_composite(_indicators(13, 14), required_count=14)
    assert (thirteen.improved, thirteen.total, thirteen.needed, thirteen.rating.rag) == (13, 14, 14, rag.AMBER)
    assert thirteen.summary == "13 of 14 improved (14 needed)"
    assert rag.rate_composite(_indicators(12, 14), required_count=14).rating.rag == rag.RED


def test_three_quarters_of_the_measures():
    """Three-quarters of 8 is 6; of 7 it is 5.25, rounded up to 6."""
    assert rag.required(8, required_fraction=0.75) == 6
    assert rag.required(7, required_fraction=0.75) == 6
    assert rag.required(4, required_fraction=0.75) == 3
    assert rag.rate_composite(_indicators(6, 8), required_fraction=0.75).rating.rag == rag.GREEN
    assert rag.rate_composite(_indicators(5, 8), required_fraction=0.75).rating.rag == rag.AMBER
    assert rag.rate_composite(_indicators(4, 8), required_fraction=0.75).rating.rag == rag.RED


def test_indicator_without_a_figure_has_not_improved():
    indicators = [
        rag.Indicator("a", "up", 10, 12),
        rag.Indicator("b", "up", 10, None),
        rag.Indicator("c", "up", None, 5),
    ]
    result = rag.rate_composite(indicators, required_count=2)
    assert (result.improved, result.with_data, result.rating.rag) == (1, 2, rag.AMBER)
    assert rag.rate_composite([rag.Indicator("a", "up", 10, None)]).rating.rag == rag.GREY


def test_maintain_the_baseline_level():
    """Oadby and Wigston's "maintain the evidenced reduction": the level is the baseline (3,000), so there is no
    change to take 5% of; the band is 5% of the level: 150."""
    hold = rag.Trajectory(level=3_000, baseline=3_000, baseline_on=date(2021, 3, 31), target_on=date(2024, 3, 31))
    assert hold.amber_band() == pytest.approx(150)
    assert rag.rate_period(2_950, hold, date(2022, 3, 31), "down").rag == rag.GREEN
    assert rag.rate_period(3_150, hold, date(2022, 3, 31), "down").rag == rag.AMBER
    assert rag.rate_period(3_151, hold, date(2022, 3, 31), "down").rag == rag.RED
