"""The pages through the test client: forms, refusals on the page, tasks and "my work", notification e-mails,
and strangers (another partnership, an agency the case is not shared with) getting a 404 with no data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from safer.core.models import AccessEvent
from safer.interventions import services
from safer.interventions.models import CaseTask, Intervention, Notification, RiskAssessment
from safer.interventions.tests.helpers import add_place, answers_for, make_case, victim_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(partnership, council, caseworker_a):
    return make_case(partnership, council, caseworker_a)


def case_urls(case, intervention_id=None):
    urls = [
        reverse("interventions:risk", args=[case.pk]),
        reverse("interventions:interventions", args=[case.pk]),
        reverse("interventions:intervention-new", args=[case.pk]),
        reverse("interventions:tasks", args=[case.pk]),
    ]
    if intervention_id:
        urls.append(reverse("interventions:intervention", args=[case.pk, intervention_id]))
    return urls


def test_strangers_get_404_with_no_data_on_every_case_page(
    client, sign_in, setting, caseworker_a, caseworker_b, outsider, partnership
):
    case, victim, perpetrator = setting
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
    task = services.create_task(
        case=case, title="Call back", owner=caseworker_a, due_at=timezone.now() + timedelta(hours=4), actor=caseworker_a
    )
    urls = [
        *case_urls(case, cpw.pk),
        reverse("interventions:risk-new", args=[case.pk, instrument.pk]),
        reverse("interventions:task-done", args=[case.pk, task.pk]),
    ]
    for stranger in (caseworker_b, outsider):  # police, the case not shared with it; another partnership
        sign_in(client, stranger)
        before = AccessEvent.objects.filter(object_type="case").count()
        for address in urls:
            response = client.get(address)
            assert response.status_code == (405 if address.endswith("/done") else 404), (stranger, address)
            assert casefacts_name(victim) not in response.content.decode()
            if not address.endswith(("/risk", "/interventions")):  # the lists take no POST (405 for everyone)
                response = client.post(address, {"kind": "cpn", "subject": str(perpetrator.pk)})
                assert response.status_code == 404, (stranger, address)
        assert AccessEvent.objects.filter(object_type="case").count() == before
        client.logout()
    assert Intervention.objects.count() == 1
    assert CaseTask.objects.get().done_at is None


def test_every_successful_write_and_every_refusal_page_writes_exactly_one_access_event(
    client, sign_in, setting, caseworker_a, partnership
):
    case, victim, perpetrator = setting
    instrument = victim_instrument(partnership)
    sign_in(client, caseworker_a)
    picks = {
        1: "Yes", 2: "Yes", 3: "No", 4: "Yes", 5: "More than 3 times", 6: "Severely", 7: "Threats",
        8: "Yes", 9: "No", 10: "No", 11: "Yes", 12: "No", 13: "No", 14: "Some",
    }  # fmt: skip
    data = {f"q{qid}": str(aid) for qid, aid in answers_for(instrument, picks).items()}
    issued = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assess = reverse("interventions:risk-new", args=[case.pk, instrument.pk])
    record = reverse("interventions:intervention-new", args=[case.pk])
    subject = str(perpetrator.pk)
    posts = [
        (assess, {**data, "party": str(victim.pk)}, 302),
        (assess, {**data, "party": str(victim.pk), "band": "standard"}, 200),
        (record, {"kind": "cpn", "subject": subject, "issued_at": issued}, 200),
        (record, {"kind": "cpw", "subject": subject, "issued_at": issued}, 302),
    ]
    for address, form, status in posts:
        before = AccessEvent.objects.count()
        assert client.post(address, form).status_code == status, (address, form)
        assert AccessEvent.objects.count() == before + 1, (address, form)
    assert CaseTask.objects.count() == 2  # the 24-hour contact and the 14-day review, logged with the assessment


def casefacts_name(party):
    from safer.interventions.casefacts import party_label

    return party_label(party)


def test_every_case_page_view_writes_one_access_event(client, sign_in, setting, caseworker_a):
    case, _, _ = setting
    victim_instrument(case.partnership)
    sign_in(client, caseworker_a)
    for address in case_urls(case):
        before = AccessEvent.objects.count()
        assert client.get(address).status_code == 200
        assert AccessEvent.objects.count() == before + 1, address


def test_assess_a_victim_on_the_page_and_refuse_lowering(client, sign_in, setting, caseworker_a, partnership):
    case, victim, _ = setting
    instrument = victim_instrument(partnership)
    sign_in(client, caseworker_a)
    address = reverse("interventions:risk-new", args=[case.pk, instrument.pk])
    page = client.get(address).content.decode()
    assert "local defaults" in page and "not national rules" in page
    picks = {
        1: "Yes", 2: "Yes", 3: "No", 4: "Yes", 5: "More than 3 times", 6: "Severely", 7: "Threats",
        8: "Yes", 9: "No", 10: "No", 11: "Yes", 12: "No", 13: "No", 14: "Some",
    }  # fmt: skip
    data = {f"q{qid}": str(aid) for qid, aid in answers_for(instrument, picks).items()}
    data["party"] = str(victim.pk)
    response = client.post(address, {**data, "band": "standard"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Professional judgement can raise a band but never lower it: the score gives high" in body
    assert "<title>Error: " in body
    assert not RiskAssessment.objects.exists()
    response = client.post(address, data, follow=True)
    assert "Risk assessment saved: score 38, band high" in response.content.decode()
    assert "A task to contact the victim within 24 hours has been set" in response.content.decode()
    work = client.get(reverse("interventions:my-work")).content.decode()
    assert "Contact the high-risk victim (within 24 hours)" in work


def test_cpn_refused_on_the_page_then_allowed_after_a_cpw(client, sign_in, setting, caseworker_a):
    case, _, perpetrator = setting
    sign_in(client, caseworker_a)
    address = reverse("interventions:intervention-new", args=[case.pk])
    issued = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(address, {"kind": "cpn", "subject": str(perpetrator.pk), "issued_at": issued})
    assert "needs a Community Protection Warning to the same subject first" in response.content.decode()
    earlier = (timezone.localtime() - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(address, {"kind": "cpw", "subject": str(perpetrator.pk), "issued_at": earlier}, follow=True)
    assert "Community Protection Warning recorded at step 3" in response.content.decode()
    response = client.post(address, {"kind": "cpn", "subject": str(perpetrator.pk), "issued_at": issued}, follow=True)
    assert "Community Protection Notice recorded at step 4" in response.content.decode()
    assert Intervention.objects.count() == 2


def test_a_task_for_someone_else_notifies_them_in_the_app_and_by_email_without_personal_data(
    client, sign_in, setting, caseworker_a, council, partnership, django_capture_on_commit_callbacks
):
    from safer.core.models import Role
    from safer.core.tests.factories import make_member

    colleague = make_member(council, Role.CASEWORKER, email="robin@oadby.example", full_name="Robin Colleague")
    case, victim, _ = setting
    sign_in(client, caseworker_a)
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interventions:tasks", args=[case.pk]),
            {"title": "Visit and take a statement", "owner": str(colleague.pk), "due_at": due},
            follow=True,
        )
    assert "Task set for Robin Colleague" in response.content.decode()
    [email] = mail.outbox
    assert email.to == ["robin@oadby.example"]
    reference = casefacts_reference(case)
    assert reference in email.subject and reference in email.body
    assert casefacts_name(victim) not in email.body and "statement" not in email.body
    assert Notification.objects.get(user=colleague).text.startswith(f"A task on case {reference} was assigned")
    client.logout()
    sign_in(client, colleague)
    work = client.get(reverse("interventions:my-work")).content.decode()
    assert "Visit and take a statement" in work and "1 new" in work


def casefacts_reference(case):
    from safer.interventions.casefacts import case_reference

    return case_reference(case)


def test_overdue_tasks_are_flagged_and_can_be_done(client, sign_in, setting, caseworker_a):
    case, _, _ = setting
    task = services.create_task(
        case=case, title="Call back", owner=caseworker_a, due_at=timezone.now() + timedelta(hours=1), actor=caseworker_a
    )
    CaseTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=3))
    sign_in(client, caseworker_a)
    work = client.get(reverse("interventions:my-work")).content.decode()
    assert "1 overdue" in work and "Overdue</strong>" in work
    response = client.post(
        reverse("interventions:task-done", args=[case.pk, task.pk]), {"next": "my-work"}, follow=True
    )
    assert "Task done: Call back" in response.content.decode()
    assert "You have no open tasks" in response.content.decode()


def test_a_task_cannot_go_to_someone_whose_agency_cannot_see_the_case(
    client, sign_in, setting, caseworker_a, caseworker_b
):
    case, _, _ = setting
    sign_in(client, caseworker_a)
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("interventions:tasks", args=[case.pk]), {"title": "Check", "owner": str(caseworker_b.pk), "due_at": due}
    )
    assert "Select someone from the list" in response.content.decode()
    assert not CaseTask.objects.exists()


def test_powers_page_counts(client, sign_in, setting, caseworker_a, analyst, dpo):
    case, _, perpetrator = setting
    letter = services.record_intervention(
        case=case,
        kind="warning_letter",
        subject=perpetrator,
        place="",
        issued_at=timezone.now() - timedelta(days=3),
        expires_at=None,
        actor=caseworker_a,
    )
    services.set_outcome(letter, status="ended", outcome="resolved", actor=caseworker_a)
    sign_in(client, caseworker_a)
    page = client.get(reverse("interventions:powers")).content.decode()
    assert "<strong>1</strong> case resolved at step 2, of 1 with an action recorded" in page
    client.logout()
    sign_in(client, analyst)  # counts without names: analysts and managers see them too
    assert "resolved at step 2" in client.get(reverse("interventions:powers")).content.decode()
    client.logout()
    sign_in(client, dpo)
    assert client.get(reverse("interventions:powers")).status_code == 403


def test_my_work_hides_tasks_on_a_case_the_agency_can_no_longer_see(client, sign_in, setting, caseworker_a, police):
    from safer.cases.models import Case

    case, _, _ = setting
    services.create_task(
        case=case,
        title="Ring the school",
        owner=caseworker_a,
        due_at=timezone.now() + timedelta(days=1),
        actor=caseworker_a,
    )
    sign_in(client, caseworker_a)
    assert "Ring the school" in client.get(reverse("interventions:my-work")).content.decode()
    Case.objects.filter(pk=case.pk).update(owning_agency=police)  # transferred, and not shared back
    page = client.get(reverse("interventions:my-work")).content.decode()
    assert "Ring the school" not in page and "You have no open tasks" in page


def test_a_double_click_saves_once(client, sign_in, setting, caseworker_a, partnership):
    import re

    case, victim, perpetrator = setting
    sign_in(client, caseworker_a)
    address = reverse("interventions:intervention-new", args=[case.pk])
    page = client.get(address).content.decode()
    [key] = re.findall(r'name="submission_key" value="([0-9a-f-]{36})"', page)
    assert key not in client.get(address).content.decode()  # a new key each time the form is shown
    issued = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"kind": "warning_letter", "subject": str(perpetrator.pk), "issued_at": issued, "submission_key": key}
    first = client.post(address, form, follow=True)
    assert "Warning letter recorded at step 2" in first.content.decode()
    second = client.post(address, form, follow=True)
    assert "That was already saved: the second click (or reload) saved nothing more" in second.content.decode()
    assert Intervention.objects.count() == 1

    instrument = victim_instrument(partnership)
    assess = reverse("interventions:risk-new", args=[case.pk, instrument.pk])
    [key] = re.findall(r'name="submission_key" value="([0-9a-f-]{36})"', client.get(assess).content.decode())
    answers = answers_for(instrument, {1: "No", 2: "No", 3: "No", 4: "No"})
    data = {"party": str(victim.pk), "submission_key": key, **{f"q{q}": str(a) for q, a in answers.items()}}
    client.post(assess, data)
    client.post(assess, data)
    assert RiskAssessment.objects.count() == 1


def test_a_closure_notice_over_48_hours_is_refused_at_the_field(client, sign_in, setting, caseworker_a):
    case, _, _ = setting
    premises = add_place(case, "The Flat, 3 Mill Lane", caseworker_a)
    sign_in(client, caseworker_a)
    issued = timezone.localtime() - timedelta(hours=50)
    form = {
        "kind": "closure_notice",
        "place": str(premises.pk),
        "issued_at": issued.strftime("%Y-%m-%dT%H:%M"),
        "expires_at": (issued + timedelta(hours=49)).strftime("%Y-%m-%dT%H:%M"),
    }
    body = client.post(reverse("interventions:intervention-new", args=[case.pk]), form).content.decode()
    assert '<a href="#id_expires_at">A closure notice lasts 24 hours, or at most 48 hours</a>' in body
    assert f'value="{premises.pk}" checked' in body  # the premises chosen are kept
    assert not Intervention.objects.exists()


def test_notifications_are_marked_read(client, sign_in, setting, caseworker_a, council):
    from safer.core.models import Role
    from safer.core.tests.factories import make_member

    colleague = make_member(council, Role.CASEWORKER, email="robin@oadby.example", full_name="Robin Colleague")
    case, _, _ = setting
    services.create_task(
        case=case, title="Call back", owner=colleague, due_at=timezone.now() + timedelta(days=1), actor=caseworker_a
    )
    sign_in(client, colleague)
    assert "Notifications (1 new)" in client.get(reverse("interventions:my-work")).content.decode()
    page = client.post(reverse("interventions:my-work"), follow=True).content.decode()
    assert "1 notification marked as read" in page and "Notifications (1 new)" not in page
    assert Notification.objects.get().read_at is not None


def test_assessing_with_no_victim_on_the_case_says_how_to_add_one(client, sign_in, partnership, council, caseworker_a):
    from safer.cases.models import Case
    from safer.cases.services import allocate_reference

    case = Case.objects.create(
        partnership=partnership, reference=allocate_reference(partnership, "ASB"), owning_agency=council
    )
    instrument = victim_instrument(partnership)
    sign_in(client, caseworker_a)
    page = client.get(reverse("interventions:risk-new", args=[case.pk, instrument.pk])).content.decode()
    assert "There is no victim on this case yet." in page
    assert reverse("cases:add-party", args=[case.pk]) in page
