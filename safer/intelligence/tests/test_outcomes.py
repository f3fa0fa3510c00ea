"""Outcomes files update the outcome shown beside each crime; they replace by month like street files."""

from __future__ import annotations

import csv
import gzip

import pytest
from django.urls import reverse

from safer.intelligence import selectors, services
from safer.intelligence.importers.files import discover
from safer.intelligence.models import MonthlyCount, OutcomeRecord, RunStatus, Source
from safer.intelligence.tests.helpers import CSP, memory_file

pytestmark = pytest.mark.django_db(transaction=True)

OUTCOMES_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\r\n"
)


def outcomes_for(month: str, street_month: str, outcome: str, how_many: int) -> tuple[bytes, list[str]]:
    """An outcomes file in police.uk's layout for real crimes of an earlier street file."""
    with gzip.open(CSP / f"{street_month}-leicestershire-street.csv.gz", "rt", encoding="utf-8-sig", newline="") as fh:
        crimes = [r for r in csv.DictReader(fh) if r["Crime ID"] and r["LSOA name"].startswith("Oadby")][:how_many]
    lines = [
        f"{r['Crime ID']},{month},Leicestershire Police,Leicestershire Police,{r['Longitude']},{r['Latitude']},"
        f"{r['Location']},{r['LSOA code']},{r['LSOA name']},{outcome}\r\n"
        for r in crimes
    ]
    return (OUTCOMES_HEADER + "".join(lines)).encode(), [r["Crime ID"] for r in crimes]


def test_outcomes_show_beside_the_crimes(client, sign_in, analyst, geography, partnership):
    services.import_street_file(
        partnership=partnership,
        data_file=next(discover([CSP / "2019-12-leicestershire-street.csv.gz"], "-street.csv")),
        actor=None,
    )
    counts_before = list(MonthlyCount.objects.values_list("month", "category", "count"))
    content, ids = outcomes_for("2020-02", "2019-12", "Offender given a caution", 5)
    outcome = services.import_policeuk_file(
        partnership=partnership, data_file=memory_file("2020-02-leicestershire-outcomes.csv", content), actor=None
    )
    assert outcome.refused == ""
    assert (outcome.run.rows_read, outcome.run.rows_imported) == (5, 5)
    assert list(MonthlyCount.objects.values_list("month", "category", "count")) == counts_before
    latest = selectors.latest_outcomes(partnership, ids)
    assert {v[1] for v in latest.values()} == {"Offender given a caution"}

    later, _ = outcomes_for("2020-03", "2019-12", "Local resolution", 2)
    services.import_outcomes_file(
        partnership=partnership, data_file=memory_file("2020-03-leicestershire-outcomes.csv", later), actor=None
    )
    latest = selectors.latest_outcomes(partnership, ids)
    assert [latest[i][1] for i in ids] == ["Local resolution"] * 2 + ["Offender given a caution"] * 3

    sign_in(client, analyst)
    page = client.get(reverse("intelligence:cell-rows", args=["all-crime", 2019, 12])).text
    assert "Local resolution" in page and "(March 2020 outcomes file)" in page


def test_reimporting_an_outcomes_month_replaces_it(geography, partnership):
    content, _ = outcomes_for("2020-02", "2019-12", "Offender given a caution", 5)
    first = services.import_outcomes_file(
        partnership=partnership, data_file=memory_file("2020-02-leicestershire-outcomes.csv", content), actor=None
    ).run
    services.import_outcomes_file(
        partnership=partnership, data_file=memory_file("2020-02-leicestershire-outcomes.csv", content), actor=None
    )
    first.refresh_from_db()
    assert first.status == RunStatus.REPLACED
    assert OutcomeRecord.objects.count() == 5


def test_a_street_file_named_as_outcomes_is_imported_as_the_street_file_its_columns_say_it_is(geography, partnership):
    with gzip.open(CSP / "2019-12-leicestershire-street.csv.gz", "rb") as fh:
        body = fh.read()
    outcome = services.import_policeuk_file(
        partnership=partnership, data_file=memory_file("2019-12-leicestershire-outcomes.csv", body), actor=None
    )
    assert not outcome.refused
    assert (outcome.run.source, outcome.run.rows_imported) == (Source.POLICEUK_STREET, 321)
    assert not OutcomeRecord.objects.exists()
