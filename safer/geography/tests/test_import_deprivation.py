"""IoD2019 File 1 and File 2 and the mySociety scores: real ranks, deciles, domains, scores."""

from __future__ import annotations

import pytest

from safer.geography import services
from safer.geography.models import Deprivation
from safer.geography.tests.conftest import ALL_THREE, IMD_FILE_1, IMD_FILE_2, IMD_SCORES, NWL, OW, WIGAN, snapshot

# The mhclg-iod2019-lsoa README's decile counts (1 = most deprived).
DECILES = {
    NWL: [2, 0, 2, 8, 5, 4, 12, 11, 9, 5],
    OW: [0, 0, 5, 2, 2, 3, 4, 3, 13, 4],
    WIGAN: [33, 32, 21, 13, 16, 13, 14, 24, 23, 11],
}


def _decile_counts(lad: str) -> list[int]:
    deciles = list(Deprivation.objects.filter(lsoa__lad__code=lad).values_list("imd_decile", flat=True))
    return [deciles.count(d) for d in range(1, 11)]


@pytest.mark.django_db
def test_file_1_ranks_and_deciles(lookup_loaded):
    report = services.import_deprivation(IMD_FILE_1, ALL_THREE)

    assert (report.rows_read, report.imported, report.skipped_outside) == (294, 294, 0)
    assert report.kind == "IoD2019 IMD rank and decile"
    # The strategic plan's lowest and highest ranked LSOAs in the borough.
    low = Deprivation.objects.get(lsoa__code="E01025997")
    high = Deprivation.objects.get(lsoa__code="E01026004")
    assert (low.edition, low.imd_rank, low.imd_decile, low.domains) == ("IoD2019", 6_709, 3, {})
    assert (high.imd_rank, high.imd_decile) == (31_582, 10)
    for lad, expected in DECILES.items():
        assert _decile_counts(lad) == expected


@pytest.mark.django_db
def test_file_2_domains(lookup_loaded):
    report = services.import_deprivation(IMD_FILE_2, [WIGAN])

    assert (report.imported, report.skipped_outside) == (200, 94)
    assert report.kind == "IoD2019 IMD and 7 domains"
    wigan_026a = Deprivation.objects.get(lsoa__code="E01006212")
    assert (wigan_026a.imd_rank, wigan_026a.imd_decile) == (14_456, 5)
    assert wigan_026a.domains == {
        "Income": {"rank": 16830, "decile": 6},
        "Employment": {"rank": 13109, "decile": 4},
        "Education, Skills and Training": {"rank": 8964, "decile": 3},
        "Health Deprivation and Disability": {"rank": 7639, "decile": 3},
        "Crime": {"rank": 9141, "decile": 3},
        "Barriers to Housing and Services": {"rank": 25023, "decile": 8},
        "Living Environment": {"rank": 29091, "decile": 9},
    }


@pytest.mark.django_db
def test_file_1_after_file_2_keeps_the_domains_and_reimport_is_idempotent(lookup_loaded):
    services.import_deprivation(IMD_FILE_2, ALL_THREE)
    before = snapshot()

    again = services.import_deprivation(IMD_FILE_1, ALL_THREE)

    assert (again.imported, again.created) == (294, 0)
    assert snapshot() == before
    assert Deprivation.objects.get(lsoa__code="E01006212").domains["Crime"] == {"rank": 9141, "decile": 3}


@pytest.mark.django_db
def test_imd_scores_from_mysociety(lookup_loaded):
    services.import_deprivation(IMD_FILE_1, [OW, WIGAN])

    report = services.import_imd_scores(IMD_SCORES, [OW, WIGAN])

    assert (report.rows_read, report.imported, report.skipped_outside) == (294, 236, 58)
    assert Deprivation.objects.get(lsoa__code="E01025997").imd_score == pytest.approx(32.894)
    assert Deprivation.objects.get(lsoa__code="E01006386").imd_score == pytest.approx(75.885)
    assert not Deprivation.objects.filter(lsoa__lad__code=NWL).exists()
