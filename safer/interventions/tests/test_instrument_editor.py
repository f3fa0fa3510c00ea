"""The risk-instrument editor: a partnership admin adds, removes and reorders questions in a draft version and
publishes it; the version it replaces is retired, assessments keep the version they were scored on, and the new
version scores the new question."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safer.core.models import Role
from safer.core.tests.factories import make_member
from safer.interventions import services
from safer.interventions.models import RiskAssessment, RiskInstrument
from safer.interventions.tests.helpers import answers_for, make_case, victim_instrument
from safer.interventions.tests.test_risk import MEDIUM_22

pytestmark = pytest.mark.django_db

NEW_QUESTION = {
    "action": "add",
    "text": "Has the victim been approached by the perpetrator's friends?",
    "hint": "Ask about the last month",
    "section": "matrix",
    "weight": "2",
    "answer_1_label": "No",
    "answer_1_score": "0",
    "answer_2_label": "Once",
    "answer_2_score": "2",
    "answer_3_label": "More than once",
    "answer_3_score": "4",
}


@pytest.fixture
def boss(council):
    return make_member(council, Role.PARTNERSHIP_ADMIN, Role.CASEWORKER, email="boss@oadby.example", full_name="B")


def draft_of(client, instrument):
    response = client.post(reverse("interventions:instrument-draft-start", args=[instrument.pk]))
    assert response.status_code == 302
    draft = RiskInstrument.objects.get(key=instrument.key, status="draft")
    assert response["Location"] == reverse("interventions:instrument-draft", args=[draft.pk])
    return draft, response["Location"]


def test_a_question_needs_text_two_answers_and_whole_scores_from_0_each_refusal_naming_the_field(
    client, sign_in, partnership, boss
):
    instrument = victim_instrument(partnership)
    sign_in(client, boss)
    draft, address = draft_of(client, instrument)
    assert (draft.version, draft.questions.count()) == (2, 14)
    body = client.post(
        address, {"action": "add", "section": "matrix", "weight": "1", "answer_1_label": "Yes", "answer_1_score": "1"}
    ).content.decode()
    assert '<a href="#id_text">Enter the question text</a>' in body
    assert '<a href="#id_answer_1_label">Enter at least two answers, each with a label and a score</a>' in body
    body = client.post(
        address, {**NEW_QUESTION, "answer_2_score": "-1", "answer_3_score": "1.5", "weight": "x"}
    ).content.decode()
    assert '<a href="#id_answer_2_score">The score of answer 2 must be a whole number, 0 or more</a>' in body
    assert '<a href="#id_answer_3_score">The score of answer 3 must be a whole number, like 2</a>' in body
    assert '<a href="#id_weight">The question weight must be a whole number, like 1</a>' in body
    body = client.post(address, {**NEW_QUESTION, "answer_4_score": "3"}).content.decode()
    assert '<a href="#id_answer_4_label">Enter the label of answer 4, or clear its score</a>' in body
    assert draft.questions.count() == 14
    response = client.post(address, NEW_QUESTION, follow=True)
    assert "Question 15 added to the draft" in response.content.decode()
    added = draft.questions.get(order=15)
    assert [(a.label, a.score) for a in added.answers.all()] == [("No", 0), ("Once", 2), ("More than once", 4)]
    assert (added.weight, added.hint) == (2, "Ask about the last month")
    assert instrument.questions.count() == 14  # the version in use is untouched
    assert RiskInstrument.objects.get(pk=instrument.pk).status == "published"


def test_remove_and_reorder_questions_in_the_draft(client, sign_in, partnership, boss):
    instrument = victim_instrument(partnership)
    sign_in(client, boss)
    draft, address = draft_of(client, instrument)
    second, third = draft.questions.get(order=2), draft.questions.get(order=3)
    client.post(address, {"action": "up", "question": str(third.pk)})
    assert list(draft.questions.order_by("order").values_list("pk", flat=True)[:3])[1:] == [third.pk, second.pk]
    client.post(address, {"action": "remove", "question": str(second.pk)})
    assert draft.questions.count() == 13
    assert list(draft.questions.order_by("order").values_list("order", flat=True)) == list(range(1, 14))
    page = client.get(address).content.decode()
    assert second.text not in page and third.text in page
    assert second.text in client.get(reverse("interventions:instruments")).content.decode()  # version 1 keeps it


def test_publishing_refuses_an_unreachable_high_cut_off_at_the_field(client, sign_in, partnership, boss):
    instrument = victim_instrument(partnership)
    sign_in(client, boss)
    draft, address = draft_of(client, instrument)
    questions = list(draft.questions.all())
    settings = {
        "medium_from": "22",
        "high_from": "500",
        "referral_from": "",
        "review_days_standard": "",
        "review_days_medium": "28",
        "review_days_high": "14",
        **{f"w{q.pk}": str(q.weight) for q in questions},
    }
    body = client.post(address, {**settings, "action": "publish"}).content.decode()
    assert (
        '<a href="#id_high_from">The high cut-off (500) cannot be reached: the highest possible total is 55. '
        "Lower the high cut-off, or add questions or higher answer scores</a>"
    ) in body
    assert RiskInstrument.objects.get(pk=draft.pk).status == "draft"
    assert RiskInstrument.objects.get(pk=instrument.pk).status == "published"


def test_publish_retires_the_old_version_old_assessments_keep_theirs_and_the_new_one_scores_the_new_question(
    client, sign_in, partnership, council, caseworker_a, boss
):
    instrument = victim_instrument(partnership)
    case, victim, _ = make_case(partnership, council, caseworker_a)
    old = services.assess(
        case=case,
        party=victim,
        instrument=instrument,
        chosen=answers_for(instrument, MEDIUM_22),
        actor=caseworker_a,
    )
    sign_in(client, boss)
    draft, address = draft_of(client, instrument)
    client.post(address, NEW_QUESTION)
    questions = list(draft.questions.all())
    settings = {
        "medium_from": "22",
        "high_from": "32",
        "referral_from": "",
        "review_days_standard": "",
        "review_days_medium": "28",
        "review_days_high": "14",
        **{f"w{q.pk}": str(q.weight) for q in questions},
    }
    response = client.post(address, {**settings, "action": "publish"}, follow=True)
    assert "ASB victim risk and vulnerability matrix version 2 is now in use" in response.content.decode()
    assert RiskInstrument.objects.get(pk=instrument.pk).status == "retired"
    v2 = RiskInstrument.objects.get(key="asb-victim", status="published")
    assert v2.pk == draft.pk and v2.questions.count() == 15

    old = RiskAssessment.objects.get(pk=old.pk)
    assert (old.instrument_id, old.score, old.band) == (instrument.pk, 22, "medium")
    assert NEW_QUESTION["text"] not in [row["question"] for row in old.answers]

    new = services.assess(
        case=case,
        party=victim,
        instrument=v2,
        chosen=answers_for(v2, {**MEDIUM_22, 15: "More than once"}),
        actor=caseworker_a,
    )
    assert (new.score, new.band) == (22 + 2 * 4, "medium")
    assert new.answers[-1] == {
        "question": NEW_QUESTION["text"],
        "section": "matrix",
        "weight": 2,
        "answer": "More than once",
        "answer_score": 4,
        "score": 8,
    }
    client.logout()
    sign_in(client, caseworker_a)
    page = client.get(reverse("interventions:risk", args=[case.pk])).content.decode()
    assert "ASB victim risk and vulnerability matrix, version 1" in page
    assert "ASB victim risk and vulnerability matrix, version 2" in page
    assert page.count(NEW_QUESTION["text"].replace("'", "&#39;")) == 1  # only in the new assessment's answers
    assert "<strong>More than once</strong> (score 8)" in page


def test_only_a_partnership_admin_of_the_partnership_reaches_the_draft(
    client, sign_in, partnership, boss, caseworker_a, outsider
):
    instrument = victim_instrument(partnership)
    sign_in(client, boss)
    draft, address = draft_of(client, instrument)
    again, _ = draft_of(client, instrument)  # the open draft, not a second one
    assert again.pk == draft.pk
    client.logout()
    sign_in(client, caseworker_a)
    assert client.get(address).status_code == 403
    assert client.post(reverse("interventions:instrument-draft-start", args=[instrument.pk])).status_code == 403
    client.logout()
    sign_in(client, outsider)
    assert client.get(address).status_code in (403, 404)


def test_the_quick_change_is_refused_while_a_draft_is_open(client, sign_in, partnership, boss):
    instrument = victim_instrument(partnership)
    sign_in(client, boss)
    draft_of(client, instrument)
    form = {
        "medium_from": "20",
        "high_from": "30",
        "referral_from": "",
        "review_days_standard": "",
        "review_days_medium": "21",
        "review_days_high": "7",
        **{f"w{q.pk}": str(q.weight) for q in instrument.questions.all()},
    }
    body = client.post(reverse("interventions:instrument-edit", args=[instrument.pk]), form).content.decode()
    assert "Version 2 is being drafted: make this change in the draft, then publish it" in body
    assert list(RiskInstrument.objects.filter(key="asb-victim").values_list("version", "status")) == [
        (2, "draft"),
        (1, "published"),
    ]
