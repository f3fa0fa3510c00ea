"""A place given by its postcode is placed in its LSOA and ward, and says which way it was placed (issue 22 item 5:
"Canal Street play area, LE18 4PA" got no LSOA or ward, so it fell out of every ward filter and map)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safer.cases.models import Address, PlaceLocated
from safer.cases.tests.factories import case_with_report
from safer.geography import services as geography_services

PLAY_AREA = "Canal Street play area"


@pytest.fixture
def oadby_geography(db):
    geography_services.import_bundled(["E07000135"])  # the lookup, boundaries … and OS Code-Point Open


def test_a_place_given_by_postcode_gets_its_lsoa_and_ward_and_says_how(
    client, sign_in, partnership, council, caseworker_a, oadby_geography
):
    case, _report = case_with_report(partnership, council, caseworker_a, place=PLAY_AREA, postcode="le18 4pa")
    place = Address.objects.get(line1=PLAY_AREA)
    assert place.postcode == "LE18 4PA" and place.lsoa_code.startswith("E01")
    assert (place.ward_name, place.located_by) == ("South Wigston", PlaceLocated.POSTCODE)
    case.refresh_from_db()
    assert case.ward_name == "South Wigston"  # so the case is in the ward filter
    sign_in(client, caseworker_a)
    page = client.get(reverse("cases:case", args=[case.pk])).text
    assert f"LSOA {place.lsoa_code}, South Wigston ward: placed from its postcode" in page
    listed = client.get(reverse("cases:list")).text
    assert "South Wigston" in listed


def test_a_place_whose_postcode_is_not_loaded_says_it_is_not_placed(
    client, sign_in, partnership, council, caseworker_a
):
    case, _ = case_with_report(partnership, council, caseworker_a, place=PLAY_AREA, postcode="LE18 4PA")
    assert Address.objects.get(line1=PLAY_AREA).lsoa_code == ""
    sign_in(client, caseworker_a)
    assert "Not placed in an LSOA" in client.get(reverse("cases:case", args=[case.pk])).text


def test_a_postcode_of_another_district_does_not_place_a_partnerships_place(
    partnership, council, caseworker_a, oadby_geography
):
    geography_services.import_bundled(["E07000134"])  # North West Leicestershire's postcodes too
    case_with_report(partnership, council, caseworker_a, place="Market Street", postcode="LE65 1AH")
    assert Address.objects.get(line1="Market Street").lsoa_code == ""  # Ashby: not Oadby and Wigston's
