"""Postcodes placed in their LSOA and ward (issue 22 item 5): OS Code-Point Open, real rows for both Leicestershire
districts, placed by the point-in-boundary locator; the ONS Postcode Directory's own LSOA where that file is loaded."""

from __future__ import annotations

import pytest

from safer.geography import services
from safer.geography.importers.base import GeographyImportError
from safer.geography.importers.postcodes import normal_postcode
from safer.geography.models import Lsoa, Postcode, PostcodeLsoaSource
from safer.geography.tests.conftest import FIXTURES, LOOKUP, LSOA_BOUNDARIES, NWL, OW

pytestmark = pytest.mark.django_db

CODEPOINT = FIXTURES / "codepoint_open_2025.4.0__E07000134_E07000135.csv"


@pytest.fixture
def boundaries_loaded(db):
    services.import_lookup(LOOKUP, [OW, NWL])
    services.import_boundaries(LSOA_BOUNDARIES, [OW, NWL], level="lsoa")


def test_code_point_open_places_each_postcode_in_an_lsoa_of_its_district(boundaries_loaded):
    report = services.import_postcodes(CODEPOINT, [OW])
    assert report.by_lad == {OW: 1207} and report.skipped_outside == 2673  # North West Leicestershire's
    canal_street = Postcode.objects.get(code="LE18 4PA")
    assert (canal_street.easting, canal_street.northing, canal_street.ward_code) == (458758, 298324, "E05005536")
    lsoa = Lsoa.objects.select_related("ward").get(code=canal_street.lsoa_code, vintage="2011")
    assert lsoa.ward is not None and lsoa.ward.name == "South Wigston"  # the LSOA agrees with OS's own ward
    assert canal_street.lsoa_source == PostcodeLsoaSource.BOUNDARY
    assert 52.5 < canal_street.latitude < 52.6 and -1.2 < canal_street.longitude < -1.1
    placed = Postcode.objects.exclude(lsoa_code="").count()
    assert placed >= 1207 * 0.95  # generalised boundaries: a few edge postcodes may fall outside every polygon
    assert "lie outside every LSOA boundary" in report.summary() or placed == 1207
    again = services.import_postcodes(CODEPOINT, [OW])
    assert again.created == 0 and Postcode.objects.count() == 1207  # re-importing updates in place


def test_code_point_open_as_published_has_no_header_line(boundaries_loaded, tmp_path):
    published = tmp_path / "le.csv"
    published.write_text("".join(CODEPOINT.read_text().splitlines(keepends=True)[1:]))
    report = services.import_postcodes(published, [OW, NWL])
    assert report.imported == 3880 and "OS Code-Point Open" in report.kind


def test_the_postcode_directorys_own_lsoa_is_used_where_its_file_is_loaded(boundaries_loaded, tmp_path):
    directory = tmp_path / "ONSPD_NOV_2025_UK_LE.csv"
    directory.write_text(
        "pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,oslaua,osward,lsoa11\n"
        "LE184PA,LE18 4PA,LE18 4PA,198001,,458758,298324,E07000135,E05005536,E01025987\n"
        "LE184ZZ,LE18 4ZZ,LE18 4ZZ,198001,202001,458700,298300,E07000135,E05005536,E01025987\n"
    )
    services.import_postcodes(directory, [OW])
    found = Postcode.objects.get(code="LE18 4PA")
    assert (found.lsoa_code, found.lsoa_source) == ("E01025987", PostcodeLsoaSource.DIRECTORY)
    assert not Postcode.objects.filter(code="LE18 4ZZ").exists()  # terminated


def test_a_file_that_is_not_a_postcode_file_is_refused_saying_what_to_use(boundaries_loaded, tmp_path):
    wrong = tmp_path / "addresses.csv"
    wrong.write_text("name,street\nA,B\n")
    with pytest.raises(GeographyImportError, match=r"addresses.csv, line 1: this is not a postcode file"):
        services.import_postcodes(wrong, [OW])
    bad = tmp_path / "codepoint.csv"
    bad.write_text(
        '"LE18 4PA",10,458758,298324,"E92000001","E19000001","E18000004","E10000018","E07000135","E05005536"\n'
        '"NOT A CODE",10,1,2,"E92000001","E19000001","E18000004","E10000018","E07000135","E05005536"\n'
    )
    with pytest.raises(GeographyImportError, match=r"line 2, column \"Postcode\": 'NOT A CODE' is not a postcode"):
        services.import_postcodes(bad, [OW])
    assert not Postcode.objects.exists()  # nothing half-written


@pytest.mark.parametrize(
    ("text", "code"), [("le184pa", "LE18 4PA"), ("LE18 4PA", "LE18 4PA"), ("LE2  4WF", "LE2 4WF"), ("LE18", None)]
)
def test_postcodes_are_written_one_way(text, code):
    assert normal_postcode(text) == code
