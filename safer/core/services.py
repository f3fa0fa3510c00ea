"""Every write for partnerships, agencies, people, tokens and jobs: atomic, audited."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from safer.core.audit import record_access, record_account_event
from safer.core.models import (
    AccessAction,
    Agency,
    AgencyKind,
    ApiToken,
    Invitation,
    Job,
    JobStatus,
    Membership,
    Partnership,
    Role,
    RoleGrant,
    User,
    UserSession,
    hash_secret,
    validate_lad_codes,
)


class ServiceError(Exception):
    """A request that cannot be carried out; the message is shown to the person as it is."""


class InputError(ServiceError):
    """What was entered cannot be saved: one message per field, named as on the form (``__all__`` for the form as a
    whole), so the page can put each message by its field. Nothing was saved."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


def validate_roles(roles: Iterable[str]) -> list[str]:
    valid = set(Role.values)
    cleaned = []
    for role in roles:
        if role not in valid:
            raise ServiceError(f"Unknown role {role!r}. Choose from: {', '.join(Role.values)}")
        cleaned.append(role)
    return sorted(set(cleaned))


@transaction.atomic
def create_partnership(*, name: str, lad_codes: list[str], actor: User | None = None) -> Partnership:
    validate_lad_codes(lad_codes)
    slug = slugify(name)[:80] or "partnership"
    if Partnership.objects.filter(name=name).exists():
        raise ServiceError(f"A partnership called {name!r} already exists")
    base, n = slug, 2
    while Partnership.objects.filter(slug=slug).exists():
        slug = f"{base[:75]}-{n}"
        n += 1
    partnership = Partnership.objects.create(name=name, slug=slug, lad_codes=lad_codes)
    record_access(
        action=AccessAction.CREATE,
        actor=actor,
        partnership=partnership,
        object_type="partnership",
        object_id=partnership.pk,
    )
    return partnership


@transaction.atomic
def add_agency(*, partnership: Partnership, name: str, kind: str, actor: User | None = None) -> Agency:
    if kind not in AgencyKind.values:
        raise ServiceError(f"Unknown agency type {kind!r}. Choose from: {', '.join(AgencyKind.values)}")
    if Agency.objects.filter(partnership=partnership, name=name).exists():
        raise ServiceError(f"{partnership.name} already has an agency called {name!r}")
    agency = Agency.objects.create(partnership=partnership, name=name, kind=kind)
    record_access(
        action=AccessAction.CREATE, actor=actor, partnership=partnership, object_type="agency", object_id=agency.pk
    )
    return agency


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("core:accept-invitation", args=[token])


