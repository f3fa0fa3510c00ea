"""Taking an agency off a case: the owner gives a reason; the agency stops seeing the case at once (404, nothing in
it); who, when and why stay on the case page and in the chronology; the agency can be added back later."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safer.cases import services
from safer.cases.models import CaseAgency, ChronologyKind
from safer.cases.tests.factories import case_with_report
from safer.core.models import AccessAction, AccessEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(partnership, council, police, caseworker_a):
    case, _report = case_with_report(partnership, council, caseworker_a, reporter="Vera Quiet", subject="Dan Shouter")
    share = services.share_case(
        case=case,
        agency=police,
        gateway="s115",
        consent_status="not_required",
        reason="Joint patrols",
        actor=caseworker_a,
    )
    return case, share


def remove_url(case, share) -> str:
    return reverse("cases:remove-agency", args=[case.pk, share.pk])


def test_the_owner_removes_an_agency_with_a_reason_and_it_loses_the_case_at_once(
    client, sign_in, shared, caseworker_a, caseworker_b
):
    case, share = shared
    police_client = sign_in(client.__class__(), caseworker_b)
    assert police_client.get(reverse("cases:purpose", args=[case.pk])).status_code == 200
    owner = sign_in(client, caseworker_a)
    refused = owner.post(remove_url(case, share), {"reason": "  "})
    assert "Enter why the agency is coming off the case" in refused.content.decode()
    assert CaseAgency.objects.get(pk=share.pk).removed_at is None
    done = owner.post(remove_url(case, share), {"reason": "Patrols ended in March"})
    assert done.status_code == 302
    removed = CaseAgency.objects.get(pk=share.pk)
    assert removed.removed_at is not None and removed.removed_by == caseworker_a
    assert removed.removed_reason == "Patrols ended in March"
    entry = case.chronology.filter(kind=ChronologyKind.UNSHARE).get()
    assert entry.summary.endswith("removed from the case: Patrols ended in March")
    assert AccessEvent.objects.filter(action=AccessAction.CHANGE, object_id=str(case.pk), detail__contains="removed")
    page = owner.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Agencies removed (1)" in page and "Patrols ended in March" in page
    gone = police_client.get(reverse("cases:case", args=[case.pk]))
    assert gone.status_code == 404 and b"Dan Shouter" not in gone.content and b"Vera Quiet" not in gone.content


def test_only_the_owning_agency_may_remove(client, sign_in, shared, caseworker_b):
    case, share = shared
    response = sign_in(client, caseworker_b).post(remove_url(case, share), {"reason": "Not needed"})
    assert response.status_code in (302, 403)
    assert CaseAgency.objects.get(pk=share.pk).removed_at is None


def test_removing_twice_is_refused_and_adding_back_works(shared, police, caseworker_a):
    case, share = shared
    services.remove_agency(share=share, reason="Done", actor=caseworker_a)
    with pytest.raises(services.CaseError, match="no longer on this case"):
        services.remove_agency(share=share, reason="Again", actor=caseworker_a)
    again = services.share_case(
        case=case,
        agency=police,
        gateway="safeguarding",
        consent_status="not_sought",
        reason="New incident",
        actor=caseworker_a,
    )
    assert again.pk == share.pk and again.removed_at is None
