"""Partnerships, agencies, people and roles; the access log; API tokens; background-job progress."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    PARTNERSHIP_ADMIN = "partnership_admin", "Partnership admin"
    ANALYST = "analyst", "Analyst"
    CASEWORKER = "caseworker", "Caseworker"
    MEETING_CHAIR = "meeting_chair", "Meeting chair"
    MANAGER = "manager", "Manager or board member"
    DPO = "dpo", "Data protection officer"


class AgencyKind(models.TextChoices):
    COUNCIL = "council", "Council"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue"
    PROBATION = "probation", "Probation"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    EDUCATION = "education", "Education"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OPCC = "opcc", "Police and Crime Commissioner"
    OTHER = "other", "Other"


def validate_lad_codes(value: list[str]) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Enter at least one local authority district code, like E07000135")
    for code in value:
        if not isinstance(code, str) or len(code) != 9 or code[0] not in "EWSN" or not code[1:].isdigit():
            raise ValidationError(
                f"{code!r} is not a local authority district code. Enter a 9-character ONS code, like E07000135"
            )


class Partnership(models.Model):
    """A Community Safety Partnership: the tenant. Everything belongs to exactly one."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    lad_codes = models.JSONField(
        default=list,
        validators=[validate_lad_codes],
        help_text="ONS local authority district codes the partnership covers",
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A member agency of a partnership (the council, the police, the fire service…)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name_plural = "agencies"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "name"], name="agency_name_unique_in_partnership")
        ]

    def __str__(self) -> str:
        return self.name


class SaferUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A person who signs in. The e-mail address is the sign-in name."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects: ClassVar[SaferUserManager] = SaferUserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username", "full_name"]

    class Meta:
        ordering: ClassVar[list[str]] = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def partnerships(self) -> models.QuerySet[Partnership]:
        return Partnership.objects.filter(
            agencies__memberships__user=self, agencies__memberships__is_active=True
        ).distinct()


class Membership(models.Model):
    """A person works for an agency. A person may belong to several agencies."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.agency_id}"


class RoleGrant(models.Model):
    """A role a person holds in a partnership (roles are partnership-wide, data stays agency-owned)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "partnership", "role"], name="role_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} in {self.partnership_id}"


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy random secret (invitation links, API tokens). Never store the secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link that lets a new person set their password and join an agency with given roles."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    roles = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"


class UserSession(models.Model):
    """Which sessions belong to whom, so disabling a person ends every session of theirs at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Session of user {self.user_id}"


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    SHARE = "share", "Shared"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGN_OUT = "sign_out", "Signed out"
    MFA_ENROLLED = "mfa_enrolled", "Set up two-factor authentication"
    MFA_FAILED = "mfa_failed", "Failed two-factor code"
    ACCESS_DENIED = "access_denied", "Access refused"


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The access log is append-only: events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only: events cannot be deleted.")


class AccessEvent(models.Model):
    """One line of the append-only access log: who did what to which record, why, when, from where.

    It names objects by type and id only; it never holds the personal data itself.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="What was done, never personal data")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.UUIDField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "-at"], name="access_partnership_at"),
            models.Index(fields=["partnership", "actor", "-at"], name="access_partnership_actor_at"),
            models.Index(fields=["partnership", "action", "-at"], name="access_partnership_action_at"),
            models.Index(fields=["object_type", "object_id"], name="access_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only: events cannot be deleted.")


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is kept; the token is shown once when made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise the token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL_STATUSES = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: User, partnership: Partnership) -> JobQuerySet:
        return self.filter(partnership=partnership, created_by=user)


class Leased(models.Model):
    """Work some process is doing now: which process (``owner_host``, ``owner_pid``; empty once the work has ended)
    and when it last said it was still at it (``heartbeat_at``). A process that was killed leaves its lease behind;
    ``core.jobs.recover_interrupted`` finds such leases and has the work's app tidy what it left."""

    owner_host = models.CharField(max_length=200, blank=True, help_text="The machine of the process doing the work")
    owner_pid = models.PositiveIntegerField(
        null=True, blank=True, help_text="Its process id while the work is under way; empty once it has ended"
    )
    heartbeat_at = models.DateTimeField(default=timezone.now, help_text="When the work last reported progress")

    class Meta:
        abstract = True


class Job(Leased):
    """Progress of one piece of background work (an import, a report build, an export).

    The task updates ``rows_done``/``rows_total``/``errors``; the page polls it; the person can cancel.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    errors = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    cancel_requested = models.BooleanField(default=False)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(rows_total__isnull=True) | Q(rows_total__gte=0), name="job_rows_total_non_negative"
            )
        ]
        indexes: ClassVar[list[Any]] = [
            # The few jobs under way, found on every job page view by the sweep for interrupted work.
            models.Index(fields=["owner_pid"], condition=Q(owner_pid__isnull=False), name="job_under_way"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL_STATUSES