@transaction.atomic
def invite_user(
    *,
    partnership: Partnership,
    agency: Agency,
    email: str,
    full_name: str,
    roles: Iterable[str],
    invited_by: User | None,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Create a one-time invitation and e-mail its link. Returns the invitation and the link."""
    if agency.partnership_id != partnership.pk:
        raise ServiceError("That agency is not part of this partnership")
    email = email.strip().lower()
    role_list = validate_roles(roles)
    if not role_list:
        raise ServiceError("Select at least one role")
    existing = User.objects.filter(email__iexact=email).first()
    if existing and Membership.objects.filter(user=existing, agency=agency).exists():
        raise ServiceError("That person is already a member of this agency")
    # A fresh invitation replaces any earlier one to the same address in this partnership.
    Invitation.objects.pending().filter(partnership=partnership, email=email).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        partnership=partnership,
        agency=agency,
        email=email,
        full_name=full_name.strip(),
        roles=role_list,
        token_hash=hash_secret(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    link = invitation_link(token)
    body = render_to_string(
        "core/email/invitation.txt",
        {"invitation": invitation, "link": link, "days": settings.INVITATION_DAYS},
    )
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You have been invited to {partnership.name}",
            message=body,
            from_email=None,
            recipient_list=[email],
        )
    )
    record_access(
        action=AccessAction.CREATE,
        actor=invited_by,
        partnership=partnership,
        object_type="invitation",
        object_id=invitation.pk,
        request=request,
    )
    return invitation, link


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.pending()
        .select_related("partnership", "agency")
        .filter(token_hash=hash_secret(token))
        .first()
    )


@transaction.atomic
def accept_invitation(*, token: str, password: str) -> User:
    """Turn a pending invitation into a person with a password, a membership and roles. Single use."""
    invitation = Invitation.objects.pending().select_for_update().filter(token_hash=hash_secret(token)).first()
    if invitation is None:
        raise ServiceError(
            "This invitation link has expired or has already been used. Ask your administrator for a new one."
        )
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(username=invitation.email, email=invitation.email, full_name=invitation.full_name)
        user.set_password(password)
        user.save()
    elif not user.is_active:
        raise ServiceError("This account has been disabled. Ask your administrator.")
    membership, _ = Membership.objects.get_or_create(user=user, agency=invitation.agency)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    for role in invitation.roles:
        RoleGrant.objects.get_or_create(
            user=user, partnership=invitation.partnership, role=role, defaults={"granted_by": invitation.invited_by}
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    record_access(
        action=AccessAction.CHANGE,
        actor=user,
        partnership=invitation.partnership,
        agency=invitation.agency,
        object_type="invitation",
        object_id=invitation.pk,
        detail="accepted",
    )
    return user


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, actor: User, request: HttpRequest | None = None) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=invitation.partnership,
        object_type="invitation",
        object_id=invitation.pk,
        detail="revoked",
        request=request,
    )


@transaction.atomic
def set_roles(
    *, partnership: Partnership, user: User, roles: Iterable[str], actor: User, request: HttpRequest | None = None
) -> list[str]:
    role_list = validate_roles(roles)
    if user.pk == actor.pk and Role.PARTNERSHIP_ADMIN not in role_list:
        raise ServiceError("You cannot remove your own partnership admin role. Ask another admin to do it.")
    if (
        Role.PARTNERSHIP_ADMIN not in role_list
        and not RoleGrant.objects.filter(partnership=partnership, role=Role.PARTNERSHIP_ADMIN, user__is_active=True)
        .exclude(user=user)
        .exists()
    ):
        raise ServiceError("A partnership must keep at least one partnership admin")
    current = set(RoleGrant.objects.filter(user=user, partnership=partnership).values_list("role", flat=True))
    for role in current - set(role_list):
        for grant in RoleGrant.objects.filter(user=user, partnership=partnership, role=role):
            grant.delete()  # per row, so the change history records each removal
    for role in set(role_list) - current:
        RoleGrant.objects.create(user=user, partnership=partnership, role=role, granted_by=actor)
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=partnership,
        object_type="user",
        object_id=user.pk,
        detail="roles: " + ", ".join(role_list),
        request=request,
    )
    return role_list


def end_sessions(user: User) -> int:
    """End every session of a person at once."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def disable_user(*, partnership: Partnership, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """Take a person out of a partnership. If they belong to no other partnership, the account is disabled.

    Either way, every session of theirs ends at once.
    """
    if user.pk == actor.pk:
        raise ServiceError("You cannot disable your own account")
    for membership in Membership.objects.filter(user=user, agency__partnership=partnership, is_active=True):
        membership.is_active = False
        membership.save(update_fields=["is_active"])
    if not Membership.objects.filter(user=user, is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    end_sessions(user)
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=partnership,
        object_type="user",
        object_id=user.pk,
        detail="disabled",
        request=request,
    )


@transaction.atomic
def enable_user(*, partnership: Partnership, user: User, actor: User, request: HttpRequest | None = None) -> None:
    for membership in Membership.objects.filter(user=user, agency__partnership=partnership, is_active=False):
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=partnership,
        object_type="user",
        object_id=user.pk,
        detail="enabled",
        request=request,
    )


def remember_session(user: User, session_key: str) -> None:
    UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


@transaction.atomic
def choose_partnership(*, user: User, partnership_id: int) -> Partnership:
    """The partnership a person chose to work in, remembered on their account: their next sign-in starts there
    (``CurrentPartnershipMiddleware``), while they are still a member of it."""
    partnership = user.partnerships().filter(pk=partnership_id).first()
    if partnership is None:
        raise InputError({"partnership": "Select one of the partnerships you work in"})
    User.objects.filter(pk=user.pk).update(last_partnership=partnership)
    user.last_partnership = partnership
    return partnership


# Two-factor authentication -------------------------------------------------------------------------


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the person to scan; any earlier unconfirmed one is replaced."""
    existing = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if existing is not None:
        return existing
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str, request: HttpRequest | None) -> bool:
    if device.user_id != user.pk or device.confirmed:
        return False
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise ServiceError("Wait a few seconds, then enter the newest code your app shows")
    if not device.verify_token(token):
        record_account_event(action=AccessAction.MFA_FAILED, account=user, actor=user, request=request)
        return False
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    record_account_event(action=AccessAction.MFA_ENROLLED, account=user, actor=user, request=request)
    return True


@transaction.atomic
def reset_two_factor(*, partnership: Partnership, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """Remove a person's authenticator (lost phone); they enrol again at their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    end_sessions(user)
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=partnership,
        object_type="user",
        object_id=user.pk,
        detail="two-factor reset",
        request=request,
    )


# API tokens ----------------------------------------------------------------------------------------

TOKEN_PREFIX = "sc_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def create_api_token(*, user: User, name: str, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """Create a token; the returned secret is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError("Enter a name for the token")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10], token_hash=hash_secret(secret))
    record_access(action=AccessAction.CREATE, actor=user, object_type="api_token", object_id=token.pk, request=request)
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        detail="revoked",
        request=request,
    )


def user_for_api_token(secret: str) -> User | None:
    """The active person a token belongs to, or None. Marks the token as used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# Background jobs -----------------------------------------------------------------------------------


@transaction.atomic
def create_job(*, partnership: Partnership, user: User, kind: str, title: str, parameters: dict[str, object]) -> Job:
    return Job.objects.create(partnership=partnership, created_by=user, kind=kind, title=title, parameters=parameters)


@transaction.atomic
def request_job_cancel(*, job: Job) -> None:
    if not job.is_finished:
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        if job.status == JobStatus.QUEUED:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.CANCELLED, finished_at=timezone.now(), message="Cancelled before it started"
            )


def record_task_id(*, job: Job, task_result_id: str) -> None:
    Job.objects.filter(pk=job.pk).update(task_result_id=task_result_id)
