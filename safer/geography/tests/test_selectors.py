"""The reads other apps use: scoped to the partnership's districts, with the year and edition they used."""

from __future__ import annotations

import pytest

from safer.core.tests.factories import PartnershipFactory
from safer.geography import selectors, services
from safer.geography.models import Lsoa, Population
from safer.geography.tests.conftest import ALL_THREE, LOOKUP, NWL, OW, POPULATION_2019, WIGAN


@pytest.fixture
def wigan(db):
    return PartnershipFactory.create(name="Wigan CSP", slug="wigan", lad_codes=[WIGAN])


@pytest.fixture
def county(db):
    return PartnershipFactory.create(name="Two districts", slug="two", lad_codes=[NWL, OW])


def test_lsoas_wards_and_ids_are_the_partnerships_own(all_loaded, partnership, other_partnership):
    assert selectors.lsoas_in(partnership).count() == 36
    assert selectors.lsoas_in(other_partnership).count() == 58
    assert selectors.lsoas_in(partnership, vintage="2021").count() == 0
    ids = selectors.lsoa_ids_by_code(partnership)
    assert len(ids) == 36 and ids["E01025997"] == Lsoa.objects.get(code="E01025997").pk
    assert "E01025966" not in ids  # North West Leicestershire 007A
    assert selectors.wards_in(partnership).count() == 10
    assert sorted(selectors.wards_in(partnership).values_list("name", flat=True))[:2] == [
        "Oadby Brocks Hill",
        "Oadby Grange",
    ]
    assert selectors.wards_in(other_partnership).count() == 37


def test_population_uses_the_nearest_earlier_year_and_says_so(all_loaded, partnership):
    exact = selectors.population_by_lsoa(partnership, 2019)
    assert (exact.year_asked, exact.year_used, exact.total, exact.is_exact) == (2019, 2019, 57_015, True)
    assert len(exact.by_lsoa) == 36 and exact.lsoas_without_figure == 0
    assert "mid-2019" in exact.source

    later = selectors.population_by_lsoa(partnership, 2022)
    assert (later.year_used, later.total, later.is_exact) == (2019, 57_015, False)

    between = selectors.population_by_lsoa(partnership, 2017)
    assert (between.year_used, between.total) == (2015, 55_984)
    assert "excluding prisoners" in between.source

    before = selectors.population_by_lsoa(partnership, 2001)
    assert (before.year_used, before.total) == (2015, 55_984)  # nothing earlier: the earliest there is
    lsoa = Lsoa.objects.get(code="E01025997")
    assert exact.by_lsoa[lsoa.pk] == 1_523


def test_population_when_nothing_is_loaded(partnership):
    figures = selectors.population_by_lsoa(partnership, 2019)
    assert (figures.year_used, figures.by_lsoa, figures.total) == (None, {}, 0)


def test_population_counts_lsoas_without_a_figure(partnership, tmp_path):
    services.import_lookup(LOOKUP, [OW])
    part = tmp_path / "part.csv"
    part.write_text('lsoa,pop\nE01025997,"1,523"\nE01026004,1600\n')
    services.import_population(part, [OW], year=2019)
    figures = selectors.population_by_lsoa(partnership, 2019)
    assert (figures.total, figures.lsoas_without_figure) == (3_123, 34)


def test_deprivation_by_lsoa(all_loaded, partnership):
    deprivation = selectors.deprivation_by_lsoa(partnership)
    assert len(deprivation) == 36
    row = deprivation[Lsoa.objects.get(code="E01025997").pk]
    assert (row.imd_rank, row.imd_decile, row.domains["Crime"]) == (6_709, 3, {"rank": 16_665, "decile": 6})
    assert selectors.deprivation_by_lsoa(partnership, edition="IoD2025") == {}


