"""Refused requests for personal data: recorded in one place, listed for the DPO of the partnership only, and a
warning (banner and one e-mail) when one person is refused too many within the window."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import DatabaseError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from safer.core.models import AccessAction, AccessEvent, AccessRefusal, RefusalAlert
from safer.core.refusals import personal_urls

pytestmark = pytest.mark.django_db


def refuse(client, user, times=1):
    """``user`` asks for a person of another partnership's page: a 404 each time."""
    for _ in range(times):
        assert client.get(reverse("core:person", args=[user.pk])).status_code == 404


def test_a_refused_person_page_is_recorded_without_the_query_string(client, sign_in, admin, council, outsider):
    sign_in(client, admin)
    response = client.get(reverse("core:person", args=[outsider.pk]) + "?name=Nia+Outsider")
    assert response.status_code == 404
    assert "Page not found" in response.text  # the styled page, as before
    refusal = AccessRefusal.objects.get()
    assert (refusal.user, refusal.agency, refusal.partnership) == (admin, council, council.partnership)
    assert (refusal.path, refusal.url_name) == (f"/people/{outsider.pk}", "core:person")
    assert (refusal.record_type, refusal.record_id, refusal.status) == ("user", str(outsider.pk), 404)
    stored = " ".join(str(value) for value in vars(refusal).values())
    assert "Nia" not in stored and outsider.email not in stored


def test_a_page_refused_for_want_of_a_role_is_recorded_as_403(client, sign_in, caseworker_a):
    sign_in(client, caseworker_a)
    assert client.get(reverse("core:access-log")).status_code == 403
    refusal = AccessRefusal.objects.get()
    assert (refusal.user, refusal.url_name, refusal.status) == (caseworker_a, "core:access-log", 403)


def test_pages_answered_or_without_personal_data_record_nothing(client, sign_in, dpo, admin):
    sign_in(client, dpo)
    assert client.get(reverse("core:access-log")).status_code == 200
    assert client.get("/nothing-here").status_code == 404
    assert client.get("/static/nothing-here.js").status_code == 404
    assert client.get(reverse("core:person", args=[admin.pk])).status_code == 403  # a DPO is not an admin ...
    assert AccessRefusal.objects.filter(url_name="core:person").count() == 1  # ... and that is recorded
    assert AccessRefusal.objects.count() == 1


def test_recording_never_breaks_the_answer(client, sign_in, admin, outsider, monkeypatch, caplog):
    def broken(**kwargs):
        raise DatabaseError(f"cannot write {kwargs['path']}")

    monkeypatch.setattr(AccessRefusal.objects, "create", broken)
    sign_in(client, admin)
    with caplog.at_level(logging.ERROR):
        response = client.get(reverse("core:person", args=[outsider.pk]))
    assert response.status_code == 404
    assert "Could not record a refused request (DatabaseError)" in caplog.text
    assert f"/people/{outsider.pk}" not in caplog.text


