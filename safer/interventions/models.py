"""Risk assessment instruments and assessments, the interventions and powers register, case tasks and
in-app notifications.

Instruments are versioned per partnership: a published version is frozen (its questions, answers, cut-offs and
review intervals cannot change), and editing makes the next version. Assessments, breaches and interventions'
issue facts are append-only history.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from safer.interventions.powers import POWERS, STEPS, PowerKind


class FrozenError(Exception):
    """A published instrument, or a recorded assessment, cannot be changed."""


class Band(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


BAND_ORDER = {Band.STANDARD: 0, Band.MEDIUM: 1, Band.HIGH: 2}


class AssessedRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    PERPETRATOR = "perpetrator", "Perpetrator (vulnerability)"


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "In use"
    RETIRED = "retired", "Replaced by a later version"


class Section(models.TextChoices):
    SCREENING = "screening", "First-call screening"
    MATRIX = "matrix", "Full matrix"


class RiskInstrument(models.Model):
    """One version of a partnership's risk or vulnerability matrix."""

    partnership = models.ForeignKey("core.Partnership", on_delete=models.CASCADE, related_name="risk_instruments")
    key = models.SlugField(max_length=60, help_text="The same for every version of one instrument")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    assesses = models.CharField(max_length=20, choices=AssessedRole.choices)
    status = models.CharField(max_length=20, choices=InstrumentStatus.choices, default=InstrumentStatus.DRAFT)
    description = models.TextField(blank=True)
    source_note = models.TextField(
        blank=True, help_text="Where the questions and cut-offs come from (local configuration, never national rules)"
    )
    medium_from = models.PositiveIntegerField(help_text="A total at or above this is medium")
    high_from = models.PositiveIntegerField(help_text="A total at or above this is high")
    referral_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="A total at or above this prompts a referral to victim support"
    )
    review_days_standard = models.PositiveIntegerField(null=True, blank=True)
    review_days_medium = models.PositiveIntegerField(null=True, blank=True)
    review_days_high = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "-version"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "key", "version"], name="risk_instrument_version_unique"),
            models.CheckConstraint(condition=models.Q(high_from__gt=models.F("medium_from")), name="risk_cutoffs_rise"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = RiskInstrument.objects.filter(pk=self.pk).values_list("published_at", flat=True).first()
            if stored is not None:
                raise FrozenError("A published instrument cannot be changed: edit it to make a new version")
        super().save(*args, **kwargs)

    @property
    def frozen(self) -> bool:
        return self.published_at is not None

    def band_for(self, score: int) -> Band:
        if score >= self.high_from:
            return Band.HIGH
        if score >= self.medium_from:
            return Band.MEDIUM
        return Band.STANDARD

    def review_days(self, band: str) -> int | None:
        days: int | None = {
            Band.STANDARD: self.review_days_standard,
            Band.MEDIUM: self.review_days_medium,
            Band.HIGH: self.review_days_high,
        }[Band(band)]
        return days


class RiskQuestion(models.Model):
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField()
    section = models.CharField(max_length=20, choices=Section.choices, default=Section.MATRIX)
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    weight = models.PositiveIntegerField(default=1, help_text="The answer's score is multiplied by this")

    class Meta:
        ordering: ClassVar[list[str]] = ["instrument", "order"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["instrument", "order"], name="risk_question_order_unique")
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args: Any, **kwargs: Any) -> None:
        if RiskInstrument.objects.filter(pk=self.instrument_id, published_at__isnull=False).exists():
            raise FrozenError("A published instrument cannot be changed: edit it to make a new version")
        super().save(*args, **kwargs)


