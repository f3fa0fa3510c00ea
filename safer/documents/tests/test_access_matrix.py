"""Every documents page and API route for a case, for every persona: the right status, no data for strangers, and
exactly one AccessEvent for every success."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safer.cases.models import Case, CaseStatus
from safer.core.models import AccessEvent
from safer.core.services import create_api_token
from safer.documents import services

pytestmark = pytest.mark.django_db

MARKER = b"matrix-file-contents"


@pytest.fixture
def world(case, subject, caseworker_a, caseworker_b, police, share_with, analyst, outsider, signed_in):
    document = services.attach_document(
        case=case, actor=caseworker_a, upload=services.NewFile(name="matrix.txt", data=MARKER)
    )
    return {"case": case, "document": document}


def page_routes(case, document):
    return {
        "documents page": reverse("documents:case", args=[case.pk]),
        "download": reverse("documents:download", args=[case.pk, document.pk]),
    }


def api_routes(case):
    return {
        "api case": f"/api/cases/{case.pk}",
        "api documents": f"/api/cases/{case.pk}/documents",
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("owner", 200), ("shared", 200), ("unshared", 404), ("other_partnership", 404), ("analyst", 403)],
)
def test_matrix(persona, expected, world, caseworker_a, caseworker_b, police, analyst, outsider, share_with, signed_in):
    case, document = world["case"], world["document"]
    user = {
        "owner": caseworker_a,
        "shared": caseworker_b,
        "unshared": caseworker_b,
        "other_partnership": outsider,
        "analyst": analyst,
    }[persona]
    if persona == "shared":
        share_with(case, police)
    client = signed_in(user)
    if persona == "shared":
        session = client.session
        session["case_purposes"] = {str(case.pk): "Joint visit"}
        session.save()
    _, secret = create_api_token(user=user, name="matrix")
    api = Client(headers={"Authorization": f"Bearer {secret}", "X-Purpose": "Joint visit"})
    checks = [(name, client, url) for name, url in page_routes(case, document).items()]
    checks += [(name, api, url) for name, url in api_routes(case).items()]
    for name, who, url in checks:
        before = AccessEvent.objects.count()
        response = who.get(url)
        assert response.status_code == expected, (persona, name, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if expected == 200:
            assert AccessEvent.objects.count() == before + 1, (persona, name)
        else:
            assert AccessEvent.objects.count() == before, (persona, name)
            assert MARKER not in body
            assert b"matrix.txt" not in body
            assert b"ASB-2026-00001" not in body
            assert b"Shouter" not in body


# --- the DPO's retention review pages -----------------------------------------------------------------------------


def retention_routes(case):
    return {
        "retention reviews": reverse("documents:retention"),
        "retention review of a case": reverse("documents:retention-case", args=[case.pk]),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("dpo", 200), ("owner", 403), ("admin", 403), ("analyst", 403), ("other_partnership", 404)],
)
def test_retention_matrix(persona, expected, case, subject, dpo, caseworker_a, admin, analyst, outsider, signed_in):
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        closed_at=timezone.now() - timedelta(days=2300),
        retention_review_on=timezone.localdate() - timedelta(days=1),
    )
    user = {"dpo": dpo, "owner": caseworker_a, "admin": admin, "analyst": analyst, "other_partnership": outsider}[
        persona
    ]
    client = signed_in(user)
    for name, url in retention_routes(case).items():
        before = AccessEvent.objects.count()
        response = client.get(url)
        if persona == "other_partnership" and name == "retention reviews":
            # Their own partnership's list (they are a DPO there): ours is never on it.
            assert response.status_code == 200
            assert b"ASB-2026-00001" not in response.content
            continue
        assert response.status_code == expected, (persona, name, response.status_code)
        if expected == 200:
            assert AccessEvent.objects.count() == before + 1, (persona, name)
        else:
            assert AccessEvent.objects.count() == before, (persona, name)
            assert b"ASB-2026-00001" not in response.content
        assert b"Shouter" not in response.content
