"""A partnership admin invites people, changes roles, disables and re-enables them."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from safer.core.models import AccessEvent, Invitation, Membership, Role, RoleGrant, User, UserSession
from safer.core.tests.factories import TEST_PASSWORD


def invite(client, council, email="new.person@oadby.example", roles=("caseworker",)):
    return client.post(
        reverse("core:invite"),
        {"full_name": "New Person", "email": email, "agency": str(council.pk), "roles": list(roles)},
    )


@pytest.mark.django_db(transaction=True)
def test_invitation_email_carries_a_one_time_link_that_creates_the_account(client, sign_in, admin, council):
    sign_in(client, admin)
    response = invite(client, council)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@oadby.example"]
    assert "Oadby and Wigston CSP" in message.subject
    assert "&amp;" not in message.body
    link = re.search(r"http://\S+/invitations/(\S+)", str(message.body))
    assert link is not None
    token = link.group(1)
    # Only a hash of the token is stored.
    assert not Invitation.objects.filter(token_hash=token).exists()

    visitor = client.__class__()
    page = visitor.get(reverse("core:accept-invitation", args=[token]))
    assert "Create your account" in page.text
    short = visitor.post(
        reverse("core:accept-invitation", args=[token]), {"password": "short", "password_again": "short"}
    )
    assert "Enter a password that is at least 12 characters long" in short.text
    done = visitor.post(
        reverse("core:accept-invitation", args=[token]),
        {"password": "a long enough pass phrase", "password_again": "a long enough pass phrase"},
    )
    assert done.status_code == 302
    assert done["Location"].startswith(reverse("core:two-factor-setup"))
    user = User.objects.get(email="new.person@oadby.example")
    assert user.password.startswith(("argon2", "md5"))  # the test hasher list puts MD5 first for speed
    assert Membership.objects.filter(user=user, agency=council, is_active=True).exists()
    assert set(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == {"caseworker"}

    again = client.__class__().get(reverse("core:accept-invitation", args=[token]))
    assert again.status_code == 404
    assert "This invitation link is not valid" in again.text


def test_invite_form_errors_say_what_to_do(client, sign_in, admin):
    sign_in(client, admin)
    response = client.post(reverse("core:invite"), {})
    assert response.status_code == 200
    for message in [
        "Enter the person&#39;s full name",
        "Enter the person&#39;s work email address",
        "Select the agency the person works for",
        "Select at least one role",
    ]:
        assert message in response.text
    assert "There is a problem" in response.text
    assert response.text.count('href="#id_') >= 4  # the summary links to each field


def test_invite_to_an_agency_of_another_partnership_is_refused(client, sign_in, admin, other_council):
    sign_in(client, admin)
    response = invite(client, other_council)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Invitation.objects.exists()


def test_changing_roles_is_recorded(client, sign_in, admin, caseworker_a, partnership):
    sign_in(client, admin)
    response = client.post(reverse("core:person", args=[caseworker_a.pk]), {"roles": ["caseworker", "meeting_chair"]})
    assert response.status_code == 302
    assert set(RoleGrant.objects.filter(user=caseworker_a).values_list("role", flat=True)) == {
        "caseworker",
        "meeting_chair",
    }
    event = AccessEvent.objects.filter(object_type="user", object_id=str(caseworker_a.pk)).first()
    assert event is not None and event.actor == admin and "meeting_chair" in event.detail
    # The change history keeps who granted the role.
    grant = RoleGrant.objects.get(user=caseworker_a, role="meeting_chair")
    assert grant.history.first().history_user == admin


def test_the_last_admin_cannot_remove_their_own_admin_role(client, sign_in, admin):
    sign_in(client, admin)
    response = client.post(reverse("core:person", args=[admin.pk]), {"roles": ["analyst"]})
    assert response.status_code == 200
    assert "You cannot remove your own partnership admin role" in response.text
    assert RoleGrant.objects.filter(user=admin, role=Role.PARTNERSHIP_ADMIN).exists()


def test_disabling_a_person_ends_their_sessions_at_once(client, sign_in, admin, caseworker_a):
    worker_client = client.__class__()
    sign_in(worker_client, caseworker_a)
    assert worker_client.get(reverse("core:home")).status_code == 200
    assert UserSession.objects.filter(user=caseworker_a).count() == 1

    sign_in(client, admin)
    response = client.post(reverse("core:disable-person", args=[caseworker_a.pk]))
    assert response.status_code == 302
    caseworker_a.refresh_from_db()
    assert not caseworker_a.is_active
    assert not UserSession.objects.filter(user=caseworker_a).exists()
    assert not Session.objects.filter(session_key=worker_client.session.session_key).exists()

    after = worker_client.get(reverse("core:home"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("core:sign-in"))
    again = client.__class__().post(
        reverse("core:sign-in"), {"username": caseworker_a.email, "password": TEST_PASSWORD}
    )
    assert "Enter a correct email address and password" in again.text

    client.post(reverse("core:enable-person", args=[caseworker_a.pk]))
    caseworker_a.refresh_from_db()
    assert caseworker_a.is_active


def test_an_admin_cannot_disable_themself(client, sign_in, admin):
    sign_in(client, admin)
    client.post(reverse("core:disable-person", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.is_active


def test_adding_an_agency(client, sign_in, admin, partnership):
    sign_in(client, admin)
    response = client.post(reverse("core:add-agency"), {"name": "Leicestershire Fire and Rescue", "kind": "fire"})
    assert response.status_code == 302
    assert partnership.agencies.filter(name="Leicestershire Fire and Rescue", kind="fire").exists()
    duplicate = client.post(reverse("core:add-agency"), {"name": "Leicestershire Fire and Rescue", "kind": "fire"})
    assert "already has an agency called" in duplicate.text
