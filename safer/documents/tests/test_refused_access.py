"""A request for personal data that is refused (another agency's case, another partnership's) is recorded for the
DPO: who asked, for which record, when and from where; never the personal data, nor the query string."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import ResolverMatch

from safer.core.models import AccessRefusal
from safer.core.refusals import record_refusal
from safer.core.services import create_api_token

pytestmark = pytest.mark.django_db


def personal_data_of(case, subject) -> list[str]:
    person = subject.person
    return [case.summary, person.given_name, person.family_name, person.address.line1, person.address.postcode]


def assert_no_personal_data(refusal: AccessRefusal, words: list[str]) -> None:
    stored = " ".join(str(value) for value in vars(refusal).values())
    for word in words:
        assert word not in stored


def test_a_caseworker_of_another_agency_is_refused_a_case_not_shared_and_it_is_recorded(
    signed_in, caseworker_b, police, partnership, case, subject
):
    response = signed_in(caseworker_b).get(f"/cases/{case.pk}/?q=Shouter")
    assert response.status_code == 404
    assert "Dan Shouter" not in response.text
    refusal = AccessRefusal.objects.get()
    assert refusal.user == caseworker_b
    assert refusal.agency == police
    assert refusal.partnership == partnership
    assert (refusal.method, refusal.path, refusal.url_name) == ("GET", f"/cases/{case.pk}/", "cases:case")
    assert (refusal.record_type, refusal.record_id, refusal.status) == ("case", str(case.pk), 404)
    assert refusal.by_api_token is False
    assert refusal.ip_address == "127.0.0.1"
    assert_no_personal_data(refusal, [*personal_data_of(case, subject), "Shouter"])


@pytest.mark.parametrize(
    ("path", "url_name", "record_type"),
    [
        ("/cases/{case}/", "cases:case", "case"),
        ("/cases/people/{person}/", "cases:person", "person"),
        ("/documents/cases/{case}/", "documents:case", "case"),
        ("/work/cases/{case}/risk", "interventions:risk", "case"),
    ],
)
def test_an_outsider_partnership_is_refused_and_it_is_recorded(
    signed_in, outsider, other_partnership, other_council, case, subject, path, url_name, record_type
):
    asked = path.format(case=case.pk, person=subject.person_id)
    assert signed_in(outsider).get(asked).status_code == 404
    refusal = AccessRefusal.objects.get()
    assert (refusal.user, refusal.partnership, refusal.agency) == (outsider, other_partnership, other_council)
    assert (refusal.path, refusal.url_name, refusal.record_type, refusal.status) == (asked, url_name, record_type, 404)
    assert refusal.record_id == str(subject.person_id if record_type == "person" else case.pk)
    assert_no_personal_data(refusal, personal_data_of(case, subject))


def test_an_api_token_refused_a_case_is_recorded_without_the_purpose(caseworker_b, police, partnership, case, subject):
    _, secret = create_api_token(user=caseworker_b, name="Test script")
    response = Client().get(
        f"/api/cases/{case.pk}?purpose=Looking+for+Dan+Shouter", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 404
    refusal = AccessRefusal.objects.get()
    assert (refusal.user, refusal.agency, refusal.partnership) == (caseworker_b, police, partnership)
    assert (refusal.path, refusal.url_name) == (f"/api/cases/{case.pk}", "api:get_case")
    assert refusal.record_id == str(case.pk)
    assert refusal.by_api_token is True
    assert_no_personal_data(refusal, [*personal_data_of(case, subject), "Looking", "Shouter"])


def test_text_in_a_url_argument_is_kept_as_the_route_not_the_path(rf, caseworker_b):
    request = rf.post("/api/tasks/Dan Shouter/done")
    request.user = caseworker_b
    request.resolver_match = ResolverMatch(
        lambda r: None,
        (),
        {"task_id": "Dan Shouter"},
        url_name="complete",
        namespaces=["api"],
        route="api/tasks/<task_id>/done",
    )
    refusal = record_refusal(request, 404)
    assert refusal is not None
    assert (refusal.path, refusal.record_id, refusal.url_name) == ("/api/tasks/<task_id>/done", "", "api:complete")


def test_an_api_token_without_the_case_role_is_refused_and_it_is_recorded(analyst, partnership):
    _, secret = create_api_token(user=analyst, name="Test script")
    assert Client().get("/api/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 403
    refusal = AccessRefusal.objects.get()
    assert (refusal.user, refusal.url_name, refusal.status, refusal.record_type) == (
        analyst,
        "api:list_cases",
        403,
        "case",
    )


def test_answers_that_are_not_refusals_of_personal_data_record_nothing(
    signed_in, caseworker_a, caseworker_b, case, subject
):
    own = signed_in(caseworker_a)
    assert own.get(f"/cases/{case.pk}/").status_code == 200  # allowed
    assert own.get("/no-such-page/").status_code == 404  # no such URL
    assert own.get("/static/app/no-such-file.css").status_code == 404  # a static file
    assert own.get("/documents/templates/999999/").status_code in {403, 404}  # not personal data
    # An unknown API path, and a token that is not valid: nobody known asked for a record.
    _, secret = create_api_token(user=caseworker_b, name="Test script")
    assert Client().get("/api/no-such-thing", headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    assert Client().get(f"/api/cases/{case.pk}", headers={"Authorization": "Bearer sc_wrong"}).status_code == 401
    # Not signed in at all: sent to sign in, nothing to record.
    assert Client().get(f"/cases/{case.pk}/").status_code == 302
    assert AccessRefusal.objects.count() == 0
