"""Risk assessment: hand-worked scores on the default victim matrix, bands at the cut-offs, professional judgement
(raise with a reason, never lower), review dates and tasks, versions, and history that cannot be edited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from safer.cases.models import ChronologyEntry
from safer.core.models import AccessEvent
from safer.interventions import services
from safer.interventions.models import (
    CaseTask,
    FrozenError,
    InstrumentStatus,
    RiskAnswer,
    RiskAssessment,
    RiskInstrument,
    TaskSource,
)
from safer.interventions.tests.helpers import answers_for, make_case, victim_instrument

pytestmark = pytest.mark.django_db

# Screening: 1 repeat, 2 vulnerability, 3 hate, 4 afraid. Matrix: 5 frequency (x2), 6 impact (x2),
# 7 violence (x2), 8 health, 9 alone, 10 children, 11 damage, 12 moving, 13 where, 14 officer's concern.
HIGH_38 = {
    1: "Yes", 2: "Yes", 3: "No", 4: "Yes",  # 3 + 3 + 0 + 3 = 9
    5: "More than 3 times", 6: "Severely", 7: "Threats",  # (4 + 4 + 3) x 2 = 22
    8: "Yes", 9: "No", 10: "No", 11: "Yes", 12: "No", 13: "No", 14: "Some",  # 3 + 2 + 2 = 7
}  # fmt: skip
MEDIUM_22 = {
    1: "Yes", 2: "No", 3: "No", 4: "No",  # 3
    5: "2 or 3 times", 6: "Somewhat", 7: "No",  # (2 + 2 + 0) x 2 = 8
    8: "Yes", 9: "Yes", 10: "Yes", 11: "Yes", 12: "No", 13: "Yes", 14: "None",  # 3 + 2 + 2 + 2 + 2 = 11
}  # fmt: skip


@pytest.fixture
def setting(partnership, council, caseworker_a):
    case, victim, perpetrator = make_case(partnership, council, caseworker_a)
    return case, victim, perpetrator, victim_instrument(partnership)


def assess(setting, by, picks, **kwargs):
    case, victim, _, instrument = setting
    return services.assess(
        case=case, party=victim, instrument=instrument, chosen=answers_for(instrument, picks), actor=by, **kwargs
    )


def test_all_no_at_screening_stops_there_as_standard(setting, caseworker_a):
    a = assess(setting, caseworker_a, {1: "No", 2: "No", 3: "No", 4: "No"})
    assert (a.score, a.scored_band, a.band, a.screening_only) == (0, "standard", "standard", True)
    assert a.next_review_on is None  # no scheduled review at standard (local default)
    assert not CaseTask.objects.exists()


def test_a_concern_at_screening_needs_the_full_matrix(setting, caseworker_a):
    with pytest.raises(services.InterventionsError) as refused:
        assess(setting, caseworker_a, {1: "Yes", 2: "No", 3: "No", 4: "No"})
    assert len(refused.value.problems) == 10
    assert refused.value.problems[0][1] == (
        "Answer every question of the full matrix (the screening found a concern, so this one is missing): "
        "How often has it happened in the last 3 months?"
    )
    assert not RiskAssessment.objects.exists()


def test_hand_worked_high_score_sets_a_24_hour_contact_task_and_a_14_day_review(setting, caseworker_a):
    before = timezone.now()
    a = assess(setting, caseworker_a, HIGH_38)
    assert (a.score, a.scored_band, a.band) == (38, "high", "high")
    assert a.referral_prompted  # 22 or more (Stockton)
    assert a.next_review_on == timezone.localdate() + timedelta(days=14)
    contact = CaseTask.objects.get(source=TaskSource.HIGH_RISK_CONTACT)
    assert contact.owner == caseworker_a
    assert timedelta(hours=23, minutes=59) < contact.due_at - before <= timedelta(hours=24, minutes=1)
    review = CaseTask.objects.get(source=TaskSource.RISK_REVIEW)
    assert timezone.localtime(review.due_at).date() == a.next_review_on
    assert [row["score"] for row in a.answers] == [3, 3, 0, 3, 8, 8, 6, 3, 0, 0, 2, 0, 0, 2]
    [entry] = ChronologyEntry.objects.filter(case=a.case, kind="risk")
    assert entry.summary == (
        "Risk assessment (ASB victim risk and vulnerability matrix, version 1) of the victim: score 38, band high; "
        "referral to victim support prompted"
    )
    assert (entry.source_type, entry.source_id) == ("interventions.riskassessment", str(a.pk))
    assert mail.outbox == []  # assigned to themselves: no e-mail


def test_hand_worked_22_is_medium_with_a_28_day_review(setting, caseworker_a):
    a = assess(setting, caseworker_a, MEDIUM_22)
    assert (a.score, a.band, a.referral_prompted) == (22, "medium", True)
    assert a.next_review_on == timezone.localdate() + timedelta(days=28)
    assert not CaseTask.objects.filter(source=TaskSource.HIGH_RISK_CONTACT).exists()


def test_31_is_medium_and_32_is_high(setting, caseworker_a):
    thirty_one = {**MEDIUM_22, 2: "Not known", 3: "Not known", 4: "Not known", 12: "Yes", 14: "Serious"}
    assert assess(setting, caseworker_a, thirty_one).score == 31
    assert RiskAssessment.objects.first().band == "medium"  # type: ignore[union-attr]
    thirty_two = {**thirty_one, 4: "Yes"}  # Not known (1) -> Yes (3): 33
    thirty_two[3] = "No"  # 33 - 1 = 32
    a = assess(setting, caseworker_a, thirty_two)
    assert (a.score, a.band) == (32, "high")


def test_professional_judgement_never_lowers_a_band(setting, caseworker_a):
    with pytest.raises(services.InterventionsError) as refused:
        assess(setting, caseworker_a, HIGH_38, band="medium", raised_reason="Seems calmer now")
    assert refused.value.problems == [
        (
            "band",
            "Professional judgement can raise a band but never lower it: "
            "the score gives high, so the band cannot be medium",
        )
    ]
    assert not RiskAssessment.objects.exists()
    assert not CaseTask.objects.exists()


def test_raising_a_band_needs_a_reason_and_is_recorded(setting, caseworker_a):
    with pytest.raises(services.InterventionsError) as refused:
        assess(setting, caseworker_a, MEDIUM_22, band="high")
    assert refused.value.problems == [("raised_reason", "Enter why your professional judgement raises the band")]
    a = assess(setting, caseworker_a, MEDIUM_22, band="high", raised_reason="Lives next door to the perpetrator")
    assert (a.scored_band, a.band, a.raised, a.raised_reason) == (
        "medium",
        "high",
        True,
        "Lives next door to the perpetrator",
    )
    assert CaseTask.objects.filter(source=TaskSource.HIGH_RISK_CONTACT).count() == 1


def test_history_is_kept_and_never_edited_and_a_new_assessment_closes_the_old_review(setting, caseworker_a):
    first = assess(setting, caseworker_a, MEDIUM_22)
    first.score = 1
    with pytest.raises(FrozenError):
        first.save()
    second = assess(setting, caseworker_a, HIGH_38)
    assert list(RiskAssessment.objects.values_list("pk", flat=True)) == [second.pk, first.pk]
    old_review = CaseTask.objects.get(assessment=first, source=TaskSource.RISK_REVIEW)
    assert old_review.done and old_review.done_note == f"Reassessed (assessment {second.pk})"
    assert AccessEvent.objects.filter(object_type="risk_assessment").count() == 2


def test_the_victim_matrix_refuses_a_perpetrator(setting, caseworker_a):
    case, _, perpetrator, instrument = setting
    with pytest.raises(services.InterventionsError) as refused:
        services.assess(
            case=case,
            party=perpetrator,
            instrument=instrument,
            chosen=answers_for(instrument, {1: "No", 2: "No", 3: "No", 4: "No"}),
            actor=caseworker_a,
        )
    assert refused.value.problems == [
        ("party", "The ASB victim risk and vulnerability matrix is for a victim: select a victim on this case")
    ]


def test_published_instruments_are_frozen_and_editing_makes_a_new_version(setting, caseworker_a, partnership):
    _, _, _, instrument = setting
    question = instrument.questions.first()
    question.weight = 5
    with pytest.raises(FrozenError):
        question.save()
    with pytest.raises(FrozenError):
        RiskAnswer.objects.create(question=question, order=9, label="Maybe", score=1)
    old = assess(setting, caseworker_a, MEDIUM_22)
    changes = services.InstrumentChanges(
        medium_from=20,
        high_from=22,
        referral_from=None,
        review_days_standard=None,
        review_days_medium=21,
        review_days_high=7,
        weights={},
    )
    v2 = services.new_version(instrument, changes, actor=caseworker_a)
    instrument.refresh_from_db()
    assert (instrument.status, v2.status, v2.version) == (InstrumentStatus.RETIRED, InstrumentStatus.PUBLISHED, 2)
    assert v2.questions.count() == instrument.questions.count() == 14
    old.refresh_from_db()
    assert old.instrument_id == instrument.pk and old.band == "medium"  # scored on version 1, unchanged
    case, victim, _, _ = setting
    again = services.assess(
        case=case, party=victim, instrument=v2, chosen=answers_for(v2, MEDIUM_22), actor=caseworker_a
    )
    assert (again.score, again.band, again.referral_prompted) == (22, "high", False)
    assert again.next_review_on == timezone.localdate() + timedelta(days=7)
    with pytest.raises(services.InterventionsError):
        services.assess(
            case=case,
            party=victim,
            instrument=instrument,
            chosen=answers_for(instrument, MEDIUM_22),
            actor=caseworker_a,
        )


def test_default_instruments_are_made_once(partnership):
    services.ensure_default_instruments(partnership)
    services.ensure_default_instruments(partnership)
    assert RiskInstrument.objects.filter(partnership=partnership).count() == 2
    victim = RiskInstrument.objects.get(partnership=partnership, key="asb-victim")
    assert (victim.medium_from, victim.high_from, victim.referral_from) == (22, 32, 22)
    assert (victim.review_days_medium, victim.review_days_high) == (28, 14)
    assert "no national question list or cut-offs are published" in victim.source_note


def test_hand_worked_perpetrator_vulnerability_is_high_with_a_review_and_no_contact_task(setting, caseworker_a):
    case, _, perpetrator, _ = setting
    matrix = RiskInstrument.objects.get(key="asb-perpetrator", status="published")
    picks = {1: "Yes", 2: "Not known", 3: "Yes", 4: "No", 5: "Yes", 6: "No", 7: "Yes"}  # 3+1+3+0+3x2+0+3 = 16
    a = services.assess(
        case=case, party=perpetrator, instrument=matrix, chosen=answers_for(matrix, picks), actor=caseworker_a
    )
    assert (a.score, a.band, a.assessed_as) == (16, "high", "perpetrator")
    assert [t.source for t in CaseTask.objects.all()] == [TaskSource.RISK_REVIEW]
    with pytest.raises(services.InterventionsError) as refused:
        services.assess(
            case=case,
            party=perpetrator,
            instrument=matrix,
            chosen=answers_for(matrix, {1: "Yes"}),
            actor=caseworker_a,
        )
    assert len(refused.value.problems) == 6  # every unanswered question, named


def test_case_work_summary_for_the_case_page(setting, caseworker_a):
    from safer.interventions.selectors import case_work, current_band_by_case, overdue_case_ids

    case, _, perpetrator, _ = setting
    assess(setting, caseworker_a, HIGH_38)
    assess(setting, caseworker_a, MEDIUM_22)  # the latest counts: medium now
    matrix = RiskInstrument.objects.get(key="asb-perpetrator", status="published")
    no = dict.fromkeys(range(1, 8), "No")
    services.assess(case=case, party=perpetrator, instrument=matrix, chosen=answers_for(matrix, no), actor=caseworker_a)
    work = case_work(case)
    assert [a.band for a in work.assessments] == ["medium", "standard"]
    assert work.band == "medium" and current_band_by_case([case.pk]) == {case.pk: "medium"}
    assert (work.open_tasks, work.overdue_tasks, work.highest_step, work.in_force) == (2, 0, None, 0)
    CaseTask.objects.filter(source=TaskSource.HIGH_RISK_CONTACT).update(due_at=timezone.now() - timedelta(hours=1))
    assert list(overdue_case_ids(case.partnership)) == [{"case_id": case.pk}]


def test_tasks_from_an_assessment_go_to_the_case_officer_who_is_told_without_personal_data(
    partnership, council, caseworker_a, django_capture_on_commit_callbacks
):
    from safer.core.models import Role
    from safer.core.tests.factories import make_member
    from safer.interventions.models import Notification

    officer = make_member(council, Role.CASEWORKER, email="owen@oadby.example", full_name="Owen Officer")
    case, victim, _ = make_case(partnership, council, officer)
    instrument = victim_instrument(partnership)
    with django_capture_on_commit_callbacks(execute=True):
        services.assess(
            case=case, party=victim, instrument=instrument, chosen=answers_for(instrument, HIGH_38), actor=caseworker_a
        )
    assert {t.owner for t in CaseTask.objects.all()} == {officer}
    assert len(mail.outbox) == 2 and {m.to[0] for m in mail.outbox} == {"owen@oadby.example"}
    for message in mail.outbox:
        assert case.reference in message.body
        assert victim.person.family_name not in message.body and "victim" not in message.body.lower()
    assert Notification.objects.filter(user=officer).count() == 2