class RiskAnswer(models.Model):
    question = models.ForeignKey(RiskQuestion, on_delete=models.CASCADE, related_name="answers")
    order = models.PositiveIntegerField()
    label = models.CharField(max_length=200)
    score = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["question", "order"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        if RiskInstrument.objects.filter(questions=self.question_id, published_at__isnull=False).exists():
            raise FrozenError("A published instrument cannot be changed: edit it to make a new version")
        super().save(*args, **kwargs)


class RiskAssessment(models.Model):
    """One assessment of one party on one case. Never edited: a new assessment is the way to change a band."""

    partnership = models.ForeignKey("core.Partnership", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="risk_assessments")
    party = models.ForeignKey("cases.CaseParty", on_delete=models.CASCADE, related_name="risk_assessments")
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.PROTECT, related_name="assessments")
    assessed_as = models.CharField(max_length=20, choices=AssessedRole.choices)
    answers = models.JSONField(
        default=list, help_text="Snapshot: [{question, section, weight, answer, score}] in question order"
    )
    screening_only = models.BooleanField(default=False)
    score = models.PositiveIntegerField()
    scored_band = models.CharField(max_length=20, choices=Band.choices)
    band = models.CharField(max_length=20, choices=Band.choices, help_text="After professional judgement")
    raised_reason = models.TextField(blank=True)
    referral_prompted = models.BooleanField(default=False)
    next_review_on = models.DateField(null=True, blank=True)
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, help_text="One per form shown: a second click saves nothing"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-assessed_at", "-id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["party", "-assessed_at"], name="risk_party_latest")]

    def __str__(self) -> str:
        return f"Risk assessment {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenError("A recorded risk assessment cannot be changed: make a new assessment")
        super().save(*args, **kwargs)

    @property
    def raised(self) -> bool:
        return self.band != self.scored_band


class InterventionStatus(models.TextChoices):
    ACTIVE = "active", "In force"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Outcome(models.TextChoices):
    PENDING = "", "Not yet known"
    RESOLVED = "resolved", "Behaviour stopped (resolved)"
    ESCALATED = "escalated", "Not resolved: moved to the next step"
    NO_FURTHER_ACTION = "nfa", "No further action"


class Intervention(models.Model):
    """One action of the stepped approach: a letter, a contract, a warning, a notice, an order."""

    partnership = models.ForeignKey("core.Partnership", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(max_length=30, choices=[(k.value, p.label) for k, p in POWERS.items()])
    step = models.PositiveSmallIntegerField(choices=list(STEPS.items()))
    subject = models.ForeignKey(
        "cases.CaseParty", on_delete=models.PROTECT, null=True, blank=True, related_name="interventions"
    )
    subject_key = models.CharField(
        max_length=60, blank=True, db_index=True, help_text="The person or business across cases (for CPW → CPN)"
    )
    place = models.CharField(
        max_length=300, blank=True, help_text="Premises or public place, as shown (a copy of the address when linked)"
    )
    address = models.ForeignKey(
        "cases.Address",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The premises, when the place is one of the case's places (closure notices and orders need one)",
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.ACTIVE)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    notes = models.TextField(blank=True)
    issuing_agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    submission_key = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, help_text="One per form shown: a second click saves nothing"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def power(self) -> Any:
        return POWERS[PowerKind(self.kind)]


class Breach(models.Model):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="breaches")
    occurred_on = models.DateField()
    action_taken = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    submission_key = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, help_text="One per form shown: a second click saves nothing"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-occurred_on", "-id"]
        verbose_name_plural = "breaches"

    def __str__(self) -> str:
        return f"Breach {self.pk}"


class TaskSource(models.TextChoices):
    MANUAL = "manual", "Set by a caseworker"
    HIGH_RISK_CONTACT = "high_risk_contact", "Contact a high-risk victim within 24 hours"
    RISK_REVIEW = "risk_review", "Risk review at the band's interval"


class CaseTask(models.Model):
    partnership = models.ForeignKey("core.Partnership", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_tasks")
    due_at = models.DateTimeField()
    source = models.CharField(max_length=30, choices=TaskSource.choices, default=TaskSource.MANUAL)
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_note = models.CharField(max_length=300, blank=True)
    submission_key = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, help_text="One per form shown: a second click saves nothing"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["due_at", "id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["owner", "done_at", "due_at"], name="task_owner_open_due"),
        ]

    def __str__(self) -> str:
        return f"Task {self.pk}"

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()


class Notification(models.Model):
    """An in-app message to one person. Says which case, never who is on it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    partnership = models.ForeignKey("core.Partnership", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(CaseTask, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Notification {self.pk}"
