"""Trends on real data: year to date against last year, rolling totals, the chart and its table, rankings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safer.intelligence import selectors
from safer.intelligence.tests.test_pages import loaded, oadby_counts  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_year_to_date_against_last_year(client, sign_in, analyst, loaded, partnership):  # noqa: F811
    counts = oadby_counts()
    this_year = sum(counts[f"2022-{m:02d}"] for m in range(4, 8))
    last_year = sum(counts[f"2021-{m:02d}"] for m in range(4, 8))
    result = selectors.trend(partnership, selectors.dataset("all-crime"))
    assert result is not None
    assert result.period_label == "2022/23 to date (April 2022 to July 2022)"
    assert result.current == this_year
    assert result.comparisons[0].value == last_year
    assert result.comparisons[0].change_pct == pytest.approx((this_year - last_year) / last_year * 100)
    # April to July 2019 were never loaded, so the 3-year average cannot be formed.
    assert result.comparisons[1].value is None
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:trends")).text
    change = (this_year - last_year) / last_year * 100
    assert f"{'up' if change > 0 else 'down'} {abs(change):.1f}%" in page
    assert "not comparable" in page


def test_rolling_twelve_months_and_gaps(loaded, partnership):  # noqa: F811
    counts = oadby_counts()
    result = selectors.trend(partnership, selectors.dataset("all-crime"))
    assert result is not None
    rolling = dict(result.rolling)
    months = sorted(counts)
    assert rolling[result.points[10][0]] is None  # fewer than 12 months so far
    expected = sum(counts[m] for m in months[-12:])
    assert rolling[result.points[-1][0]] == expected


def test_chart_is_an_svg_with_its_table(client, sign_in, analyst, loaded):  # noqa: F811
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:trends") + "?dataset=burglary").text
    assert '<svg class="app-chart"' in page and '">Burglary per month in' in page and 'aria-labelledby="chart-' in page
    assert "Show the chart&#39;s figures as a table" in page or "Show the chart's figures as a table" in page
    assert "Most prevalent in the last 12 months" in page
    csv_body = client.get(reverse("intelligence:trends") + "?dataset=burglary&format=csv").content.decode()
    assert csv_body.splitlines()[0] == "month,count,rolling_12_months"
    assert len(csv_body.splitlines()) == 33


def test_ranking_puts_violence_first_and_leaves_asb_out_of_crime(loaded, partnership):  # noqa: F811
    result = selectors.trend(partnership, selectors.dataset("all-crime"))
    assert result is not None
    names = [name for name, _n in result.ranking]
    assert "Anti-social behaviour" not in names
    assert names[0] == "Violence and sexual offences"
