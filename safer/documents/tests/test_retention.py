"""The DPO's retention review: the closed cases whose review date has come, keeping one (a new date and a reason) or
erasing its personal data (all or nothing, the case kept as an anonymised stub), the register and the access log."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from safer.cases.models import (
    Address,
    Case,
    CaseNote,
    CaseParty,
    CasePlace,
    CaseStatus,
    Channel,
    ChronologyEntry,
    ChronologyKind,
    ClosureOutcome,
    NsirType,
    PartyRole,
    Person,
    Report,
)
from safer.cases.services import add_chronology_entry
from safer.core.models import AccessAction, AccessEvent
from safer.documents import retention, services
from safer.documents.models import CaseDocument, RetentionChoice, RetentionDecision, SarStatus, SubjectAccessRequest
from safer.documents.tests.conftest import make_case, make_person
from safer.interventions.models import Intervention, InterventionStatus, RiskAssessment
from safer.interventions.powers import PowerKind

pytestmark = pytest.mark.django_db

LIST = reverse("documents:retention")


def review_url(case: Case) -> str:
    return reverse("documents:retention-case", args=[case.pk])


def close(case: Case, review_on: date, ward: str = "Wigston Fields") -> Case:
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        closed_at=timezone.now() - timedelta(days=2500),
        closure_outcome=ClosureOutcome.RESOLVED,
        closure_reason_told="Told Vera Quiet the noise from Dan Shouter stopped",
        retention_review_on=review_on,
        ward_code="E05005390",
        ward_name=ward,
    )
    case.refresh_from_db()
    return case


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def report_on(agency, case: Case | None, reporter: Person | None, caseworker, victims=(), place=None) -> Report:
    report = Report.objects.create(
        partnership=agency.partnership,
        reference=f"REP-2019-{Report.objects.count() + 1:05d}",
        channel=Channel.PHONE,
        receiving_agency=agency,
        reporter=reporter,
        description="Vera Quiet says Dan Shouter plays music all night",
        nsir_type=NsirType.NUISANCE,
        recorded_by=caseworker,
        case=case,
        place=place,
    )
    report.victims.set(victims)
    return report


def intervention(case: Case, party: CaseParty, caseworker, kind=PowerKind.CBO, expires_at=None, **extra):
    return Intervention.objects.create(
        partnership=case.partnership,
        case=case,
        kind=kind,
        step=4,
        subject=party,
        subject_key=f"person:{party.person_id}",
        place="12 Long Street",
        issued_at=timezone.now() - timedelta(days=2600),
        expires_at=expires_at,
        notes="Dan Shouter served in person",
        recorded_by=caseworker,
        **extra,
    )


@pytest.fixture
def due_case(case, victim, subject):
    return close(case, yesterday())


# --- the list -------------------------------------------------------------------------------------------------------


def test_the_list_shows_due_cases_oldest_first_and_counts_those_coming_due(
    signed_in, partnership, council, police, other_partnership, other_council, dpo, due_case
):
    older = close(make_case(partnership, police, "HATE-2018-00002"), yesterday() - timedelta(days=400))
    close(make_case(partnership, council, "ASB-2026-00010"), timezone.localdate() + timedelta(days=30))
    close(make_case(partnership, council, "ASB-2026-00011"), timezone.localdate() + timedelta(days=89))
    close(make_case(partnership, council, "ASB-2026-00012"), timezone.localdate() + timedelta(days=200))
    make_case(partnership, council, "ASB-2026-00013")  # open: never due
    close(make_case(other_partnership, other_council, "ASB-2019-09999"), yesterday())
    client = signed_in(dpo)
    page = client.get(LIST).content.decode()
    assert "2 cases due for review" in page and "2 more come due in the next 90 days" in page
    assert page.index("HATE-2018-00002") < page.index("ASB-2026-00001")
    assert "Leicestershire Police" in page and "Oadby and Wigston Borough Council" in page
    assert "ASB-2026-00010" not in page and "ASB-2026-00013" not in page and "ASB-2019-09999" not in page
    assert review_url(older) in page
    assert "Vera" not in page and "Shouter" not in page  # references and agencies, never names
    assert AccessEvent.objects.filter(actor=dpo, action=AccessAction.VIEW, purpose=retention.PURPOSE).count() == 1
    assert 'href="/documents/retention/"' in page  # in the DPO's menu


def test_the_list_is_paginated(signed_in, partnership, council, dpo):
    for number in range(55):
        close(make_case(partnership, council, f"ASB-2019-{number:05d}"), yesterday() - timedelta(days=number))
    client = signed_in(dpo)
    first = client.get(LIST).content.decode()
    assert "55 cases due for review" in first and "Page 1 of 2" in first
    assert "ASB-2019-00054" in first and "ASB-2019-00000" not in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "ASB-2019-00000" in second and "ASB-2019-00054" not in second


def test_only_the_dpo_and_only_the_partnerships_cases(
    signed_in, partnership, other_partnership, other_council, dpo, admin, caseworker_a, analyst, outsider, due_case
):
    for user in (caseworker_a, admin, analyst):
        client = signed_in(user)
        assert client.get(LIST).status_code == 403
        assert client.get(review_url(due_case)).status_code == 403
        assert client.post(review_url(due_case), {"action": "erase", "erase-reason": "x"}).status_code == 403
        assert 'href="/documents/retention/"' not in client.get(reverse("core:home")).content.decode()
    outsiders = signed_in(outsider)  # a DPO, of another partnership
    response = outsiders.get(review_url(due_case))
    assert response.status_code == 404 and b"ASB-2026-00001" not in response.content
    assert b"ASB-2026-00001" not in outsiders.get(LIST).content
    response = outsiders.post(review_url(due_case), {"action": "erase", "erase-reason": "Out of time"})
    assert response.status_code == 404
    stranger = close(make_case(other_partnership, other_council, "ASB-2019-09999"), yesterday())
    response = signed_in(dpo).get(review_url(stranger))
    assert response.status_code == 404 and b"ASB-2019-09999" not in response.content
    assert Person.objects.filter(family_name="Quiet").exists()
    assert not RetentionDecision.objects.exists()


def test_a_case_not_yet_due_offers_no_decision(signed_in, dpo, case, victim):
    close(case, timezone.localdate() + timedelta(days=10))
    client = signed_in(dpo)
    page = client.get(review_url(case)).content.decode()
    assert "not due for a retention review" in page and "Erase the personal data" not in page
    response = client.post(review_url(case), {"action": "erase", "erase-reason": "Early"})
    assert response.status_code == 400 and "is not due for a retention review" in response.content.decode()
    assert Person.objects.filter(family_name="Quiet").exists()


def test_an_open_case_is_not_found(signed_in, dpo, case):
    assert signed_in(dpo).get(review_url(case)).status_code == 404


# --- keep -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"keep-next_review_on": "", "keep-reason": "Court case"}, "Enter the date of the next retention review"),
        ({"keep-next_review_on": "31/02/2030", "keep-reason": "Court"}, "as a real date"),
        ({"keep-next_review_on": "past", "keep-reason": "Court case"}, "The next review date must be in the future"),
        ({"keep-next_review_on": "today", "keep-reason": "Court case"}, "The next review date must be in the future"),
        ({"keep-next_review_on": "too_far", "keep-reason": "Court case"}, "must be at most 10 years ahead"),
        ({"keep-next_review_on": "1y", "keep-reason": "   "}, "Enter why the case is still needed"),
    ],
)
def test_keep_needs_a_future_date_within_ten_years_and_a_reason(signed_in, dpo, due_case, posted, message):
    today = timezone.localdate()
    dates = {
        "past": today - timedelta(days=1),
        "today": today,
        "too_far": retention.latest_keep_date(today) + timedelta(days=1),
        "1y": today + timedelta(days=365),
    }
    value = posted["keep-next_review_on"]
    if value in dates:
        posted = {**posted, "keep-next_review_on": dates[value].strftime("%d/%m/%Y")}
    response = signed_in(dpo).post(review_url(due_case), {"action": "keep", **posted})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    if "Court" in posted["keep-reason"]:
        assert posted["keep-reason"] in page  # the reason is shown back
    due_case.refresh_from_db()
    assert due_case.retention_review_on == yesterday()
    assert not RetentionDecision.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessAction.CHANGE).exists()


def test_keep_on_the_tenth_anniversary_is_allowed_and_sets_the_date(signed_in, dpo, council, due_case):
    today = timezone.localdate()
    latest = retention.latest_keep_date(today)
    assert latest.year == today.year + 10
    client = signed_in(dpo)
    response = client.post(
        review_url(due_case),
        {"action": "keep", "keep-next_review_on": latest.isoformat(), "keep-reason": "Linked civil claim pending"},
    )
    assert response.status_code == 302 and response["Location"] == LIST
    due_case.refresh_from_db()
    assert due_case.retention_review_on == latest
    decision = RetentionDecision.objects.get()
    assert decision.decision == RetentionChoice.KEEP and decision.decided_by == dpo
    assert decision.reason == "Linked civil claim pending" and decision.review_was_on == yesterday()
    assert decision.decided_by_agency == council
    entry = due_case.chronology.get(kind=ChronologyKind.OTHER)
    assert "kept until its next review" in entry.summary and "Linked civil claim pending" in entry.summary
    event = AccessEvent.objects.get(action=AccessAction.CHANGE)
    assert event.actor == dpo and event.object_type == "case" and event.object_id == str(due_case.pk)
    assert event.detail == f"Retention review: kept, next review {latest.isoformat()}"
    page = client.get(LIST).content.decode()
    assert "0 cases due for review" in page
    assert "Linked civil claim pending" in page and "Kept until" in page and "Dee Protection" in page


# --- erase ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def full_case(partnership, council, caseworker_a, case, victim, subject, share_with, police):
    """The due case with everything that hangs off it, and a second case sharing the subject (and his address)."""
    other = make_case(partnership, council, "ASB-2026-00002")
    CaseParty.objects.create(case=other, person=subject.person, role=PartyRole.SUBJECT)
    park = Address.objects.create(partnership=partnership, line1="Brocks Hill Park", town="Oadby")
    CasePlace.objects.create(case=case, address=park)
    witness = make_person(partnership, "Wendy", "Witness")
    report_on(council, case, witness, caseworker_a, victims=[victim.person], place=park)
    bystander = make_person(partnership, "Bob", "Bystander")
    report_on(council, case, bystander, caseworker_a)
    report_on(council, None, bystander, caseworker_a)  # another report names him: he stays
    CaseNote.objects.create(
        case=case, text="Vera Quiet is frightened of Dan Shouter", agency=council, author=caseworker_a
    )
    add_chronology_entry(case, ChronologyKind.NOTE, "Spoke to Vera Quiet at 14 Long Street", caseworker_a)
    share_with(case, police)
    document = services.attach_document(
        case=case, actor=caseworker_a, upload=services.NewFile(name="statement.txt", data=b"Vera Quiet statement")
    )
    expired = intervention(
        case, subject, caseworker_a, kind=PowerKind.CPW, expires_at=timezone.now() - timedelta(days=900)
    )
    case.summary = "Dan Shouter shouts at Vera Quiet"
    case.save()  # a line in the case history with the names
    close(case, yesterday())
    return {
        "case": case,
        "other": other,
        "park": park,
        "witness": witness,
        "bystander": bystander,
        "document": document,
        "intervention": expired,
    }


def erase(client, case, reason="Retention period over; no further reports"):
    return client.post(review_url(case), {"action": "erase", "erase-reason": reason})


def test_erase_removes_the_personal_data_and_keeps_a_stub(
    signed_in, partnership, dpo, caseworker_a, full_case, victim, subject, django_capture_on_commit_callbacks
):
    case, document = full_case["case"], full_case["document"]
    path = document.path
    assert path.exists()
    cases_before = Case.objects.filter(partnership=partnership).count()
    vera, dan = victim.person, subject.person
    vera_home, dan_home = vera.address, dan.address
    client = signed_in(dpo)
    with django_capture_on_commit_callbacks(execute=True):
        response = erase(client, case)
    assert response.status_code == 302 and response["Location"] == review_url(case)

    # People and places: only those on nothing else go.
    assert not Person.objects.filter(pk=vera.pk).exists()
    assert not Person.objects.filter(pk=full_case["witness"].pk).exists()  # only on this case's report
    assert Person.objects.filter(pk=dan.pk).exists()  # also on ASB-2026-00002
    assert Person.objects.filter(pk=full_case["bystander"].pk).exists()  # also on another report
    assert not Address.objects.filter(pk=vera_home.pk).exists()
    assert not Address.objects.filter(pk=full_case["park"].pk).exists()
    assert Address.objects.filter(pk=dan_home.pk).exists()
    assert not CaseParty.objects.filter(case=case).exists() and not CasePlace.objects.filter(case=case).exists()
    assert CaseParty.objects.filter(case=full_case["other"], person=dan).exists()
    # ... and not in the change history either.
    assert not Person.history.filter(id=vera.pk).exists()
    assert not Address.history.filter(id=vera_home.pk).exists()
    assert Person.history.filter(id=dan.pk).exists()

    # Notes, documents (and the file), chronology, reports, interventions.
    assert not CaseNote.objects.filter(case=case).exists() and not CaseNote.history.filter(case_id=case.pk).exists()
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not path.exists()
    summaries = list(ChronologyEntry.objects.filter(case=case).values_list("summary", flat=True))
    assert summaries.count(retention.ERASED) == len(summaries) - 1
    assert any("Personal data erased at retention review" in s for s in summaries)
    for report in Report.objects.filter(case=case):
        assert report.description == retention.ERASED and report.reporter is None and report.place is None
        assert not report.victims.exists()
    assert all(h.description == retention.ERASED for h in Report.history.filter(case_id=case.pk))
    kept = Intervention.objects.get(pk=full_case["intervention"].pk)
    assert kept.subject is None and kept.notes == "" and kept.place == "" and kept.kind == PowerKind.CPW

    # The statistical stub.
    case.refresh_from_db()
    assert Case.objects.filter(partnership=partnership).count() == cases_before
    assert case.reference == "ASB-2026-00001" and case.status == CaseStatus.CLOSED
    assert case.closure_outcome == ClosureOutcome.RESOLVED and case.ward_name == "Wigston Fields"
    assert case.closed_at is not None and case.summary == "" and case.closure_reason_told == ""
    assert case.retention_review_on is None
    assert not any("Vera" in (h.summary + h.closure_reason_told) for h in Case.history.filter(id=case.pk))

    # The register, the access log (no names), the pages.
    decision = RetentionDecision.objects.get()
    assert decision.decision == RetentionChoice.ERASE and decision.decided_by == dpo
    assert decision.erased["people"] == 2 and decision.erased["people_kept"] == 2 and decision.erased["documents"] == 1
    event = AccessEvent.objects.get(action=AccessAction.CHANGE, actor=dpo)
    assert event.object_type == "case" and event.object_id == str(case.pk)
    assert event.detail == "Retention review: personal data erased" and event.purpose == retention.PURPOSE
    for text in AccessEvent.objects.values_list("detail", flat=True):
        assert "Vera" not in text and "Quiet" not in text and "Shouter" not in text
    page = client.get(review_url(case)).content.decode()
    assert "Personal data on case ASB-2026-00001 erased" in page
    assert f"Personal data erased on {timezone.localdate():%-d %B %Y} at retention review" in page
    assert "Erase the personal data" not in page
    listing = client.get(LIST).content.decode()
    assert "Personal data erased" in listing and "Retention period over" in listing
    case_page = signed_in(caseworker_a).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert f"Personal data erased on {timezone.localdate():%-d %B %Y} at retention review" in case_page
    assert "Shouter" not in case_page and "Vera" not in case_page


def test_erase_needs_a_reason_shown_with_an_error_summary(signed_in, dpo, due_case):
    response = erase(signed_in(dpo), due_case, reason="  ")
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "Enter why the personal data can be erased" in page
    assert 'href="#id_erase-reason"' in page
    assert Person.objects.filter(family_name="Quiet").exists() and not RetentionDecision.objects.exists()


def test_a_live_order_refuses_the_erasure(signed_in, dpo, caseworker_a, due_case, subject):
    order = intervention(due_case, subject, caseworker_a, kind=PowerKind.CBO)  # indefinite: in force
    client = signed_in(dpo)
    page = client.get(review_url(due_case)).content.decode()
    assert "still in force (Criminal Behaviour Order)" in page
    response = erase(client, due_case)
    assert response.status_code == 400 and "still in force" in response.content.decode()
    assert Person.objects.filter(family_name="Shouter").exists() and Person.objects.filter(family_name="Quiet").exists()
    assert not RetentionDecision.objects.exists()
    order.status = InterventionStatus.ENDED
    order.save()
    assert erase(client, due_case).status_code == 302
    assert not Person.objects.filter(family_name="Shouter").exists()


def test_a_future_expiry_is_live_and_a_past_one_is_not(caseworker_a, due_case, subject):
    order = intervention(
        due_case, subject, caseworker_a, kind=PowerKind.CLOSURE_ORDER, expires_at=timezone.now() + timedelta(days=3)
    )
    assert retention.refusal(due_case)
    Intervention.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert retention.refusal(due_case) == ""


def test_risk_assessments_on_the_parties_go_with_them(signed_in, dpo, partnership, caseworker_a, due_case, victim):
    from safer.interventions.models import RiskInstrument

    instrument = RiskInstrument.objects.create(
        partnership=partnership, key="asb", name="ASB risk", assesses="victim", medium_from=5, high_from=10
    )
    RiskAssessment.objects.create(
        partnership=partnership,
        case=due_case,
        party=victim,
        instrument=instrument,
        assessed_as="victim",
        score=3,
        scored_band="standard",
        band="standard",
        assessed_by=caseworker_a,
    )
    assert erase(signed_in(dpo), due_case).status_code == 302
    assert not RiskAssessment.objects.filter(case=due_case).exists()


def test_an_open_subject_access_request_refuses_the_erasure_and_a_finished_one_does_not(
    signed_in, partnership, dpo, due_case, victim
):
    sar = SubjectAccessRequest.objects.create(
        partnership=partnership,
        reference="SAR-2026-00001",
        person=victim.person,
        requester_name="Vera Quiet",
        received_on=timezone.localdate(),
        due_on=timezone.localdate() + timedelta(days=30),
    )
    client = signed_in(dpo)
    response = erase(client, due_case)
    assert response.status_code == 400 and "subject access request" in response.content.decode()
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(status=SarStatus.COMPLETED)
    assert erase(client, due_case).status_code == 302
    sar.refresh_from_db()
    assert sar.person is None and sar.requester_name == "Vera Quiet"  # the register entry stays


def test_erasure_is_all_or_nothing(signed_in, dpo, full_case, victim, monkeypatch):
    case, path = full_case["case"], full_case["document"].path

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retention, "add_chronology_entry", fail)  # the last step but one
    with pytest.raises(RuntimeError):
        retention.erase_case(partnership=case.partnership, case=case, actor=dpo, reason="Over")
    assert Person.objects.filter(pk=victim.person_id).exists()
    assert CaseNote.objects.filter(case=case).exists() and CaseDocument.objects.filter(case=case).exists()
    assert path.exists()
    case.refresh_from_db()
    assert case.summary and case.retention_review_on == yesterday()
    assert not RetentionDecision.objects.exists()
    assert not ChronologyEntry.objects.filter(case=case, summary=retention.ERASED).exists()


def test_a_case_is_erased_once(dpo, due_case):
    retention.erase_case(partnership=due_case.partnership, case=due_case, actor=dpo, reason="Over")
    with pytest.raises(retention.RetentionError, match="already been erased"):
        retention.erase_case(partnership=due_case.partnership, case=due_case, actor=dpo, reason="Over")
    with pytest.raises(retention.RetentionError):
        retention.keep_case(
            partnership=due_case.partnership,
            case=due_case,
            actor=dpo,
            next_review_on=timezone.localdate() + timedelta(days=30),
            reason="Changed my mind",
        )
    assert RetentionDecision.objects.count() == 1


def test_an_erased_case_leaves_the_due_list(signed_in, dpo, due_case):
    retention.erase_case(partnership=due_case.partnership, case=due_case, actor=dpo, reason="Over")
    assert not retention.due_cases(due_case.partnership).exists()
    assert "0 cases due for review" in signed_in(dpo).get(LIST).content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("cases:edit", "get"),
        ("cases:edit", "post"),
        ("cases:add-party", "post"),
        ("cases:add-note", "post"),
        ("cases:share", "post"),
        ("cases:reopen", "post"),
        ("interventions:intervention-new", "post"),
        ("interventions:tasks", "post"),
        ("documents:case", "post"),
        ("documents:letter", "get"),
    ],
)
def test_nothing_can_be_added_to_an_erased_case_by_any_route(signed_in, dpo, caseworker_a, due_case, name, method):
    retention.erase_case(partnership=due_case.partnership, case=due_case, actor=dpo, reason="Over")
    client = signed_in(caseworker_a)
    url = reverse(name, args=[due_case.pk])
    data = {"text": "Vera Quiet called again", "reason": "New reports", "name": "Dan Shouter", "summary": "Noise"}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "cannot be changed" in page and "personal data was erased" in page
    assert client.get(reverse("cases:case", args=[due_case.pk])).status_code == 200  # its record stays readable
    fresh = Case.objects.get(pk=due_case.pk)
    assert fresh.status == CaseStatus.CLOSED and fresh.summary == ""
    assert not CaseNote.objects.filter(case=due_case).exists() and not CaseParty.objects.filter(case=due_case).exists()


def test_a_report_cannot_be_added_to_an_erased_case(signed_in, dpo, council, caseworker_a, due_case):
    retention.erase_case(partnership=due_case.partnership, case=due_case, actor=dpo, reason="Over")
    report = report_on(council, None, None, caseworker_a)
    response = signed_in(caseworker_a).post(
        reverse("cases:report-add-to-case", args=[report.pk]), {"case": str(due_case.pk)}
    )
    assert response.status_code == 403 and "cannot be changed" in response.content.decode()
    report.refresh_from_db()
    assert report.case_id is None


def test_a_stranger_still_gets_not_found_for_an_erased_case(signed_in, dpo, outsider, due_case):
    retention.erase_case(partnership=due_case.partnership, case=due_case, actor=dpo, reason="Over")
    response = signed_in(outsider).post(reverse("cases:add-note", args=[due_case.pk]), {"text": "x"})
    assert response.status_code == 404
    assert "erased" not in response.content.decode() and due_case.reference not in response.content.decode()


def test_a_case_still_holding_its_data_is_untouched_by_the_guard(signed_in, caseworker_a, case):
    response = signed_in(caseworker_a).get(reverse("cases:edit", args=[case.pk]))
    assert response.status_code == 200 and "cannot be changed" not in response.content.decode()


# --- the operator's command -----------------------------------------------------------------------------------------


def test_the_command_prints_counts_only(partnership, council, due_case):
    close(make_case(partnership, council, "ASB-2026-00010"), timezone.localdate() + timedelta(days=30))
    out = io.StringIO()
    call_command("retention_due", "--partnership", "oadby-wigston", stdout=out)
    text = out.getvalue()
    assert "oadby-wigston: 1 case due for retention review" in text and "1 more in the next 90 days" in text
    assert "ASB-2026-00001" not in text and "Quiet" not in text
    with pytest.raises(CommandError, match="No partnership"):
        call_command("retention_due", "--partnership", "nowhere", stdout=io.StringIO())
