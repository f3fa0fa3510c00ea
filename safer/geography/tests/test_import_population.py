"""Population: mid-2019 totals ("2,472", BOM) and mid-2015 File 6 with age bands; real district totals."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from safer.geography import services
from safer.geography.models import Population
from safer.geography.tests.conftest import ALL_THREE, NWL, OW, POPULATION_2015, POPULATION_2019, WIGAN, snapshot


def _totals(year: int) -> dict[str, int]:
    rows = Population.objects.filter(year=year).values("lsoa__lad__code").annotate(total=Sum("total"))
    return {row["lsoa__lad__code"]: row["total"] for row in rows}


@pytest.mark.django_db
def test_mid_2019_totals_with_thousands_separators(lookup_loaded):
    report = services.import_population(POPULATION_2019, ALL_THREE, year=2019, source="ONS SAPE22DT2")

    assert (report.rows_read, report.imported, report.skipped_outside) == (294, 294, 0)
    assert report.kind == "Population mid-2019"
    assert _totals(2019) == {NWL: 103_611, OW: 57_015, WIGAN: 328_662}
    first = Population.objects.get(lsoa__code="E01025913", year=2019)  # written "2,472"
    assert (first.total, first.aged_0_15, first.source) == (2472, None, "ONS SAPE22DT2")


@pytest.mark.django_db
def test_mid_2015_file_6_with_age_bands(lookup_loaded):
    report = services.import_population(POPULATION_2015, ALL_THREE, year=2015)

    assert report.imported == 294
    assert report.kind == "Population mid-2015 with age bands"
    assert _totals(2015) == {NWL: 97_098, OW: 55_984, WIGAN: 321_839}
    bands = Population.objects.filter(year=2015, lsoa__lad__code=OW).aggregate(
        a=Sum("aged_0_15"), b=Sum("aged_16_59"), c=Sum("aged_60_plus")
    )
    assert bands == {"a": 9_673, "b": 31_379, "c": 14_932}
    wigan_026a = Population.objects.get(lsoa__code="E01006212", year=2015)  # "1438.00,246.00,770.00,422.00"
    assert (wigan_026a.total, wigan_026a.aged_0_15, wigan_026a.aged_16_59, wigan_026a.aged_60_plus) == (
        1438,
        246,
        770,
        422,
    )


@pytest.mark.django_db
def test_population_without_a_district_column_is_filtered_by_the_loaded_lsoas(lookup_loaded):
    report = services.import_population(POPULATION_2019, [OW], year=2019)

    assert (report.rows_read, report.imported, report.skipped_outside) == (294, 36, 258)
    assert _totals(2019) == {OW: 57_015}


@pytest.mark.django_db
def test_reimporting_population_replaces_the_year(lookup_loaded, copy_fixture):
    services.import_population(POPULATION_2019, [OW], year=2019)
    before = snapshot()
    assert services.import_population(POPULATION_2019, [OW], year=2019).created == 0
    assert snapshot() == before

    revised = copy_fixture(POPULATION_2019)
    revised.write_bytes(revised.read_bytes().replace(b'E01025997,"1,523"', b'E01025997,"1,600"'))
    services.import_population(revised, [OW], year=2019)
    assert Population.objects.get(lsoa__code="E01025997", year=2019).total == 1600
    assert Population.objects.filter(year=2019).count() == 36
