"""Powers are given to the subject of the behaviour, never to the case's victim (or a complainant or witness):
the register refuses, naming the field, unless the person is first given the subject role with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safer.cases.models import CaseParty, ChronologyEntry
from safer.interventions import services
from safer.interventions.models import Intervention
from safer.interventions.tests.helpers import add_party, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(partnership, council, caseworker_a):
    return make_case(partnership, council, caseworker_a)


def cpw(case, subject, actor, **kwargs):
    return services.record_intervention(
        case=case,
        kind="cpw",
        subject=subject,
        place="",
        issued_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() + timedelta(days=90),
        actor=actor,
        **kwargs,
    )


def test_a_warning_to_the_victim_is_refused_naming_the_subject_field(setting, caseworker_a):
    case, victim, _ = setting
    name = victim.person.display_name
    with pytest.raises(services.InterventionsError) as refused:
        cpw(case, victim, caseworker_a)
    assert refused.value.problems == [
        (
            "subject",
            f"{name} is on this case as the victim, not as a subject: a power is given to the subject of the "
            f"behaviour. Select a subject, or give {name} the subject role by saying why in "
            "'Why they are now a subject'",
        )
    ]
    assert not Intervention.objects.exists()
    assert not CaseParty.objects.filter(case=case, person=victim.person, role="subject").exists()


@pytest.mark.parametrize("role", ["complainant", "witness", "other"])
def test_a_power_to_a_complainant_witness_or_other_party_is_refused(setting, caseworker_a, role):
    case, _, _ = setting
    party = add_party(case, role, "Wendy Ashby", None, caseworker_a)
    with pytest.raises(services.InterventionsError) as refused:
        services.record_intervention(
            case=case,
            kind="warning_letter",
            subject=party,
            place="",
            issued_at=timezone.now() - timedelta(days=1),
            expires_at=None,
            actor=caseworker_a,
        )
    [(field, message)] = refused.value.problems
    assert field == "subject" and message.startswith("Wendy Ashby is on this case as ")
    assert not Intervention.objects.exists()


def test_with_a_reason_the_person_is_given_the_subject_role_first(setting, caseworker_a):
    case, victim, _ = setting
    done = cpw(case, victim, caseworker_a, subject_reason="CCTV shows her damaging the neighbour's car")
    subject = CaseParty.objects.get(case=case, person=victim.person, role="subject")
    assert done.subject == subject
    assert CaseParty.objects.filter(case=case, person=victim.person, role="victim").exists()
    lines = list(ChronologyEntry.objects.filter(case=case).values_list("summary", flat=True))
    assert any(
        "added as subject or perpetrator (already on the case as victim): CCTV shows her damaging the "
        "neighbour's car" in line
        for line in lines
    ), lines


def test_a_blank_reason_is_no_reason(setting, caseworker_a):
    case, victim, _ = setting
    with pytest.raises(services.InterventionsError) as refused:
        cpw(case, victim, caseworker_a, subject_reason="   ")
    assert [field for field, _ in refused.value.problems] == ["subject"]
    assert not Intervention.objects.exists()


def test_a_refusal_for_another_rule_gives_no_subject_role(setting, caseworker_a):
    """The role and the power are one write: a power refused for its own rules leaves the victim a victim only."""
    case, victim, _ = setting
    with pytest.raises(services.InterventionsError):
        services.record_intervention(
            case=case,
            kind="cpn",  # no warning first
            subject=victim,
            place="",
            issued_at=timezone.now() - timedelta(days=1),
            expires_at=None,
            subject_reason="Counter-allegation upheld",
            actor=caseworker_a,
        )
    assert not CaseParty.objects.filter(case=case, person=victim.person, role="subject").exists()


def test_someone_already_a_subject_on_the_case_needs_no_reason(setting, caseworker_a):
    case, victim, _ = setting
    also_subject = CaseParty.objects.create(case=case, person=victim.person, role="subject")
    done = cpw(case, victim, caseworker_a)
    assert done.subject == also_subject


def test_the_form_shows_the_refusal_and_the_case_counts_nothing_in_force(client, sign_in, setting, caseworker_a):
    case, victim, perpetrator = setting
    sign_in(client, caseworker_a)
    address = reverse("interventions:intervention-new", args=[case.pk])
    form = client.get(address).content.decode()
    assert f"{victim.person.display_name} (victim)" in form
    assert f"{perpetrator.person.display_name} (subject or perpetrator)" in form
    assert "Why they are now a subject" in form
    issued = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(address, {"kind": "cpw", "subject": str(victim.pk), "issued_at": issued})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"{victim.person.display_name} is on this case as the victim, not as a subject" in page
    assert 'href="#id_subject"' in page  # the summary links to the field
    assert not Intervention.objects.exists()
    case_page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "in force" not in case_page

    response = client.post(
        address,
        {"kind": "cpw", "subject": str(victim.pk), "issued_at": issued, "subject_reason": "Counter-allegation upheld"},
    )
    assert response.status_code == 302
    case_page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "1 in force" in case_page
    assert "Counter-allegation upheld" in case_page
