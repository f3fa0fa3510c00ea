"""The ONS LSOA (2011) → ward (2019) → district lookup: real counts, idempotency, the area, a national-size file."""

from __future__ import annotations

import gzip

import pytest

from safer.geography import services
from safer.geography.models import Lad, Lsoa, Ward
from safer.geography.tests.conftest import ALL_THREE, LOOKUP, NWL, OW, WIGAN, snapshot


@pytest.mark.django_db
def test_lookup_loads_the_three_districts_with_their_real_counts():
    report = services.import_lookup(LOOKUP, ALL_THREE)

    assert (report.rows_read, report.imported, report.created, report.skipped_outside) == (294, 294, 294, 0)
    assert report.by_lad == {NWL: 58, OW: 36, WIGAN: 200}
    assert report.kind == "LSOA (2011) to ward (2019) lookup"
    assert dict(Lad.objects.values_list("code", "name")) == {
        NWL: "North West Leicestershire",
        OW: "Oadby and Wigston",
        WIGAN: "Wigan",
    }
    for lad, lsoas, wards in ((NWL, 58, 37), (OW, 36, 10), (WIGAN, 200, 25)):
        assert Lsoa.objects.filter(lad__code=lad, vintage="2011").count() == lsoas
        assert Ward.objects.filter(lad__code=lad, edition="2019").count() == wards
    # The seed's strategic plan: "'Oadby and Wigston 005C', within Wigston Fields Ward".
    lsoa = Lsoa.objects.select_related("ward", "lad").get(code="E01025997")
    assert lsoa.ward is not None
    assert (lsoa.name, lsoa.ward.name, lsoa.ward.code, lsoa.lad.code) == (
        "Oadby and Wigston 005C",
        "Wigston Fields",
        "E05005538",
        OW,
    )
    # Names with apostrophes and ampersands survive.
    assert Ward.objects.filter(name="Oadby St Peter's").exists()
    assert Ward.objects.filter(name="Ellistown & Battleflat").exists()


@pytest.mark.django_db
def test_lookup_keeps_only_the_districts_asked_for_and_counts_the_rest():
    report = services.import_lookup(LOOKUP, [OW])

    assert (report.rows_read, report.imported, report.skipped_outside) == (294, 36, 258)
    assert report.by_lad == {OW: 36}
    assert list(Lad.objects.values_list("code", flat=True)) == [OW]
    assert Lsoa.objects.count() == 36
    assert Ward.objects.count() == 10


@pytest.mark.django_db
def test_a_district_with_no_rows_is_noted_not_an_error():
    report = services.import_lookup(LOOKUP, [OW, "E06000016"])

    assert report.imported == 36
    assert report.notes == ["E06000016: nothing for this district in the file"]
    assert "note: E06000016: nothing for this district in the file" in report.summary()


@pytest.mark.django_db
def test_reimporting_the_lookup_updates_and_never_duplicates():
    services.import_lookup(LOOKUP, ALL_THREE)
    before = snapshot()
    ids = dict(Lsoa.objects.values_list("code", "pk"))

    again = services.import_lookup(LOOKUP, ALL_THREE)

    assert (again.imported, again.created, again.updated) == (294, 0, 294)
    assert snapshot() == before
    assert dict(Lsoa.objects.values_list("code", "pk")) == ids  # same rows, so nothing that points at them breaks


@pytest.mark.django_db
def test_reimport_applies_a_renamed_ward(copy_fixture):
    services.import_lookup(LOOKUP, [OW])
    changed = copy_fixture(LOOKUP)
    changed.write_bytes(changed.read_bytes().replace(b"Wigston Fields", b"Wigston Fields and Meadows"))

    services.import_lookup(changed, [OW])

    assert Ward.objects.get(code="E05005538").name == "Wigston Fields and Meadows"
    assert Ward.objects.count() == 10


def _national_sized(tmp_path, subset: bytes, extra_rows: int, *, compress: bool = False):
    """The real subset plus thousands of synthetic rows of other districts, as a national file would have."""
    lines = subset.splitlines(keepends=True)
    synthetic = [
        f"{90000 + i},E01{900000 + i},Somewhere {i:03d}A,E05{900000 + i % 5000},Some Ward {i % 5000},"
        f"E06{900000 + i % 300},District {i % 300}\n".encode()
        for i in range(extra_rows)
    ]
    # Put the districts' own rows in the middle, as in the national file.
    body = synthetic[: extra_rows // 2] + lines[1:] + synthetic[extra_rows // 2 :]
    data = lines[0] + b"".join(body)
    path = tmp_path / ("national.csv.gz" if compress else "national.csv")
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("compress", [False, True])
def test_a_national_sized_lookup_streams_and_keeps_the_area(tmp_path, compress):
    path = _national_sized(tmp_path, LOOKUP.read_bytes(), 34_459, compress=compress)

    report = services.import_lookup(path, [NWL, OW])

    assert report.rows_read == 34_753  # the national file's row count
    assert (report.imported, report.skipped_outside) == (94, 34_659)
    assert report.by_lad == {NWL: 58, OW: 36}
    assert Lsoa.objects.count() == 94
    assert not Lad.objects.filter(code__startswith="E069").exists()
