"""A month of a force's data is one thing whatever its file is called: a renamed, upper-case, gzipped or archived copy
of a month replaces it, never adds to it (issue 15 part 1; ADR 0002)."""

from __future__ import annotations

import gzip
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from safer.intelligence import selectors, services
from safer.intelligence.importers.files import DataFile, discover
from safer.intelligence.models import ImportRun, OutcomeRecord, RunStatus, Source, StopSearch
from safer.intelligence.tests.helpers import CSP, FIXTURES, FULL, memory_file, real_month

pytestmark = pytest.mark.django_db(transaction=True)

DECEMBER = date(2019, 12, 1)
GMP = FIXTURES / "gmp-stop-and-search" / "2019-06-greater-manchester-stop-and-search.csv"


def december_figures(*partnerships) -> list[tuple[int, int]]:
    """(crimes, ASB) in December 2019 for each partnership, as the heat map shows them."""
    return [
        (
            selectors.monthly_series(p, selectors.dataset("all-crime")).get(DECEMBER, -1),
            selectors.monthly_series(p, selectors.dataset("asb")).get(DECEMBER, -1),
        )
        for p in partnerships
    ]


def live_runs(partnership, source=Source.POLICEUK_STREET) -> int:
    return ImportRun.objects.filter(partnership=partnership, source=source, status=RunStatus.LIVE).count()


def gz(content: bytes) -> bytes:
    return gzip.compress(content)


def copies(tmp_path: Path) -> list[DataFile]:
    """The same month as a person may come to hold it, each name differently."""
    body = gzip.decompress((FULL / "2019-12-leicestershire-street.csv.gz").read_bytes())
    archive = tmp_path / "2019-12.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("2019-12/2019-12-leicestershire-street.csv", body)
    gzipped = tmp_path / "2019-12-leicestershire-street (2).csv.gz"
    gzipped.write_bytes(gz(body))
    return [
        memory_file("2019-12-leicestershire-street (1).csv", body),  # a browser's second download
        memory_file("2019-12-LEICESTERSHIRE-STREET.CSV", body),
        memory_file("download.csv", body),  # a name that says nothing
        memory_file("2019-12-lancashire-street.csv", body),  # a wrong name: the rows say Leicestershire Police
        next(discover([gzipped], "-street.csv")),
        next(discover([archive], "-street.csv")),
    ]


def test_the_same_month_under_any_name_is_counted_once_in_each_district(
    geography, partnership, other_partnership, tmp_path
):
    original = memory_file(
        "2019-12-leicestershire-street.csv",
        gzip.decompress((FULL / "2019-12-leicestershire-street.csv.gz").read_bytes()),
    )
    for district in (partnership, other_partnership):
        services.import_street_file(partnership=district, data_file=original, actor=None)
    once = december_figures(partnership, other_partnership)
    assert all(crimes > 0 and asb > 0 for crimes, asb in once)

    for copy in copies(tmp_path):
        for district in (partnership, other_partnership):
            outcome = services.import_street_file(partnership=district, data_file=copy, actor=None)
            assert not outcome.refused, (copy.name, outcome.refused)
            assert outcome.run.force == "leicestershire", copy.name
        assert december_figures(partnership, other_partnership) == once, copy.name
        assert live_runs(partnership) == live_runs(other_partnership) == 1, copy.name


def test_the_policeuk_upload_tells_the_kinds_apart_by_their_columns_whatever_the_name(geography, partnership):
    body = gzip.decompress((CSP / "2019-12-leicestershire-street.csv.gz").read_bytes())
    for name in ("2019-12-leicestershire-street (1).csv", "export.csv", "2019-12-leicestershire-outcomes.csv"):
        outcome = services.import_policeuk_file(partnership=partnership, data_file=memory_file(name, body), actor=None)
        assert (outcome.refused, outcome.run.source) == ("", Source.POLICEUK_STREET), name
    assert live_runs(partnership) == 1
    assert december_figures(partnership)[0][0] + december_figures(partnership)[0][1] == 321


def test_a_later_snapshot_of_the_month_under_another_name_replaces_the_first(geography, partnership):
    first = real_month("2019-12")
    lines = first.decode("utf-8-sig").splitlines(keepends=True)
    later = "".join(lines[:-1]).encode()  # the force re-supplied the month with one row fewer
    services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-leicestershire-street.csv", first), actor=None
    )
    before = sum(december_figures(partnership)[0])
    services.import_street_file(partnership=partnership, data_file=memory_file("street (1).csv", later), actor=None)
    assert sum(december_figures(partnership)[0]) == before - 1
    assert live_runs(partnership) == 1


