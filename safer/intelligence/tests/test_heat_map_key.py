"""The heat map's key: five bands by fifths of the table's months, equal counts in one band, so no two ranges of
the key overlap and every cell's colour is the band its count is listed in."""

from __future__ import annotations

import html
import itertools
import random
import re
from datetime import date

import pytest
from django.urls import reverse

from safer.geography.models import Lsoa
from safer.intelligence.models import ImportRun, MonthlyCount, RunStatus, Source
from safer.intelligence.selectors import _band, _quintile_bounds

# Ten months, three of them 299: the old key read "299 to 299" for band 3 and "299 to 310" for band 4.
TIED = [250, 260, 275, 280, 299, 299, 299, 310, 323, 330]


def test_tied_counts_share_one_band_and_the_ranges_do_not_overlap() -> None:
    assert _quintile_bounds(TIED) == [(250, 260), (275, 280), (299, 299), (310, 310), (323, 330)]


def test_one_count_for_every_month_fills_the_lowest_band_only() -> None:
    assert _quintile_bounds([40] * 12) == [(40, 40), None, None, None, None]
    assert _band(40, _quintile_bounds([40] * 12)) == 1


def test_every_count_is_coloured_by_the_band_the_key_lists_it_in() -> None:
    generator = random.Random(22)
    for _ in range(500):
        values = [generator.choice([0, 1, 5, 275, 299, 299, 323, generator.randint(0, 400)]) for _ in range(40)]
        values = values[: generator.randint(1, 40)]
        bounds = _quintile_bounds(values)
        shown = [(n, b) for n, b in enumerate(bounds, start=1) if b is not None]
        for (_, (_, high)), (_, (low, _)) in itertools.pairwise(shown):
            assert high < low, (values, bounds)  # the key's ranges never overlap
        for value in values:
            [listed] = [n for n, (low, high) in shown if low <= value <= high]
            assert _band(value, bounds) == listed, (value, values, bounds)
        assert shown[0][0] == 1  # the lowest count is always band 1


@pytest.mark.django_db
def test_the_heat_map_page_shows_a_key_that_does_not_overlap(client, sign_in, analyst, partnership, geography):
    lsoa = Lsoa.objects.filter(lad__code="E07000135").first() or Lsoa.objects.first()
    months = [date(2022 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1)]
    for month, count in zip(months, TIED, strict=True):
        ImportRun.objects.create(
            partnership=partnership,
            source=Source.POLICEUK_STREET,
            file_name=f"{month:%Y-%m}-leicestershire-street.csv",
            sha256="0" * 64,
            month=month,
            status=RunStatus.LIVE,
        )
        MonthlyCount.objects.create(
            partnership=partnership,
            source=Source.POLICEUK_STREET,
            month=month,
            lsoa=lsoa,
            category="burglary",
            count=count,
        )
    sign_in(client, analyst)
    response = client.get(reverse("intelligence:heat-map"))
    assert response.status_code == 200
    key = response.text[response.text.index(">Key<") :]
    key = key[: key.index("</ul>")]
    items = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", li)).split()) for li in key.split("<li>")[1:]]
    assert items == [
        "250 to 260 band 1 of 5 (lowest)",
        "275 to 280 band 2 of 5",
        "299 band 3 of 5",
        "310 band 4 of 5",
        "323 to 330 band 5 of 5 (highest)",
    ]
    # Each of the three 299s is coloured band 3, as the key says.
    assert len(re.findall(r'app-heat app-heat--3">\s*(?:<a[^>]*>)?\s*299\b', response.text)) == 3
