"""Demo content (idempotent) and the instruments pages (local defaults, a change makes a new version)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from safer.core.models import Role
from safer.core.tests.factories import make_member
from safer.interventions.demo import load_demo_content
from safer.interventions.models import Intervention, RiskAssessment, RiskInstrument
from safer.interventions.tests.helpers import make_case, victim_instrument

pytestmark = pytest.mark.django_db


def test_demo_content_is_idempotent(partnership, other_partnership, council, caseworker_a):
    make_case(partnership, council, caseworker_a)
    make_case(partnership, council, caseworker_a)
    out = io.StringIO()
    load_demo_content(out)
    assert RiskInstrument.objects.count() == 4  # two for each partnership
    assert RiskAssessment.objects.count() == 2
    assert [a.band for a in RiskAssessment.objects.order_by("case_id")] == ["high", "medium"]
    assert Intervention.objects.count() == 3  # letter then CPW on the first case; a resolved letter on the second
    assert "4 instruments made, 2 assessments, 3 interventions" in out.getvalue()
    load_demo_content(out)
    assert (RiskInstrument.objects.count(), RiskAssessment.objects.count(), Intervention.objects.count()) == (4, 2, 3)


def test_instruments_page_says_local_defaults_and_an_admin_change_makes_version_2(
    client, sign_in, partnership, council, caseworker_a
):
    instrument = victim_instrument(partnership)
    sign_in(client, caseworker_a)
    page = client.get(reverse("interventions:instruments")).content.decode()
    assert "local defaults" in page and "not national rules" in page
    assert "Change ASB victim risk and vulnerability matrix" not in page
    assert client.get(reverse("interventions:instrument-edit", args=[instrument.pk])).status_code == 403
    client.logout()
    admin = make_member(council, Role.PARTNERSHIP_ADMIN, Role.CASEWORKER, email="boss@oadby.example", full_name="B")
    sign_in(client, admin)
    address = reverse("interventions:instrument-edit", args=[instrument.pk])
    form = {
        "medium_from": "20",
        "high_from": "20",
        "referral_from": "",
        "review_days_standard": "",
        "review_days_medium": "21",
        "review_days_high": "7",
        **{f"w{q.pk}": str(q.weight) for q in instrument.questions.all()},
    }
    response = client.post(address, form)
    assert "The high cut-off must be above the medium cut-off" in response.content.decode()
    assert RiskInstrument.objects.filter(key="asb-victim").count() == 1
    response = client.post(address, {**form, "high_from": "30"}, follow=True)
    assert "ASB victim risk and vulnerability matrix version 2 is now in use" in response.content.decode()
    v2 = RiskInstrument.objects.get(key="asb-victim", status="published")
    assert (v2.version, v2.medium_from, v2.high_from, v2.review_days_high) == (2, 20, 30, 7)


def test_another_partnerships_admin_cannot_reach_an_instrument(client, sign_in, partnership, outsider):
    instrument = victim_instrument(partnership)
    sign_in(client, outsider)  # partnership admin, but of another partnership
    assert client.get(reverse("interventions:instrument-edit", args=[instrument.pk])).status_code == 404
    assert "ASB victim risk" in client.get(reverse("interventions:instruments")).content.decode()  # their own copy
    assert RiskInstrument.objects.filter(partnership=partnership).count() == 2
