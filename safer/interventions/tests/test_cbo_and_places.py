"""The adult CBO term (2014 Act s.25(5)) and place-based powers on the case's places, through the service and
the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safer.interventions.models import Intervention
from safer.interventions.tests.helpers import add_place, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(partnership, council, caseworker_a):
    return make_case(partnership, council, caseworker_a)


def moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_adult_cbo_of_23_months_is_refused_at_the_end_date_and_24_months_or_indefinite_is_recorded(
    client, sign_in, setting, caseworker_a
):
    case, _, perpetrator = setting  # born 1996: an adult
    sign_in(client, caseworker_a)
    address = reverse("interventions:intervention-new", args=[case.pk])
    issued = timezone.localtime() - timedelta(days=1)
    form = {"kind": "cbo", "subject": str(perpetrator.pk), "issued_at": moment(issued)}
    body = client.post(address, {**form, "expires_at": moment(issued + timedelta(days=700))}).content.decode()
    assert (
        '<a href="#id_expires_at">The end date of a Criminal Behaviour Order on an adult must be at least 2 years '
        "after the date issued, or left empty for an indefinite order (2014 Act s.25(5))</a>"
    ) in body
    assert not Intervention.objects.exists()
    two_years = issued.replace(year=issued.year + 2)
    response = client.post(address, {**form, "expires_at": moment(two_years)}, follow=True)
    assert "Criminal Behaviour Order recorded at step 4" in response.content.decode()
    response = client.post(address, form, follow=True)
    assert "Criminal Behaviour Order recorded at step 4" in response.content.decode()
    assert [i.expires_at is None for i in Intervention.objects.order_by("pk")] == [False, True]


def test_the_form_offers_the_case_places_and_a_closure_on_typed_in_text_is_refused_at_the_place(
    client, sign_in, setting, caseworker_a
):
    case, _, _ = setting
    premises = add_place(case, "3 Mill Lane", caseworker_a, description="nuisance flat")
    sign_in(client, caseworker_a)
    address = reverse("interventions:intervention-new", args=[case.pk])
    body = client.get(address).content.decode()
    assert f'value="{premises.pk}"' in body and "3 Mill Lane, Oadby (nuisance flat)" in body
    assert 'value="other"' in body and "Another place" in body
    issued = timezone.localtime() - timedelta(hours=5)
    form = {
        "kind": "closure_notice",
        "place": "other",
        "place_other": "3 Mill Lane",
        "issued_at": moment(issued),
        "expires_at": moment(issued + timedelta(hours=24)),
    }
    body = client.post(address, form).content.decode()
    assert (
        '<a href="#id_place">Select which of this case&#39;s places are the premises the closure notice closes '
        "(add the premises to the case first if they are not listed)</a>"
    ) in body
    body = client.post(address, {**form, "place_other": ""}).content.decode()
    assert '<a href="#id_place_other">Enter the other place, or select one of this case&#39;s places</a>' in body
    assert not Intervention.objects.exists()


def test_a_closure_order_follows_a_notice_on_the_same_premises_and_the_register_links_the_place(
    client, sign_in, setting, caseworker_a
):
    case, _, _ = setting
    flat = add_place(case, "3 Mill Lane", caseworker_a)
    shop = add_place(case, "12 High Street", caseworker_a)
    sign_in(client, caseworker_a)
    address = reverse("interventions:intervention-new", args=[case.pk])
    issued = timezone.localtime() - timedelta(hours=30)
    notice = {
        "kind": "closure_notice",
        "place": str(shop.pk),
        "issued_at": moment(issued),
        "expires_at": moment(issued + timedelta(hours=48)),
    }
    response = client.post(address, notice, follow=True)
    assert "Closure notice recorded at step 4" in response.content.decode()
    order = {
        "kind": "closure_order",
        "place": str(flat.pk),
        "issued_at": moment(issued + timedelta(hours=20)),
        "expires_at": moment(issued + timedelta(days=60)),
    }
    body = client.post(address, order).content.decode()
    assert (
        '<a href="#id_place">A closure order needs a closure notice on the same premises first: none is recorded '
        "for these premises. Record the closure notice</a>"
    ) in body
    response = client.post(address, {**order, "place": str(shop.pk)}, follow=True)
    assert "Closure order recorded at step 4" in response.content.decode()
    made = Intervention.objects.get(kind="closure_order")
    assert made.address == shop and made.place == "12 High Street, Oadby"
    places = reverse("cases:case", args=[case.pk]) + "#places"
    register = client.get(reverse("interventions:interventions", args=[case.pk])).content.decode()
    assert register.count(f'<a class="govuk-link" href="{places}">12 High Street, Oadby</a>') == 2
    page = client.get(reverse("interventions:intervention", args=[case.pk, made.pk])).content.decode()
    assert f'<a class="govuk-link" href="{places}">12 High Street, Oadby</a>' in page


def test_a_pspo_on_a_person_is_refused_and_on_a_zone_typed_in_is_recorded(client, sign_in, setting, caseworker_a):
    case, _, perpetrator = setting
    sign_in(client, caseworker_a)
    address = reverse("interventions:intervention-new", args=[case.pk])
    issued = timezone.localtime() - timedelta(days=1)
    form = {"kind": "pspo", "issued_at": moment(issued), "expires_at": moment(issued + timedelta(days=700))}
    body = client.post(address, {**form, "subject": str(perpetrator.pk)}).content.decode()
    assert (
        '<a href="#id_subject">A Public Spaces Protection Order is made for a place, not a person: '
        "leave the subject empty</a>"
    ) in body
    response = client.post(address, {**form, "place": "other", "place_other": "Victoria Park and paths"}, follow=True)
    assert "Public Spaces Protection Order recorded at step 4" in response.content.decode()
    made = Intervention.objects.get()
    assert made.place == "Victoria Park and paths" and made.address is None
    register = client.get(reverse("interventions:interventions", args=[case.pk])).content.decode()
    assert "Victoria Park and paths" in register and ">Victoria Park and paths</a>" not in register  # no address


def test_a_place_of_another_case_is_refused(client, sign_in, setting, partnership, council, caseworker_a):
    case, _, _ = setting
    other_case, _, _ = make_case(partnership, council, caseworker_a)
    elsewhere = add_place(other_case, "9 Other Road", caseworker_a)
    sign_in(client, caseworker_a)
    issued = timezone.localtime() - timedelta(hours=5)
    form = {
        "kind": "closure_notice",
        "place": str(elsewhere.pk),
        "issued_at": moment(issued),
        "expires_at": moment(issued + timedelta(hours=24)),
    }
    body = client.post(reverse("interventions:intervention-new", args=[case.pk]), form).content.decode()
    assert "Select one of this case&#39;s places, another place or no place" in body
    assert not Intervention.objects.exists()
