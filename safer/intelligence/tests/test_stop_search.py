"""Stop and search: real GMP file, rows placed in Wigan's LSOAs by their coordinates, UK-time months."""

from __future__ import annotations

import pytest

from safer.geography import services as geography_services
from safer.geography.locate import LsoaLocator
from safer.intelligence import services
from safer.intelligence.importers.files import discover
from safer.intelligence.models import MonthlyCount, RunStatus, Source, StopSearch
from safer.intelligence.tests.helpers import FIXTURES, HEADER, memory_file

pytestmark = pytest.mark.django_db(transaction=True)

GMP = FIXTURES / "gmp-stop-and-search" / "2019-06-greater-manchester-stop-and-search.csv"


@pytest.fixture
def wigan(db):
    from safer.core.tests.factories import PartnershipFactory

    partnership = PartnershipFactory.create(name="Wigan CSP", slug="wigan", lad_codes=["E08000010"])
    geography_services.import_bundled(["E08000010"])
    return partnership


def test_the_real_gmp_month_places_wigans_searches(wigan):
    outcome = services.import_stop_search_file(
        partnership=wigan, data_file=next(discover([GMP], "-stop-and-search.csv")), actor=None
    )
    run = outcome.run
    assert outcome.refused == ""
    assert run.status == RunStatus.LIVE and run.month is not None and run.month.isoformat() == "2019-06-01"
    assert run.rows_read == 907
    assert run.rows_no_location == 10
    # 73 searches fall inside the Wigan district outline (research note, against the 2023 district boundary); placing
    # them in Wigan's 200 generalised LSOA polygons finds the same 73.
    located = run.rows_imported
    assert located == 73
    assert not StopSearch.objects.filter(run=run, lsoa__isnull=True).exists()  # the 10: the force's, not Wigan's
    assert run.rows_outside_area == 907 - 10 - located
    assert StopSearch.objects.filter(run=run, lsoa__isnull=False).count() == located
    # Searches at 00:01 BST on 1 June are stamped 31 May in UTC, and still count for June.
    total = sum(
        MonthlyCount.objects.filter(
            partnership=wigan, source=Source.POLICEUK_STOP_SEARCH, lsoa__isnull=False
        ).values_list("count", flat=True)
    )
    assert total == located


def test_stop_search_needs_boundaries(partnership):
    outcome = services.import_stop_search_file(
        partnership=partnership, data_file=next(discover([GMP], "-stop-and-search.csv")), actor=None
    )
    assert "has no LSOA boundaries loaded" in outcome.refused


def test_a_street_file_is_not_a_stop_search_file(wigan):
    outcome = services.import_stop_search_file(
        partnership=wigan, data_file=memory_file("2019-06-gmp-stop-and-search.csv", HEADER.encode()), actor=None
    )
    assert "this is not a police.uk stop-and-search file" in outcome.refused


def test_locator_respects_holes():
    square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    hole = [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]
    locator = LsoaLocator(
        [
            ("A", {"type": "Polygon", "coordinates": [square, hole]}),
            ("B", {"type": "MultiPolygon", "coordinates": [[hole]]}),
        ]
    )
    assert locator.locate(latitude=1, longitude=1) == "A"
    assert locator.locate(latitude=5, longitude=5) == "B"
    assert locator.locate(latitude=20, longitude=5) is None


def test_stop_search_heat_map_and_its_rows(client, sign_in, wigan):
    from django.urls import reverse

    from safer.core.tests.factories import AgencyFactory, make_member

    services.import_stop_search_file(
        partnership=wigan, data_file=next(discover([GMP], "-stop-and-search.csv")), actor=None
    )
    analyst = make_member(AgencyFactory.create(partnership=wigan), "analyst", email="wigan.analyst@example.org")
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:heat-map") + "?dataset=stop-and-search").text
    assert ">73<" in page
    rows = client.get(reverse("intelligence:cell-rows", args=["stop-and-search", 2019, 6]))
    assert "73 rows" in rows.text and "Person search" in rows.text
    csv_rows = client.get(reverse("intelligence:cell-rows", args=["stop-and-search", 2019, 6]) + "?format=csv")
    assert len(csv_rows.content.decode().splitlines()) == 74
    # Street-crime figures stay separate: no street data was loaded for Wigan.
    assert "There is no data to show yet" in client.get(reverse("intelligence:heat-map")).text


def test_command_imports_stop_and_search_too(wigan, capsys):
    from django.core.management import call_command

    call_command("import_policeuk", str(GMP), "--partnership", "wigan")
    assert (
        "wigan: 2019-06-greater-manchester-stop-and-search.csv: 2019-06 read 907, imported 73, outside the area 824"
        in capsys.readouterr().out
    )
