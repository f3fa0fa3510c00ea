"""A place given only by its postcode is placed in its LSOA and ward, and the case page says which way (axe-core on
every page state)."""

from __future__ import annotations

import pytest

from safer.cases.tests.factories import case_with_report
from safer.geography import services as geography_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_case_place_given_by_postcode_shows_its_ward_and_how_it_was_placed(
    tab, sign_in_by_cookie, partnership, council, caseworker_a
):
    geography_services.import_bundled(["E07000135"])
    case, _ = case_with_report(partnership, council, caseworker_a, place="Canal Street play area", postcode="LE18 4PA")
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto(f"/cases/{case.pk}/", state="A case whose place was placed by its postcode")
    tab.expect_text("South Wigston ward: placed from its postcode's position (OS Code-Point Open)")
    tab.goto("/cases/", state="Cases: the case in its ward")
    tab.expect_text("South Wigston")
