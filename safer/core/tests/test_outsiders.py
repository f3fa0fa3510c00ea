"""People of another partnership (or without the role) never reach what is not theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safer.core.models import AccessEvent, Job
from safer.core.services import create_api_token, create_job


@pytest.fixture
def admin_job(admin, partnership):
    return create_job(partnership=partnership, user=admin, kind="test", title="Admin's export", parameters={})


def test_outsider_gets_404_for_people_of_another_partnership(client, sign_in, outsider, admin, caseworker_a):
    sign_in(client, outsider)
    for user in (admin, caseworker_a):
        for name in ("core:person",):
            assert client.get(reverse(name, args=[user.pk])).status_code == 404
        for name in ("core:disable-person", "core:enable-person", "core:reset-two-factor"):
            assert client.post(reverse(name, args=[user.pk])).status_code == 404
    admin.refresh_from_db()
    assert admin.is_active


def test_outsider_people_page_lists_only_their_own_partnership(client, sign_in, outsider, admin, caseworker_a):
    sign_in(client, outsider)
    page = client.get(reverse("core:people")).text
    assert "Nia Outsider" in page
    assert "Alex Admin" not in page and "Casey Council" not in page
    assert "Oadby and Wigston" not in page


def test_outsider_access_log_shows_nothing_of_another_partnership(client, sign_in, outsider, dpo, admin):
    sign_in(client, admin)  # writes sign-in events in the first partnership
    other = client.__class__()
    sign_in(other, outsider)
    page = other.get(reverse("core:access-log")).text
    assert "Alex Admin" not in page
    assert AccessEvent.objects.filter(actor=admin).exists()


def test_outsider_gets_404_for_another_persons_job(client, sign_in, outsider, caseworker_a, admin_job):
    for stranger in (outsider, caseworker_a):
        c = client.__class__()
        sign_in(c, stranger)
        for name in ("core:job", "core:job-status", "core:job-download"):
            assert c.get(reverse(name, args=[admin_job.pk])).status_code == 404, (stranger, name)
        assert c.post(reverse("core:cancel-job", args=[admin_job.pk])).status_code == 404
    admin_job.refresh_from_db()
    assert not admin_job.cancel_requested
    assert Job.objects.count() == 1


def test_outsider_cannot_revoke_another_persons_token(client, sign_in, outsider, admin):
    token, _secret = create_api_token(user=admin, name="script")
    sign_in(client, outsider)
    assert client.post(reverse("core:revoke-token", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_outsider_cannot_withdraw_another_partnerships_invitation(client, sign_in, outsider, admin, council):
    from safer.core.services import invite_user

    invitation, _ = invite_user(
        partnership=council.partnership,
        agency=council,
        email="x@oadby.example",
        full_name="X",
        roles=["analyst"],
        invited_by=admin,
    )
    sign_in(client, outsider)
    assert client.post(reverse("core:revoke-invitation", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("analyst", "core:people"),
        ("caseworker_a", "core:people"),
        ("caseworker_a", "core:invite"),
        ("caseworker_b", "core:access-log"),
        ("admin", "core:access-log"),
        ("dpo", "core:people"),
    ],
)
def test_people_without_the_role_get_the_styled_403_page(client, sign_in, request, persona, name):
    user = request.getfixturevalue(persona)
    sign_in(client, user)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text


def test_navigation_shows_only_what_the_roles_allow(client, sign_in, caseworker_a, dpo, admin):
    sign_in(client, caseworker_a)
    page = client.get(reverse("core:home")).text
    assert 'href="/people/"' not in page and 'href="/access-log/"' not in page
    c = client.__class__()
    sign_in(c, dpo)
    page = c.get(reverse("core:home")).text
    assert 'href="/access-log/"' in page and 'href="/people/"' not in page
    c = client.__class__()
    sign_in(c, admin)
    page = c.get(reverse("core:home")).text
    assert 'href="/people/"' in page and 'href="/access-log/"' not in page