def test_the_import_report_names_the_earlier_import_of_the_very_same_file(
    geography, partnership, client, sign_in, analyst
):
    body = real_month("2019-12")
    services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-leicestershire-street.csv", body), actor=None
    )
    again = services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-leicestershire-street (1).csv", body), actor=None
    ).run
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:import-run", args=[again.pk])).text
    assert "the same file as 2019-12-leicestershire-street.csv, imported" in page
    assert ImportRun.objects.get(partnership=partnership, file_name="2019-12-leicestershire-street.csv").status == (
        RunStatus.REPLACED
    )


@pytest.fixture
def wigan(db):
    from safer.core.tests.factories import PartnershipFactory
    from safer.geography import services as geography_services

    district = PartnershipFactory.create(name="Wigan CSP", slug="wigan", lad_codes=["E08000010"])
    geography_services.import_bundled(["E08000010"])
    return district


def test_a_renamed_stop_and_search_file_replaces_the_month(wigan):
    body = GMP.read_bytes()
    for name in (GMP.name, "2019-06-greater-manchester-stop-and-search (1).csv", GMP.name.upper()):
        outcome = services.import_policeuk_file(partnership=wigan, data_file=memory_file(name, body), actor=None)
        assert not outcome.refused, outcome.refused
    assert live_runs(wigan, Source.POLICEUK_STOP_SEARCH) == 1
    assert StopSearch.objects.filter(partnership=wigan).count() == 73


def test_a_stop_and_search_file_whose_name_says_no_force_is_refused_saying_why(wigan):
    outcome = services.import_policeuk_file(
        partnership=wigan, data_file=memory_file("searches.csv", GMP.read_bytes()), actor=None
    )
    assert "does not say which police force it is from" in outcome.refused
    assert "2022-09-leicestershire-stop-and-search.csv" in outcome.refused
    assert not StopSearch.objects.exists()


def test_a_renamed_outcomes_file_replaces_the_month(geography, partnership):
    street = real_month("2019-12").decode("utf-8-sig").splitlines()
    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type"
    ours = [line for line in street[1:] if line.split(",")[0] and "Oadby and Wigston" in line]
    rows = [line.rsplit(",", 3)[0] + ",Investigation complete; no suspect identified" for line in ours]
    body = ("\r\n".join([header, *[r.replace("2019-12", "2020-01", 1) for r in rows[:20]]]) + "\r\n").encode()
    for name in ("2020-01-leicestershire-outcomes.csv", "2020-01-leicestershire-outcomes (1).csv", "outcomes.csv"):
        outcome = services.import_policeuk_file(partnership=partnership, data_file=memory_file(name, body), actor=None)
        assert (outcome.refused, outcome.run.source) == ("", Source.POLICEUK_OUTCOMES), name
    assert live_runs(partnership, Source.POLICEUK_OUTCOMES) == 1
    assert OutcomeRecord.objects.filter(partnership=partnership).count() == 20


def test_the_same_partner_file_under_another_name_is_counted_once(geography, partnership, analyst, tmp_path):
    from safer.intelligence import partner_services
    from safer.intelligence.importers.partner import Mapping

    source = partner_services.create_source(
        partnership=partnership, name="Council ASB reports", counted="one report", agency=None, actor=analyst
    )
    rows = ["Reference,Date,Category,LSOA"] + [
        f"R{n},2021-0{1 + n % 3}-1{n % 9},A very long partner category name that runs well past forty characters,"
        "E01025980"
        for n in range(30)
    ]
    first, second = tmp_path / "asb-q4.csv", tmp_path / "asb-q4 (1).csv"
    for path in (first, second):
        path.write_text("\r\n".join(rows) + "\r\n")
    mapping = Mapping(
        date="Date", location="lsoa", columns={"lsoa": "LSOA", "category": "Category", "reference": "Reference"}
    )
    source = partner_services.save_mapping(source=source, mapping=mapping)
    for path in (first, second):
        outcome = partner_services.import_partner_file(
            partnership=partnership, source=source, path=path, name=path.name, actor=analyst
        )
        assert not outcome.refused, outcome.refused
    chosen = selectors.partner_dataset(source)
    assert sum(selectors.monthly_series(partnership, chosen).values()) == 30
