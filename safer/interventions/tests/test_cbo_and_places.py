"""The adult CBO term (2014 Act s.25(5)) and place-based powers on the case's places, through the service and
the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safer.interventions.models import Intervention
from safer.interventions.tests.helpers import make_case

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
