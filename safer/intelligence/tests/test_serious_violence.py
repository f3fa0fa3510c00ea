"""The serious violence profile on real data: the proxy categories, time of year, and what police.uk cannot show."""

from __future__ import annotations

import csv
import gzip

import pytest
from django.urls import reverse

from safer.intelligence import serious_violence
from safer.intelligence.tests.helpers import CSP
from safer.intelligence.tests.test_pages import loaded  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)

PROXY = {"Violence and sexual offences", "Robbery", "Possession of weapons"}


def fy_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted(CSP.glob("*.csv.gz")):
        month = path.name[:7]
        year = int(month[:4]) if int(month[5:7]) >= 4 else int(month[:4]) - 1
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            n = sum(1 for r in csv.DictReader(fh) if r["LSOA name"].startswith("Oadby") and r["Crime type"] in PROXY)
        counts[f"{year}"] = counts.get(f"{year}", 0) + n
    return counts


def test_profile_counts_the_three_proxy_categories(loaded, partnership):  # noqa: F811
    result = serious_violence.profile(partnership)
    assert result is not None
    assert result.year_labels == ["2019/20", "2020/21", "2021/22", "2022/23"]
    expected = fy_counts()
    totals = [sum(values[i] or 0 for _name, values in result.by_category) for i in range(len(result.years))]
    assert totals == [expected[str(y)] for y in result.years]
    assert [name for name, _values in result.by_category] == [
        "Violence and sexual offences",
        "Robbery",
        "Possession of weapons",
    ]
    january = next(s for s in result.seasonal if s[0] == "January")
    assert january[2] == 3  # January 2020, 2021 and 2022


def test_page_states_what_police_uk_cannot_show(client, sign_in, analyst, loaded):  # noqa: F811
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:serious-violence")).text
    assert "is a proxy for the Home Office definition" in page
    assert "Cannot separate homicide, knife or gun crime" in page
    assert "Time of year: highest on average in" in page
    assert "?dataset=serious-violence" in page
    heat = client.get(reverse("intelligence:heat-map") + "?dataset=serious-violence")
    assert heat.status_code == 200 and "Serious violence (police.uk proxy" in heat.text


def test_empty_state(client, sign_in, analyst):
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:serious-violence")).text
    assert "There is no data to show yet" in page
