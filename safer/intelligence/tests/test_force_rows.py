"""Rows with no location belong to their force, counted once for it and shown to each district only as context; a file
from another force never makes a district's figure (issue 15 part 2; ADR 0002). Two forces: Leicestershire's real
December 2019 file (Oadby and Wigston, North West Leicestershire) and a Lancashire file offered to Wigan, whose own
force (Greater Manchester Police) sent police.uk nothing."""

from __future__ import annotations

import gzip
from datetime import date

import pytest
from django.urls import reverse

from safer.geography.models import Lsoa
from safer.intelligence import selectors, services
from safer.intelligence.importers.files import DataFile
from safer.intelligence.models import ForceUnlocated, HomeForce, ImportRun, MonthlyCount, RunStatus, Source
from safer.intelligence.tests.helpers import CRIME_ID, FULL, HEADER, memory_file

pytestmark = pytest.mark.django_db(transaction=True)

DECEMBER = date(2019, 12, 1)
FORCE_FILE = FULL / "2019-12-leicestershire-street.csv.gz"
UNLOCATED = 557  # rows of the force's file with no location (all crime types, ASB too)


def force_file() -> DataFile:
    return memory_file(FORCE_FILE.name.removesuffix(".gz"), gzip.decompress(FORCE_FILE.read_bytes()))


def lancashire_file(
    wigan_codes: list[str], over_the_border: int = 7, elsewhere: int = 2993, nowhere: int = 588
) -> bytes:
    """A Lancashire Constabulary month: most rows in Lancashire's own LSOAs, a few placed in Wigan's over the
    boundary, some with no location."""
    lines = [HEADER]

    def line(lsoa: str, n: int) -> str:
        place = ("-2.6", "53.6") if lsoa else ("", "")
        return (
            f"{CRIME_ID[:-4]}{n:04d},2019-12,Lancashire Constabulary,Lancashire Constabulary,{place[0]},{place[1]},"
            f"On or near Station Road,{lsoa},Somewhere 001A,Burglary,Under investigation,\r\n"
        )

    for n in range(over_the_border):
        lines.append(line(wigan_codes[n % len(wigan_codes)], n))
    for n in range(elsewhere):
        lines.append(line(f"E0101{n % 900:04d}", 1000 + n))  # Lancashire's LSOAs, none of them Wigan's
    for n in range(nowhere):
        lines.append(line("", 6000 + n))
    return "".join(lines).encode()


@pytest.fixture
def wigan(db):
    from safer.core.tests.factories import PartnershipFactory
    from safer.geography import services as geography_services

    district = PartnershipFactory.create(name="Wigan CSP", slug="wigan", lad_codes=["E08000010"])
    geography_services.import_bundled(["E08000010"])
    return district


def wigan_codes(wigan) -> list[str]:
    codes = sorted(Lsoa.objects.filter(lad__code="E08000010", vintage="2011").values_list("code", flat=True))
    assert codes and not any(code.startswith("E0101") for code in codes)
    return codes


def test_a_force_files_unlocated_rows_are_kept_once_for_the_force_not_in_either_district(
    geography, partnership, other_partnership
):
    runs = [
        services.import_street_file(partnership=district, data_file=force_file(), actor=None).run
        for district in (partnership, other_partnership)
    ]
    assert [run.rows_no_location for run in runs] == [UNLOCATED, UNLOCATED]  # what each file said
    kept = ForceUnlocated.objects.filter(source=Source.POLICEUK_STREET, force="leicestershire", month=DECEMBER)
    assert sum(kept.values_list("count", flat=True)) == UNLOCATED  # once, not once per district
    assert not MonthlyCount.objects.filter(lsoa=None).exists()
    for run, district in zip(runs, (partnership, other_partnership), strict=True):
        in_area = sum(MonthlyCount.objects.filter(partnership=district).values_list("count", flat=True))
        assert run.rows_imported == in_area  # the district's own rows, nothing of the force's
        flags = " ".join(flag.text for flag in selectors.quality_flags(district))
        assert f"Leicestershire Police had {UNLOCATED} rows with no location in the months loaded" in flags
        assert "have no location." not in flags  # never the district's own flag
    assert {home.force for home in HomeForce.objects.all()} == {"leicestershire"}  # learnt from a plain own file


