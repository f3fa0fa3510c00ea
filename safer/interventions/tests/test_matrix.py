"""Every page of this app x every persona: the owner's caseworker, a caseworker of an agency the case is shared
with, one of an agency it is not shared with, someone of another partnership, and an analyst with no case role.
Every success shows the page and writes exactly one access-log line; strangers get a 404 that names nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safer.cases.models import CaseAgency
from safer.core.models import AccessEvent, AgencyKind, Role
from safer.core.tests.factories import AgencyFactory, make_member
from safer.interventions import services
from safer.interventions.casefacts import party_label
from safer.interventions.tests.helpers import make_case, victim_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partnership, council, police, caseworker_a, caseworker_b, outsider, analyst):
    case, victim, perpetrator = make_case(partnership, council, caseworker_a)
    housing = AgencyFactory.create(partnership=partnership, name="Housing", kind=AgencyKind.HOUSING)
    shared = make_member(housing, Role.CASEWORKER, email="hana@housing.example", full_name="Hana Housing")
    CaseAgency.objects.create(case=case, agency=housing, gateway="s115", consent_status="not_required", reason="Tenant")
    instrument = victim_instrument(partnership)
    cpw = services.record_intervention(
        case=case,
        kind="cpw",
        subject=perpetrator,
        place="",
        issued_at=timezone.now() - timedelta(days=3),
        expires_at=None,
        actor=caseworker_a,
    )
    pages = [
        reverse("interventions:risk", args=[case.pk]),
        reverse("interventions:risk-new", args=[case.pk, instrument.pk]),
        reverse("interventions:interventions", args=[case.pk]),
        reverse("interventions:intervention-new", args=[case.pk]),
        reverse("interventions:intervention", args=[case.pk, cpw.pk]),
        reverse("interventions:tasks", args=[case.pk]),
    ]
    personas = {
        "owner": (caseworker_a, 200),
        "shared agency": (shared, 200),
        "unshared agency": (caseworker_b, 404),
        "other partnership": (outsider, 404),
        "analyst without a case role": (analyst, 403),
    }
    return pages, personas, party_label(victim)


def test_every_page_for_every_persona(client, sign_in, world):
    pages, personas, victim_name = world
    for who, (user, expected) in personas.items():
        client.logout()
        sign_in(client, user)
        if who == "shared agency":  # asked the purpose once, by the cases app's page, then back here
            before = AccessEvent.objects.count()
            response = client.get(pages[0])
            assert response.status_code == 302 and response["Location"].startswith(
                f"/cases/{world_case(pages)}/purpose/"
            )
            assert AccessEvent.objects.count() == before
            followed = client.post(response["Location"], {"purpose": "Rehousing the victim"})
            assert followed.status_code == 302 and followed["Location"] == pages[0]
        for address in pages:
            before = AccessEvent.objects.count()
            response = client.get(address)
            assert response.status_code == expected, (who, address)
            body = response.content.decode()
            if expected == 200:
                assert AccessEvent.objects.count() == before + 1, (who, address)
                event = AccessEvent.objects.order_by("-id")[0]
                assert event.purpose == ("Rehousing the victim" if who == "shared agency" else ""), (who, address)
            else:
                assert victim_name not in body, (who, address)
                assert AccessEvent.objects.count() == before, (who, address)


def world_case(pages):
    return pages[0].split("/")[3]


def test_signed_out_people_are_sent_to_sign_in_from_every_page(client, world):
    pages, _, _ = world
    for address in [*pages, "/work/my-work", "/work/powers", "/work/risk-instruments", "/work/risk-instruments/1/edit"]:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in"), address