def test_boundaries_geojson(all_loaded, partnership, wigan):
    lsoas = selectors.boundaries_geojson(partnership, "lsoa")
    assert lsoas["type"] == "FeatureCollection"
    assert len(lsoas["features"]) == 36
    feature = next(f for f in lsoas["features"] if f["properties"]["code"] == "E01025997")
    assert feature["properties"] == {"code": "E01025997", "name": "Oadby and Wigston 005C"}
    assert feature["geometry"]["type"] == "Polygon"

    wards = selectors.boundaries_geojson(partnership, "ward")
    assert len(wards["features"]) == 10
    assert {f["properties"]["name"] for f in wards["features"]} >= {"Wigston Fields", "Oadby St Peter's"}

    assert len(selectors.boundaries_geojson(wigan, "lsoa")["features"]) == 200
    assert selectors.boundaries_geojson(wigan, "ward") == {"type": "FeatureCollection", "features": []}
    with pytest.raises(ValueError, match="Unknown boundary level"):
        selectors.boundaries_geojson(partnership, "county")


def test_area_summary_counts_and_whats_missing(all_loaded, partnership, wigan, county):
    ow = selectors.area_summary(partnership)
    assert (ow.lads, ow.wards, ow.lsoas, ow.population_total, ow.population_year) == (1, 10, 36, 57_015, 2019)
    assert ow.missing == []
    assert not ow.is_empty

    wi = selectors.area_summary(wigan)
    assert (wi.lads, wi.wards, wi.lsoas, wi.population_total) == (1, 25, 200, 328_662)
    assert wi.missing == ["Wigan (E08000010): ward boundaries for 0 of 25 wards"]

    both = selectors.area_summary(county)
    assert (both.lads, both.wards, both.lsoas, both.population_total) == (2, 47, 94, 160_626)
    assert [d.population for d in both.districts] == [103_611, 57_015]


def test_area_summary_of_an_empty_installation(partnership):
    summary = selectors.area_summary(partnership)
    assert summary.is_empty
    assert (summary.lads, summary.lsoas, summary.population_total) == (0, 0, None)
    assert summary.missing == ["E07000135: no LSOAs loaded (the LSOA to ward lookup)"]


def test_area_summary_with_partial_geography(partnership):
    services.import_lookup(LOOKUP, [OW])
    services.import_population(POPULATION_2019, [OW], year=2019)
    Population.objects.filter(lsoa__code="E01025997").delete()
    summary = selectors.area_summary(partnership)
    assert summary.population_total == 57_015 - 1_523
    assert summary.missing == [
        "Oadby and Wigston (E07000135): LSOA boundaries for 0 of 36 LSOAs",
        "Oadby and Wigston (E07000135): ward boundaries for 0 of 10 wards",
        "Oadby and Wigston (E07000135): IoD2019 deprivation for 0 of 36 LSOAs",
    ]


def test_partnership_lad_codes(partnership, other_partnership, wigan):
    assert selectors.partnership_lad_codes() == [NWL, OW, WIGAN]
    assert selectors.partnership_lad_codes("wigan") == [WIGAN]
    assert selectors.partnership_lad_codes("nowhere") is None


def test_community_profile(all_loaded, partnership):
    profile = selectors.community_profile(partnership)
    assert (profile.band_year, profile.latest_year) == (2015, 2019)
    assert len(profile.wards) == 10
    fields = next(w for w in profile.wards if w.name == "Wigston Fields")
    assert fields.code == "E05005538"
    totals = profile.ward_totals
    assert totals is not None
    assert (totals.lsoas, totals.total, totals.aged_0_15, totals.aged_16_59, totals.aged_60_plus) == (
        36,
        55_984,
        9_673,
        31_379,
        14_932,
    )
    assert totals.latest_total == 57_015
    assert sum(w.total or 0 for w in profile.wards) == 55_984
    assert profile.decile_counts == list(zip(range(1, 11), [0, 0, 5, 2, 2, 3, 4, 3, 13, 4], strict=True))
    assert profile.lsoas[0].code == "E01025997"  # most deprived first: rank 6,709
    assert profile.lsoas[-1].code == "E01026004"  # least deprived: rank 31,582
    assert profile.lsoas_ranked == 36
    assert not profile.several_districts


def test_all_three_districts_at_once(all_loaded):
    county = PartnershipFactory.create(name="All", slug="all", lad_codes=ALL_THREE)
    summary = selectors.area_summary(county)
    assert (summary.lads, summary.wards, summary.lsoas, summary.population_total) == (3, 72, 294, 489_288)
    assert selectors.community_profile(county).several_districts
