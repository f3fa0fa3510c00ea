"""Partnerships, agencies, people and roles; the access log and refused requests; API tokens; background jobs."""

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
    last_partnership = models.ForeignKey(
        "Partnership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partnership they last chose to work in: where they start at their next sign-in, while they "
        "are still a member of it",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login", "last_partnership"])

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
    # The tamper-evident chain (safer.core.access_chain): each partnership's events, and the events of no
    # partnership, form one chain each, numbered from 1; ``hash`` covers the fields above and ``prev_hash``, the
    # ``hash`` of the event before it in the same chain.
    seq = models.PositiveBigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "-at"], name="access_partnership_at"),
            models.Index(fields=["partnership", "actor", "-at"], name="access_partnership_actor_at"),
            models.Index(fields=["partnership", "action", "-at"], name="access_partnership_action_at"),
            models.Index(fields=["object_type", "object_id"], name="access_object"),
        ]
        constraints: ClassVar[list[Any]] = [
            # One event per place in a chain; also the index that finds a chain's head and walks it in order.
            models.UniqueConstraint(
                fields=["partnership", "seq"], condition=Q(partnership__isnull=False), name="access_chain_seq"
            ),
            models.UniqueConstraint(
                fields=["seq"], condition=Q(partnership__isnull=True), name="access_chain_seq_no_partnership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only: events cannot be changed.")
        if not self.hash:
            raise PermissionError("Append access events with safer.core.audit.record_access, which chains them.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only: events cannot be deleted.")


class AccessRefusal(models.Model):
    """A request for a page or API answer that serves personal data, refused (403) or not found (404) for the person.

    It says who asked, for which record, when and from where; never any personal data (the path has no query string,
    and the record is named by type and id). Written by ``safer.core.refusals`` for the URLs registered there.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300, help_text="Without the query string")
    url_name = models.CharField(max_length=100)
    record_type = models.CharField(max_length=40, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField()
    by_api_token = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "-at"], name="refusal_partnership_at"),
            models.Index(fields=["partnership", "user", "-at"], name="refusal_partnership_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.status} {self.url_name} {self.record_type} {self.record_id}"


class RefusalAlert(models.Model):
    """One person crossed the refusal threshold in a partnership: its DPOs were e-mailed and see a banner."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    refusals = models.PositiveIntegerField(help_text="How many refusals within the window when it was raised")
    window_minutes = models.PositiveIntegerField()

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "user", "-at"], name="refusal_alert_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.refusals} refusals in {self.window_minutes} minutes"


class ChainBreakKind(models.TextChoices):
    ALTERED = "altered", "Changed after it was written"
    MISSING = "missing", "Events missing"
    REORDERED = "reordered", "Events out of order"
    REPLACED = "replaced", "Replaced or rewritten"


class AccessLogVerification(models.Model):
    """One check of one chain of the access log (``manage.py verify_access_log`` or the DPO's button).

    Append-only like the log: the run-time database role may only read and add rows. An intact check is the anchor
    the next one compares against, so events cut from the end of a chain, or a chain rewritten since, are found.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(default=timezone.now)
    events = models.PositiveBigIntegerField(help_text="Events walked")
    intact = models.BooleanField()
    # The last event walked (intact up to it, when intact).
    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    # The first break, when not intact.
    break_event_id = models.BigIntegerField(null=True, blank=True)
    break_kind = models.CharField(max_length=20, choices=ChainBreakKind.choices, blank=True)
    message = models.CharField(max_length=500, blank=True, help_text="What is wrong at the first break")

    class Meta:
        ordering: ClassVar[list[str]] = ["-finished_at", "-id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "-finished_at"], name="access_verification_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} {'intact' if self.intact else 'broken'}"


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
    def done_text(self) -> str:
        """The "Done" line of the progress page (and of its polling): "40%: 400 of 1,000 rows", or, when the total is
        not known (yet), the rows done without a total, never "0 of rows"."""
        if self.rows_total is not None:
            return f"{self.percent}%: {self.rows_done:,} of {self.rows_total:,} rows"
        if self.status == JobStatus.QUEUED:
            return "Not started yet"
        if self.is_finished:
            return f"{self.rows_done:,} {'row' if self.rows_done == 1 else 'rows'}"
        return f"{self.rows_done:,} {'row' if self.rows_done == 1 else 'rows'} so far (the total is not known yet)"

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL_STATUSES
