"""Case documents, letters from the partnership's templates, and the register of subject access requests.

* ``CaseDocument``: a file attached to a case (uploaded, or a letter generated here). The bytes live under
  ``settings.VAR_DIR / "documents" / <partnership id> / <random name>``: outside the web root and never under
  static, so the only way to read them is the download view, which checks the case is visible first.
* ``LetterTemplate`` and ``LetterTemplateVersion``: the partnership's wording for its letters. Editing adds a
  version; letters keep the version they were made from.
* ``SubjectAccessRequest``: the DPO's register, with the one-calendar-month clock and its extension.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safer.cases.models import Case, CaseParty, Person, Sensitivity
from safer.core.models import Agency, Partnership, User

# --- dates for the subject access clock ------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same date ``months`` later; if that month has no such date, its last day (31 Jan + 1 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sar_due_on(received_on: date) -> date:
    """One calendar month from receipt (UK GDPR Art 12(3); ICO: the same date next month, else its last day)."""
    return add_months(received_on, 1)


def sar_latest_extension(received_on: date) -> date:
    """The furthest a deadline may be extended: by two further months, for complex or numerous requests."""
    return add_months(received_on, 3)


def documents_root() -> Path:
    return Path(settings.VAR_DIR) / "documents"


# --- documents --------------------------------------------------------------------------------------------------------


class DocumentSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded"
    LETTER = "letter", "Letter generated from a template"


class CaseDocument(models.Model):
    """A file on a case. Reading it is an export of personal data: each download writes one AccessEvent."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    source = models.CharField(max_length=10, choices=DocumentSource.choices, default=DocumentSource.UPLOAD)
    stored_name = models.CharField(max_length=200, unique=True, help_text="<partnership id>/<random name>")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120, help_text="Decided from the bytes and the name, not the browser")
    kind_label = models.CharField(max_length=40, help_text="e.g. 'PDF', 'Word document'")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    letter_template_version = models.ForeignKey(
        "LetterTemplateVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    recipient = models.ForeignKey(CaseParty, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["-uploaded_at", "-id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["case", "-uploaded_at"], name="document_case_at")]

    def __str__(self) -> str:
        return f"Document {self.pk} on {self.case_id}"

    @property
    def path(self) -> Path:
        return documents_root() / self.stored_name


# --- letters ----------------------------------------------------------------------------------------------------------


class LetterKind(models.TextChoices):
    WARNING = "warning_letter", "Warning letter"
    CPW = "cpw", "Community Protection Warning"
    CLOSURE = "case_closure", "Case closure letter"
    VICTIM_UPDATE = "victim_update", "Update to the victim"
    OTHER = "other", "Other letter"


class LetterTemplate(models.Model):
    """One letter the partnership sends, with its wording in versions (the latest is used for new letters)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="letter_templates")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    is_local_example = models.BooleanField(
        default=False, help_text="A default the system wrote: the partnership should edit it before use"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "name"], name="letter_template_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> LetterTemplateVersion:
        version = self.versions.order_by("-number").first()
        assert version is not None, "a template always has a version"
        return version


class LetterTemplateVersion(models.Model):
    """The wording of a template at one time. Never changed: an edit adds the next number."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["template", "number"], name="letter_template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


# --- subject access ---------------------------------------------------------------------------------------------------


class SarStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REFUSED = "refused", "Refused (manifestly unfounded or excessive)"


OPEN_SAR_STATUSES = (SarStatus.RECEIVED, SarStatus.IN_PROGRESS)


class SubjectAccessRequest(models.Model):
    """One request for a copy of everything held about a person, with its statutory clock."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="subject_access_requests")
    reference = models.CharField(max_length=24)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requester_name = models.CharField(
        "name of the person the request is about", max_length=200, help_text="As written in the request"
    )
    requester_date_of_birth = models.DateField(null=True, blank=True)
    received_on = models.DateField()
    due_on = models.DateField()
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extension_told_on = models.DateField(null=True, blank=True, help_text="When the requester was told")
    status = models.CharField(max_length=20, choices=SarStatus.choices, default=SarStatus.RECEIVED)
    completed_on = models.DateField(null=True, blank=True)
    handled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["due_on", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="sar_reference_unique"),
            models.CheckConstraint(condition=Q(due_on__gt=models.F("received_on")), name="sar_due_after_receipt"),
            models.CheckConstraint(
                condition=Q(extended_to__isnull=True) | Q(extended_to__gt=models.F("due_on")),
                name="sar_extension_after_due",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def deadline(self) -> date:
        return self.extended_to or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SAR_STATUSES

    def flag(self, today: date | None = None) -> str:
        """ "overdue", "due_soon" (within 7 days) or "" for a request still open."""
        today = today or timezone.localdate()
        if not self.is_open:
            return ""
        if self.deadline < today:
            return "overdue"
        if (self.deadline - today).days <= 7:
            return "due_soon"
        return ""


# --- retention review -------------------------------------------------------------------------------------------------


class RetentionChoice(models.TextChoices):
    KEEP = "keep", "Kept"
    ERASE = "erase", "Personal data erased"


class RetentionDecision(models.Model):
    """The DPO's register of retention reviews: one row per decision on a closed case whose review date came.

    "Keep" moves the case's review date on. "Erase" removes the case's personal data and leaves the case row as an
    anonymised statistical stub (reference, type, dates, outcome, ward); a case is erased when it has an erase row.
    ``erased`` holds how many records of each kind went, never what they said.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="retention_decisions")
    decision = models.CharField(max_length=10, choices=RetentionChoice.choices)
    reason = models.TextField()
    review_was_on = models.DateField(null=True, blank=True, help_text="The review date that brought the case up")
    next_review_on = models.DateField(null=True, blank=True, help_text="Keep: the new review date")
    erased = models.JSONField(default=dict, blank=True, help_text="Erase: how many of each kind of record went")
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by_agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-decided_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=~Q(reason=""), name="retention_decision_has_reason"),
            models.CheckConstraint(
                condition=Q(decision="erase") | Q(next_review_on__isnull=False), name="retention_keep_has_date"
            ),
            models.UniqueConstraint(fields=["case"], condition=Q(decision="erase"), name="retention_case_erased_once"),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "-decided_at"], name="retention_partnership_at"),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.case_id} {self.decided_at:%Y-%m-%d}"
