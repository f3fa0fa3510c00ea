"""The register through the service and the pages: refusals with clear messages and nothing half-saved,
CPW then CPN to the same subject, breaches, closure order extension, and the partnership's counts by step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from safer.core.models import AccessEvent
from safer.interventions import services
from safer.interventions.models import Breach, Intervention
from safer.interventions.selectors import powers_counts
from safer.interventions.tests.helpers import add_party, add_place, make_case, set_date_of_birth

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(partnership, council, caseworker_a):
    return make_case(partnership, council, caseworker_a)


def record(case, by, kind, subject=None, days_ago=10, hours=None, expires_days=None, **kwargs):
    issued = timezone.now() - timedelta(days=days_ago)
    expires = None
    if hours is not None:
        expires = issued + timedelta(hours=hours)
    if expires_days is not None:
        expires = issued + timedelta(days=expires_days)
    return services.record_intervention(
        case=case,
        kind=kind,
        subject=subject,
        place=kwargs.pop("place", ""),
        issued_at=issued,
        expires_at=expires,
        actor=by,
        **kwargs,
    )


def test_cpn_without_a_cpw_is_refused_and_nothing_saved(setting, caseworker_a):
    case, _, perpetrator = setting
    with pytest.raises(services.InterventionsError) as refused:
        record(case, caseworker_a, "cpn", perpetrator)
    assert refused.value.problems == [
        (
            "kind",
            "A Community Protection Notice needs a Community Protection Warning to the same subject first: "
            "none is recorded. Issue a warning and give them time to comply",
        )
    ]
    assert not Intervention.objects.exists()
    assert not AccessEvent.objects.filter(object_type="intervention").exists()


def test_cpw_then_cpn_to_the_same_subject(setting, caseworker_a):
    case, _, perpetrator = setting
    cpw = record(case, caseworker_a, "cpw", perpetrator, days_ago=40, expires_days=180)
    cpn = record(case, caseworker_a, "cpn", perpetrator, days_ago=5, expires_days=365)
    assert (cpw.step, cpn.step) == (3, 4)
    assert cpn.subject_key == cpw.subject_key != ""
    assert AccessEvent.objects.filter(object_type="intervention").count() == 2


def test_a_cpw_to_someone_else_does_not_allow_a_cpn(setting, caseworker_a, partnership):
    case, _, perpetrator = setting
    other = add_party(case, "perpetrator", "Sam Other", date(1985, 2, 2), caseworker_a)
    record(case, caseworker_a, "cpw", other, days_ago=40)
    with pytest.raises(services.InterventionsError):
        record(case, caseworker_a, "cpn", perpetrator, days_ago=5)


def test_a_cbo_for_a_subject_under_10_is_refused_and_unknown_dob_asks_for_it(setting, caseworker_a):
    case, _, perpetrator = setting
    set_date_of_birth(perpetrator, timezone.localdate() - timedelta(days=365 * 9))
    with pytest.raises(services.InterventionsError) as refused:
        record(case, caseworker_a, "cbo", perpetrator, days_ago=1, expires_days=400)
    [(name, message)] = refused.value.problems
    assert name == "subject" and message.startswith("A Criminal Behaviour Order cannot be given to someone under 10")
    set_date_of_birth(perpetrator, None)
    with pytest.raises(services.InterventionsError) as refused:
        record(case, caseworker_a, "cpw", perpetrator)
    assert refused.value.problems == [
        (
            "subject",
            "A Community Protection Warning needs the subject's age: record their date of birth on the case first",
        )
    ]


def test_breach_dates_and_closure_order_extension(setting, caseworker_a):
    case, _, _ = setting
    premises = add_place(case, "14 Station Road", caseworker_a)
    record(case, caseworker_a, "closure_notice", address_id=premises.pk, days_ago=31, hours=24)
    order = record(case, caseworker_a, "closure_order", address_id=premises.pk, days_ago=30, expires_days=80)
    assert order.place == "14 Station Road, Oadby" and order.address == premises
    with pytest.raises(services.InterventionsError) as refused:
        services.record_breach(
            order, occurred_on=timezone.localdate() + timedelta(days=1), action_taken="Arrest", actor=caseworker_a
        )
    assert refused.value.problems == [("occurred_on", "The date of the breach must be today or in the past")]
    with pytest.raises(services.InterventionsError):
        services.record_breach(
            order, occurred_on=timezone.localdate() - timedelta(days=40), action_taken="Arrest", actor=caseworker_a
        )
    services.record_breach(
        order, occurred_on=timezone.localdate() - timedelta(days=2), action_taken="Arrested", actor=caseworker_a
    )
    assert Breach.objects.count() == 1
    with pytest.raises(services.InterventionsError) as refused:
        services.extend_closure_order(order, new_expiry=order.issued_at + timedelta(days=200), actor=caseworker_a)
    assert refused.value.problems == [
        ("expires_at", "A closure order can be extended to at most 6 months in total from when it was made")
    ]
    services.extend_closure_order(order, new_expiry=order.issued_at + timedelta(days=170), actor=caseworker_a)
    order.refresh_from_db()
    assert order.extended_at is not None and order.expires_at == order.issued_at + timedelta(days=170)


def test_counts_by_highest_step_and_resolved_at_step_2(partnership, council, caseworker_a):
    resolved_2, _, p1 = make_case(partnership, council, caseworker_a)
    record(resolved_2, caseworker_a, "advice_letter", p1, days_ago=30)
    letter = record(resolved_2, caseworker_a, "warning_letter", p1, days_ago=20)
    services.set_outcome(letter, status="ended", outcome="resolved", actor=caseworker_a)
    escalated, _, p2 = make_case(partnership, council, caseworker_a)
    visit = record(escalated, caseworker_a, "visit", p2, days_ago=60)
    services.set_outcome(visit, status="ended", outcome="escalated", actor=caseworker_a)
    record(escalated, caseworker_a, "cpw", p2, days_ago=40)
    counts = powers_counts(partnership)
    assert counts.cases == 2
    assert counts.resolved_at_step_2 == 1
    by_step = {row.step: (row.cases, row.outcomes["resolved"], row.outcomes[""]) for row in counts.steps}
    assert by_step == {1: (0, 0, 0), 2: (1, 1, 0), 3: (1, 0, 1), 4: (0, 0, 0)}


def test_a_cpw_on_another_case_to_the_same_person_counts_for_a_cpn(partnership, council, caseworker_a):
    from safer.cases.models import CaseParty

    first, _, perpetrator = make_case(partnership, council, caseworker_a)
    second, _, _ = make_case(partnership, council, caseworker_a)
    same_person = CaseParty.objects.create(case=second, person=perpetrator.person, role="subject")
    record(first, caseworker_a, "cpw", perpetrator, days_ago=30, expires_days=180)
    cpn = record(second, caseworker_a, "cpn", same_person, days_ago=2)
    assert cpn.case == second and cpn.subject_key == f"person:{perpetrator.person_id}"


def test_a_subject_from_another_case_is_refused(partnership, council, caseworker_a):
    _, _, perpetrator = make_case(partnership, council, caseworker_a)
    second, _, _ = make_case(partnership, council, caseworker_a)
    with pytest.raises(services.InterventionsError) as refused:
        record(second, caseworker_a, "warning_letter", perpetrator)
    assert refused.value.problems == [("subject", "Select a person or business on this case")]


def test_a_closed_case_takes_no_new_actions_assessments_or_tasks(setting, caseworker_a, partnership):
    from safer.cases.models import Case
    from safer.interventions.tests.helpers import answers_for, victim_instrument

    case, victim, perpetrator = setting
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    case.refresh_from_db()
    closed = f"Case {case.reference} is closed. Reopen it first, or open a new case"
    with pytest.raises(services.InterventionsError) as refused:
        record(case, caseworker_a, "warning_letter", perpetrator)
    assert refused.value.problems == [("", closed)]
    instrument = victim_instrument(partnership)
    with pytest.raises(services.InterventionsError) as refused:
        services.assess(
            case=case,
            party=victim,
            instrument=instrument,
            chosen=answers_for(instrument, {1: "No", 2: "No", 3: "No", 4: "No"}),
            actor=caseworker_a,
        )
    assert refused.value.problems == [("", closed)]
    with pytest.raises(services.InterventionsError):
        services.create_task(
            case=case, title="Call", owner=caseworker_a, due_at=timezone.now() + timedelta(days=1), actor=caseworker_a
        )
    assert not Intervention.objects.exists()
