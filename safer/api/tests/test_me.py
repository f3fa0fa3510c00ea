"""GET /api/me with the shared personas: each sees themself and their own partnerships, nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from safer.api.tests.conftest import CallApi, TokenFor
from safer.core.models import Agency, Membership, Partnership, Role, RoleGrant, User

pytestmark = pytest.mark.django_db


def me(call_api: CallApi, token: str) -> dict[str, Any]:
    response = call_api("/api/me", token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    return body


def test_a_caseworker_sees_their_agency_and_role_only(
    caseworker_a: User,
    caseworker_b: User,
    admin: User,
    partnership: Partnership,
    council: Agency,
    token_for: TokenFor,
    call_api: CallApi,
) -> None:
    assert me(call_api, token_for(caseworker_a)) == {
        "id": caseworker_a.pk,
        "email": "casey@oadby.example",
        "full_name": "Casey Council",
        "partnerships": [
            {
                "id": partnership.pk,
                "name": "Oadby and Wigston CSP",
                "lad_codes": ["E07000135"],
                "roles": ["caseworker"],
                "agencies": [{"id": council.pk, "name": "Oadby and Wigston Borough Council", "kind": "council"}],
            }
        ],
    }


def test_the_other_agencys_caseworker_sees_the_police(
    caseworker_a: User, caseworker_b: User, police: Agency, token_for: TokenFor, call_api: CallApi
) -> None:
    (partnership,) = me(call_api, token_for(caseworker_b))["partnerships"]

    assert partnership["roles"] == ["caseworker"]
    assert partnership["agencies"] == [{"id": police.pk, "name": "Leicestershire Police", "kind": "police"}]


def test_the_outsider_sees_only_their_own_partnership(
    caseworker_a: User,
    admin: User,
    outsider: User,
    partnership: Partnership,
    other_partnership: Partnership,
    other_council: Agency,
    token_for: TokenFor,
    call_api: CallApi,
) -> None:
    body = me(call_api, token_for(outsider))

    assert body["email"] == "nia@nwleics.example"
    (seen,) = body["partnerships"]
    assert seen == {
        "id": other_partnership.pk,
        "name": "North West Leicestershire CSP",
        "lad_codes": ["E07000134"],
        "roles": ["analyst", "caseworker", "dpo", "partnership_admin"],
        "agencies": [{"id": other_council.pk, "name": "North West Leicestershire District Council", "kind": "council"}],
    }
    text = str(body)
    for leaked in ("Oadby", "E07000135", "Leicestershire Police", "casey@", "admin@"):
        assert leaked not in text


def test_a_person_in_two_partnerships_sees_both_with_their_roles_in_each(
    caseworker_a: User,
    council: Agency,
    other_council: Agency,
    partnership: Partnership,
    other_partnership: Partnership,
    token_for: TokenFor,
    call_api: CallApi,
) -> None:
    Membership.objects.create(user=caseworker_a, agency=other_council)
    RoleGrant.objects.create(user=caseworker_a, partnership=other_partnership, role=Role.ANALYST)

    partnerships = me(call_api, token_for(caseworker_a))["partnerships"]

    # In name order: North West Leicestershire, then Oadby and Wigston.
    assert [(p["id"], p["roles"], [a["id"] for a in p["agencies"]]) for p in partnerships] == [
        (other_partnership.pk, ["analyst"], [other_council.pk]),
        (partnership.pk, ["caseworker"], [council.pk]),
    ]


def test_a_person_in_two_agencies_of_one_partnership_sees_both(
    caseworker_a: User, council: Agency, police: Agency, token_for: TokenFor, call_api: CallApi
) -> None:
    Membership.objects.create(user=caseworker_a, agency=police)

    (partnership,) = me(call_api, token_for(caseworker_a))["partnerships"]

    assert [a["name"] for a in partnership["agencies"]] == [
        "Leicestershire Police",
        "Oadby and Wigston Borough Council",
    ]


def test_an_ended_membership_is_not_listed(
    caseworker_a: User,
    other_council: Agency,
    other_partnership: Partnership,
    partnership: Partnership,
    token_for: TokenFor,
    call_api: CallApi,
) -> None:
    Membership.objects.create(user=caseworker_a, agency=other_council, is_active=False)
    RoleGrant.objects.create(user=caseworker_a, partnership=other_partnership, role=Role.ANALYST)

    partnerships = me(call_api, token_for(caseworker_a))["partnerships"]

    assert [p["id"] for p in partnerships] == [partnership.pk]


def test_a_person_with_no_partnership_gets_an_empty_list(
    caseworker_a: User, token_for: TokenFor, call_api: CallApi
) -> None:
    Membership.objects.filter(user=caseworker_a).update(is_active=False)

    assert me(call_api, token_for(caseworker_a))["partnerships"] == []
