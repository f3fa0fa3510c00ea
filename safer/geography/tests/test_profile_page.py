"""The community profile page: roles, partnership scope, real numbers with their sources, the empty state."""

from __future__ import annotations

import html as html_module
import re

import pytest
from django.urls import reverse

from safer.core.models import Role
from safer.core.tests.factories import make_member
from safer.geography import services
from safer.geography.tests.conftest import ALL_THREE, LOOKUP, OW

pytestmark = [pytest.mark.urls("safer.geography.tests.urls"), pytest.mark.django_db]


def text_of(html: str) -> str:
    """The page as a person reads it: tags gone, spaces collapsed."""
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def page(client, sign_in, user):
    sign_in(client, user)
    response = client.get(reverse("geography:profile"))
    return response


def test_url():
    assert reverse("geography:profile") == "/geography/"


def test_analyst_sees_the_profile_with_sources_and_real_figures(client, sign_in, analyst, all_loaded):
    response = page(client, sign_in, analyst)
    assert response.status_code == 200
    html = response.text
    text = text_of(html)

    assert '<h1 class="govuk-heading-l">Community profile</h1>' in html
    assert "Oadby and Wigston (E07000135)" in text
    # Population by ward, mid-2015 bands and mid-2019 totals, each with its source beside the table.
    assert "Residents by ward, mid-2015 by age, and mid-2019 all ages" in text
    assert "Mid-2015 by age: ONS mid-2015 LSOA estimates excluding prisoners, from IoD2019 File 6" in text
    assert "Mid-2019 all ages: ONS mid-2019 LSOA estimates (SAPE22DT2)" in text
    assert re.search(r"All wards 36 55,984 9,673 31,379 14,932 57,015", text)
    assert re.search(r"Wigston Fields E05005538 \d+ [\d,]+", text)
    # Deprivation: deciles and the LSOA table, with the edition.
    assert "English indices of deprivation 2019 (MHCLG), on 2011 LSOAs" in text
    assert "3 5 14%" in text  # decile 3: 5 of 36 LSOAs
    assert "9 13 36%" in text
    assert re.search(r"Oadby and Wigston 005C E01025997 Wigston Fields 6,709 3 32\.894 1,523", text)
    assert "Residents (mid-2019)" in text
    # GOV.UK tables with numeric columns and captions.
    assert html.count('<table class="govuk-table">') == 3
    assert html.count('class="govuk-table__caption govuk-table__caption--s"') == 3
    assert "govuk-table__header--numeric" in html and "govuk-table__cell--numeric" in html
    assert "No geography loaded yet" not in text


def test_manager_and_admin_see_it_too(client, sign_in, admin, council, all_loaded):
    manager = make_member(council, Role.MANAGER, email="mo@oadby.example", full_name="Mo Manager")
    for person in (admin, manager):
        assert page(client.__class__(), sign_in, person).status_code == 200


def test_caseworker_without_the_role_gets_403(client, sign_in, caseworker_a, all_loaded):
    response = page(client, sign_in, caseworker_a)
    assert response.status_code == 403
    assert "55,984" not in response.text


def test_signed_out_goes_to_sign_in(client):
    response = client.get(reverse("geography:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))


def test_outsider_sees_only_their_own_partnerships_area(client, sign_in, outsider, analyst, all_loaded):
    text = text_of(page(client, sign_in, outsider).text)
    assert "North West Leicestershire (E07000134)" in text
    assert "Coalville" in text  # NWL wards
    assert "Wigston St Wolstan's" not in text
    assert "Wigston Fields" not in text and "Oadby and Wigston 005C" not in text and "E07000135" not in text
    assert re.search(r"All wards 58 97,098 17,771 54,528 24,799 103,611", text)


def test_empty_state_names_the_command(client, sign_in, analyst):
    html = page(client, sign_in, analyst).text
    text = text_of(html)
    assert "No geography loaded yet" in text
    assert "python manage.py import_geography --partnership oadby-wigston" in text
    assert "<table" not in html


def test_partial_geography_lists_what_is_missing(client, sign_in, analyst):
    services.import_lookup(LOOKUP, [OW])
    response = page(client, sign_in, analyst)
    text = text_of(response.text)
    assert response.status_code == 200
    assert "Some geography is missing" in text
    assert "Oadby and Wigston (E07000135): LSOA boundaries for 0 of 36 LSOAs" in text
    assert "No population estimates loaded" in text
    assert "No deprivation figures are loaded for this area." in text
    assert "no data" in text  # ward and LSOA cells without figures say so, never 0


def test_a_partnership_of_several_districts_shows_the_district_column(client, sign_in, analyst, partnership):
    partnership.lad_codes = ALL_THREE
    partnership.save()
    services.import_bundled(ALL_THREE)
    text = text_of(page(client, sign_in, analyst).text)
    assert "Wigan (E08000010): ward boundaries for 0 of 25 wards" in text
    assert re.search(r"Ward District LSOAs", text)
    assert re.search(r"All wards 294 474,921", text)
