"""The cases API: the pages' scoping (404 for strangers, 403 without a case role), one AccessEvent per answer."""

from __future__ import annotations

import pytest
from django.test import Client

from safer.cases.models import Report
from safer.core.models import AccessAction, AccessEvent
from safer.core.services import create_api_token
from safer.documents import services
from safer.documents.tests.conftest import make_case

pytestmark = pytest.mark.django_db


def call(user, path, method="get", headers=None, **extra):
    _, secret = create_api_token(user=user, name="Test script")
    return getattr(Client(), method)(path, headers={"Authorization": f"Bearer {secret}", **(headers or {})}, **extra)


def events() -> int:
    return AccessEvent.objects.filter(object_type__in=["case", "report"]).count()


def test_the_list_shows_only_cases_the_agency_may_see(caseworker_a, caseworker_b, partnership, police, case):
    make_case(partnership, police, "ASB-2026-00005")
    before = events()
    response = call(caseworker_a, "/api/cases")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [c["reference"] for c in body["items"]] == ["ASB-2026-00001"]
    assert body["items"][0]["owning_agency"] == "Oadby and Wigston Borough Council"
    assert events() == before + 1
    assert AccessEvent.objects.filter(action=AccessAction.SEARCH).count() == 1
    police_view = call(caseworker_b, "/api/cases").json()
    assert [c["reference"] for c in police_view["items"]] == ["ASB-2026-00005"]


def test_filters_and_pages(caseworker_a, partnership, council, case):
    for n in range(2, 5):
        make_case(partnership, council, f"ASB-2026-0000{n}")
    closed = make_case(partnership, council, "NOISE-2026-00001")
    type(closed).objects.filter(pk=closed.pk).update(case_type="noise")
    page = call(caseworker_a, "/api/cases?page=2&page_size=2").json()
    assert page["count"] == 5
    assert len(page["items"]) == 2
    noise = call(caseworker_a, "/api/cases?case_type=noise").json()
    assert [c["reference"] for c in noise["items"]] == ["NOISE-2026-00001"]
    assert call(caseworker_a, "/api/cases?status=closed").json()["count"] == 0
    assert call(caseworker_a, "/api/cases?status=nonsense").status_code == 422


def test_one_case_404_for_strangers_and_no_data(caseworker_a, caseworker_b, outsider, case, subject):
    ok = call(caseworker_a, f"/api/cases/{case.pk}")
    assert ok.status_code == 200
    assert ok.json()["parties"] == [
        {"person_id": subject.person_id, "name": "Dan Shouter", "role": "Subject or perpetrator"}
    ]
    before = events()
    for stranger in (caseworker_b, outsider):
        for path in (f"/api/cases/{case.pk}", f"/api/cases/{case.pk}/documents"):
            response = call(stranger, path)
            assert response.status_code == 404
            assert b"Shouter" not in response.content
            assert b"ASB-2026-00001" not in response.content
    assert events() == before


def test_without_a_case_role_the_answer_is_403(analyst, case):
    assert call(analyst, "/api/cases").status_code == 403
    assert call(analyst, f"/api/cases/{case.pk}").status_code == 403


def test_a_shared_agency_gives_a_purpose_in_a_header(caseworker_a, caseworker_b, police, case, share_with):
    share_with(case, police)
    before = events()
    for path in (f"/api/cases/{case.pk}", f"/api/cases/{case.pk}/documents"):
        refused = call(caseworker_b, path)
        assert refused.status_code == 400
        assert "X-Purpose header" in refused.json()["detail"]
        # In the URL it is not read (servers and proxies record URLs): the same answer.
        in_url = call(caseworker_b, f"{path}?purpose=Joint%20visit")
        assert in_url.status_code == 400 and "X-Purpose header" in in_url.json()["detail"]
    assert events() == before
    ok = call(caseworker_b, f"/api/cases/{case.pk}", headers={"X-Purpose": "Joint visit"})
    assert ok.status_code == 200
    assert events() == before + 1
    event = AccessEvent.objects.filter(action=AccessAction.VIEW).first()
    assert event is not None
    assert event.purpose == "Joint visit"
    too_short = call(caseworker_b, f"/api/cases/{case.pk}", headers={"X-Purpose": "x"})
    assert too_short.status_code == 422
    assert too_short.json()["errors"][0]["loc"] == ["header", "X-Purpose"]


def test_documents_list_hides_sensitive_ones_from_a_shared_agency(caseworker_a, caseworker_b, police, case, share_with):
    services.attach_document(case=case, actor=caseworker_a, upload=services.NewFile("a.txt", b"normal"))
    services.attach_document(
        case=case, actor=caseworker_a, upload=services.NewFile("b.txt", b"hidden"), sensitivity="sensitive"
    )
    mine = call(caseworker_a, f"/api/cases/{case.pk}/documents").json()
    assert sorted(d["name"] for d in mine["items"]) == ["a.txt", "b.txt"]
    share_with(case, police)
    theirs = call(caseworker_b, f"/api/cases/{case.pk}/documents", headers={"X-Purpose": "Joint visit"}).json()
    assert [d["name"] for d in theirs["items"]] == ["a.txt"]
    assert theirs["hidden_sensitive"] == 1
    assert theirs["items"][0]["download_url"].startswith(f"/documents/cases/{case.pk}/")


def test_a_report_is_created_for_one_of_my_agencies(caseworker_a, council, police):
    payload = {
        "receiving_agency_id": council.pk,
        "channel": "phone",
        "nsir_type": "personal",
        "description": "Shouting in the street at night",
        "reporter_name": "Vera Quiet",
        "reporter_is_victim": True,
        "subject_names": ["Dan Shouter"],
        "place": "12 Long Street",
        "postcode": "le18 2aa",
        "hate_strand": "race",
    }
    response = call(caseworker_a, "/api/reports", method="post", data=payload, content_type="application/json")
    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert response.json()["reference"] == report.reference
    assert report.hate_motivated
    assert [p.display_name for p in report.victims.all()] == ["Vera Quiet"]
    assert AccessEvent.objects.filter(action=AccessAction.CREATE, object_type="report").count() == 1
    refused = call(
        caseworker_a,
        "/api/reports",
        method="post",
        data={**payload, "receiving_agency_id": police.pk},
        content_type="application/json",
    )
    assert refused.status_code == 404
    assert Report.objects.count() == 1