def test_the_import_report_shows_the_forces_unlocated_rows_apart_from_the_areas(
    geography, partnership, client, sign_in, analyst
):
    run = services.import_street_file(partnership=partnership, data_file=force_file(), actor=None).run
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:import-run", args=[run.pk])).text
    assert "Leicestershire Police" in page
    assert f"{UNLOCATED} rows with no location" in page and "counted in no area&#39;s figures" in page
    assert f"{run.rows_imported:,} ({UNLOCATED}" not in page


def test_another_forces_file_never_turns_no_data_into_a_figure(wigan):
    outcome = services.import_street_file(
        partnership=wigan,
        data_file=memory_file("2019-12-lancashire-street.csv", lancashire_file(wigan_codes(wigan))),
        actor=None,
    )
    assert outcome.wrong_area, outcome.refused
    assert "only 7 of its 3,000 located rows (0.23%) lie in Wigan CSP" in outcome.refused
    assert "looks like a neighbouring force's file (Lancashire Constabulary)" in outcome.refused
    assert selectors.monthly_series(wigan, selectors.dataset("all-crime")) == {}  # still "no data", not 7
    assert not ForceUnlocated.objects.filter(force="lancashire").exists()
    flags = " ".join(flag.text for flag in selectors.quality_flags(wigan))
    assert "No police.uk data has been imported for this partnership yet." in flags
    assert "no location" not in flags


def test_once_the_areas_force_is_known_another_forces_file_is_refused_by_name(wigan, analyst):
    services.set_home_force(partnership=wigan, force="Greater Manchester Police", actor=analyst)
    many_over_the_border = lancashire_file(wigan_codes(wigan), over_the_border=120, elsewhere=300, nowhere=5)
    outcome = services.import_street_file(
        partnership=wigan, data_file=memory_file("2019-12-lancashire-street.csv", many_over_the_border), actor=None
    )
    assert (
        "this is Lancashire Constabulary's file, and Wigan CSP's police force is Greater Manchester Police"
        in outcome.refused
    )
    assert selectors.monthly_series(wigan, selectors.dataset("all-crime")) == {}
    assert outcome.run.status == RunStatus.REFUSED


def test_a_national_forces_file_counts_beside_the_areas_own(geography, partnership):
    services.import_street_file(partnership=partnership, data_file=force_file(), actor=None)
    before = selectors.monthly_series(partnership, selectors.dataset("all-crime"))[DECEMBER]
    btp = HEADER + (
        f"{CRIME_ID},2019-12,British Transport Police,British Transport Police,-1.1,52.6,On or near Station,"
        "E01025980,Oadby and Wigston 009D,Theft from the person,Under investigation,\r\n"
    )
    outcome = services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-btp-street.csv", btp.encode()), actor=None
    )
    assert not outcome.refused and outcome.run.force == "btp"
    assert selectors.monthly_series(partnership, selectors.dataset("all-crime"))[DECEMBER] == before + 1
    assert ImportRun.objects.filter(partnership=partnership, status=RunStatus.LIVE).count() == 2


def test_the_analyst_sets_the_areas_force_on_the_import_page(wigan, client, sign_in):
    from safer.core.models import Role
    from safer.core.tests.factories import AgencyFactory, make_member

    analyst = make_member(AgencyFactory.create(partnership=wigan, name="Wigan Council"), Role.ANALYST)
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:overview")).text
    assert "police force is not known yet" in page
    response = client.post(reverse("intelligence:home-force"), {"force": "greater-manchester"})
    assert response.status_code == 302
    assert HomeForce.objects.get(partnership=wigan).force == "greater-manchester"
    assert "Greater Manchester Police" in client.get(reverse("intelligence:overview")).text
    refused = client.post(reverse("intelligence:home-force"), {"force": "atlantis"})
    assert refused.status_code == 200 and "Choose the police force" in refused.text