def test_every_registered_url_exists_and_every_record_page_is_registered():
    names: set[str] = set()
    routes: dict[str, str] = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
                walk(pattern.url_patterns, inner or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                names.add(name)
                routes[name] = str(pattern.pattern)

    walk(get_resolver().url_patterns)
    registered = personal_urls()
    assert set(registered) - names == set()
    # A page or API answer named by a case, person, report, document or subject access request is personal data.
    record_pages = {
        name for name, route in routes.items() if re.search(r"<(int:)?(case|person|report|document|sar)_id>", route)
    }
    assert record_pages - set(registered) == set()
    for name, url in registered.items():
        if url.id_argument:
            assert f"{url.id_argument}>" in routes[name], name


# --- the DPO's page -----------------------------------------------------------------------------------------------


def test_the_dpo_lists_and_filters_refusals(client, sign_in, dpo, admin, caseworker_a, council, police, outsider):
    sign_in(client, admin)
    refuse(client, outsider, times=2)
    sign_in(client, caseworker_a)
    client.get(reverse("core:people"))  # 403: no admin role
    AccessRefusal.objects.filter(user=caseworker_a).update(at=timezone.now() - timedelta(days=3))

    sign_in(client, dpo)
    log_page = client.get(reverse("core:access-log")).text
    assert reverse("core:refusals") in log_page
    page = client.get(reverse("core:refusals")).text
    assert "Refused requests for personal data" in page
    assert "3 refused requests" in page
    assert page.index("Casey Council") > page.index("Alex Admin")  # newest first
    assert f"GET /people/{outsider.pk}" in page and "Not found (404)" in page and "Not allowed (403)" in page
    # Counts per person: Alex twice in the last day, Casey once in the week.
    counts = re.findall(r'person=(\d+)">([^<]+)</a></th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>', page)
    assert counts == [(str(admin.pk), "Alex Admin", "2", "2"), (str(caseworker_a.pk), "Casey Council", "0", "1")]

    by_person = client.get(reverse("core:refusals"), {"person": caseworker_a.pk}).text
    assert "1 refused request<" in by_person
    by_agency = client.get(reverse("core:refusals"), {"agency": police.pk}).text
    assert "0 refused requests" in by_agency
    today = timezone.localdate()
    by_date = client.get(reverse("core:refusals"), {"date_from": str(today), "date_to": str(today)}).text
    assert "2 refused requests" in by_date
    wrong = client.get(reverse("core:refusals"), {"date_from": str(today), "date_to": str(today - timedelta(days=1))})
    assert "Enter an end date that is the same as or after the start date" in wrong.text
    # Reading the refusals is itself in the access log.
    assert AccessEvent.objects.filter(actor=dpo, action=AccessAction.SEARCH, object_type="access_refusals").exists()


def test_a_dpo_of_another_partnership_sees_none_of_them(client, sign_in, admin, outsider, caseworker_a):
    sign_in(client, admin)
    refuse(client, outsider)
    sign_in(client, outsider)  # a DPO, of the other partnership
    page = client.get(reverse("core:refusals")).text
    assert "0 refused requests" in page and "Alex Admin" not in page
    asked = client.get(reverse("core:refusals"), {"person": admin.pk})
    assert "Alex Admin" not in asked.text and "0 refused requests" in asked.text


def test_only_dpos_open_the_page(client, sign_in, admin):
    sign_in(client, admin)
    assert client.get(reverse("core:refusals")).status_code == 403


# --- the warning --------------------------------------------------------------------------------------------------


def test_crossing_the_threshold_warns_the_dpos_once_per_window(
    client, sign_in, dpo, admin, outsider, settings, django_capture_on_commit_callbacks
):
    assert (settings.SAFER_REFUSAL_ALERT_COUNT, settings.SAFER_REFUSAL_ALERT_MINUTES) == (20, 60)
    settings.SAFER_REFUSAL_ALERT_COUNT = 3
    sign_in(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        refuse(client, outsider, times=2)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        refuse(client, outsider, times=4)  # crosses at the third, and stays over
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [dpo.email]
    assert message.subject == "Alex Admin was refused 3 requests for personal data"
    assert "within 60 minutes" in message.body
    assert f"{settings.SITE_URL}/access-log/refused?person={admin.pk}" in str(message.body)
    assert RefusalAlert.objects.count() == 1

    sign_in(client, dpo)
    banner = "Alex Admin was refused 3 requests for personal data within 60 minutes"
    assert banner in client.get(reverse("core:access-log")).text
    assert banner in client.get(reverse("core:refusals")).text
    assert banner in client.get(reverse("documents:who-has-seen")).text
    assert banner not in client.get(reverse("core:home")).text  # only on the DPO's pages
    sign_in(client, outsider)
    assert banner not in client.get(reverse("core:access-log")).text  # only in the partnership

    # A window later, crossing again is a new warning.
    past = timezone.now() - timedelta(minutes=61)
    AccessRefusal.objects.update(at=past)
    RefusalAlert.objects.update(at=past)
    sign_in(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        refuse(client, outsider, times=3)
    assert len(mail.outbox) == 2
