"""Helpers for the geography tests: the bundled files, a loaded area, and a snapshot of every geography table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from safer.geography import services
from safer.geography.models import Boundary, Deprivation, Lad, Lsoa, Population, Ward

NWL, OW, WIGAN = "E07000134", "E07000135", "E08000010"
ALL_THREE = [NWL, OW, WIGAN]
FIXTURES = services.FIXTURES

LOOKUP = FIXTURES / "lsoa11_wd19_lad19_csp_subset.csv"
LSOA_BOUNDARIES = FIXTURES / "LSOA_Dec_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3__csp_subset.geojson"
WARD_BOUNDARIES = FIXTURES / "wards_dec2019_bgc_nwl_oadby_wigston.geojson"
POPULATION_2019 = FIXTURES / "2019_population__csp_subset.csv"
POPULATION_2015 = FIXTURES / "File_6_-_IoD2019_Population_Denominators__csp_subset.csv"
IMD_FILE_1 = FIXTURES / "File_1_-_IMD2019_Index_of_Multiple_Deprivation__csp_subset.csv"
IMD_FILE_2 = FIXTURES / "File_2_-_IoD2019_Domains_of_Deprivation__csp_subset.csv"
IMD_SCORES = FIXTURES / "UK_IMD_E__csp_subset.csv"


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every geography table, to prove a failed import changed nothing."""
    return {
        "lad": sorted(Lad.objects.values_list("code", "name")),
        "ward": sorted(Ward.objects.values_list("code", "edition", "name", "lad__code")),
        "lsoa": sorted(Lsoa.objects.values_list("code", "vintage", "name", "lad__code", "ward__code")),
        "boundary": sorted((b.level, b.code, b.edition, str(b.geometry)[:80]) for b in Boundary.objects.all()),
        "population": sorted(
            Population.objects.values_list("lsoa__code", "year", "total", "aged_0_15", "aged_16_59", "aged_60_plus")
        ),
        "deprivation": sorted(
            (d.lsoa.code, d.edition, d.imd_rank, d.imd_decile, d.imd_score, str(sorted(d.domains.items())))
            for d in Deprivation.objects.select_related("lsoa")
        ),
    }


@pytest.fixture
def lookup_loaded(db: None) -> None:
    services.import_lookup(LOOKUP, ALL_THREE)


@pytest.fixture
def all_loaded(db: None) -> list[services.ImportReport]:
    return services.import_bundled(ALL_THREE)


@pytest.fixture
def copy_fixture(tmp_path: Path):
    """Copy a bundled file into tmp_path (to edit it) and return the copy's path."""

    def copy(source: Path, name: str | None = None) -> Path:
        target = tmp_path / (name or source.name)
        shutil.copyfile(source, target)
        return target

    return copy
