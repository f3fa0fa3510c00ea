"""GeoJSON boundaries: geometry only, the area's LSOAs and wards, idempotent, streamed."""

from __future__ import annotations

import json

import pytest

from safer.geography import services
from safer.geography.models import Boundary
from safer.geography.tests.conftest import ALL_THREE, LSOA_BOUNDARIES, NWL, OW, WARD_BOUNDARIES, WIGAN, snapshot


@pytest.mark.django_db
def test_lsoa_boundaries_of_the_three_districts(lookup_loaded):
    report = services.import_boundaries(LSOA_BOUNDARIES, ALL_THREE, level="lsoa", source="ONS BSC")

    assert (report.rows_read, report.imported, report.skipped_outside) == (294, 294, 0)
    assert report.by_lad == {NWL: 58, OW: 36, WIGAN: 200}
    assert report.kind == "LSOA boundaries (2011)"
    boundary = Boundary.objects.get(level="lsoa", code="E01006212", edition="2011")
    assert set(boundary.geometry) == {"type", "coordinates"}  # properties dropped
    assert boundary.geometry["type"] == "Polygon"
    assert boundary.geometry["coordinates"][0][0] == [-2.57805337033383, 53.515175887083501]
    assert boundary.source == "ONS BSC"


@pytest.mark.django_db
def test_ward_boundaries_skip_the_ward_the_lookup_does_not_know(lookup_loaded):
    report = services.import_boundaries(WARD_BOUNDARIES, ALL_THREE, level="ward")

    # 48 wards in the file; E05010102 Castle Donington Park best-fits no LSOA, so the lookup has no such ward.
    assert (report.rows_read, report.imported, report.skipped_outside) == (48, 47, 1)
    assert report.by_lad == {NWL: 37, OW: 10}
    assert report.kind == "Ward boundaries (2019)"
    assert report.notes == [f"{WIGAN}: nothing for this district in the file"]
    assert not Boundary.objects.filter(code="E05010102").exists()
    assert Boundary.objects.get(code="E05005531").geometry["type"] == "MultiPolygon"
    assert Boundary.objects.get(code="E05005531").source == WARD_BOUNDARIES.name


@pytest.mark.django_db
def test_boundaries_keep_only_the_area(lookup_loaded):
    report = services.import_boundaries(LSOA_BOUNDARIES, [OW], level="lsoa")

    assert (report.imported, report.skipped_outside) == (36, 258)
    assert Boundary.objects.count() == 36


@pytest.mark.django_db
def test_reimporting_boundaries_updates_in_place(lookup_loaded, copy_fixture):
    services.import_boundaries(WARD_BOUNDARIES, [OW], level="ward")
    before = snapshot()
    again = services.import_boundaries(WARD_BOUNDARIES, [OW], level="ward")
    assert (again.imported, again.created) == (10, 0)
    assert snapshot() == before

    moved = copy_fixture(WARD_BOUNDARIES)
    moved.write_text(moved.read_text().replace("[-1.07108,52.59525]", "[-1.07,52.59]"))
    services.import_boundaries(moved, [OW], level="ward")
    assert Boundary.objects.count() == 10
    assert Boundary.objects.get(code="E05005531").geometry["coordinates"][0][0][0] == [-1.07, 52.59]


@pytest.mark.django_db
def test_a_compact_single_line_file_with_many_features_streams(lookup_loaded, tmp_path, monkeypatch):
    """Features split across read chunks (a tiny chunk size here) still decode one by one."""
    from safer.geography.importers import geojson

    monkeypatch.setattr(geojson, "CHUNK", 97)
    data = json.loads(WARD_BOUNDARIES.read_text())
    data["features"] = data["features"] + [
        {"type": "Feature", "properties": {"wd19cd": f"E05{900000 + i}"}, "geometry": data["features"][0]["geometry"]}
        for i in range(500)
    ]
    path = tmp_path / "compact.geojson"
    path.write_text(json.dumps(data, separators=(",", ":")))

    report = services.import_boundaries(path, [OW, NWL], level="ward")

    assert (report.rows_read, report.imported, report.skipped_outside) == (548, 47, 501)
