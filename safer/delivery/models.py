"""The annual Delivery Plan: tactical actions under the strategic plan's priorities, their SMART measures,
milestones and budgets; the quarterly monitoring returns (owner submits, chair agrees); equality impact
assessments; compliance links to partners' plans.

A published delivery plan is frozen: its actions, measures and budgets no longer change (quarterly returns go on).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from safer.core.models import Agency, Partnership, User

FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def validate_financial_year(value: str) -> None:
    match = FINANCIAL_YEAR.match(value or "")
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValidationError(f"{value!r} is not a financial year. Enter it like 2024-25")


class DeliveryPlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class DeliveryPlan(models.Model):
    """One financial year's tactical actions under a strategic plan."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="delivery_plans")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="delivery_plans")
    financial_year = models.CharField(max_length=7, validators=[validate_financial_year])
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=DeliveryPlanStatus.choices, default=DeliveryPlanStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-financial_year", "-version"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["partnership", "financial_year", "version"], name="delivery_plan_year_version_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.status == DeliveryPlanStatus.PUBLISHED

    @property
    def first_year(self) -> int:
        return int(self.financial_year[:4])


class SaraStage(models.TextChoices):
    SCANNING = "scanning", "Scanning"
    ANALYSIS = "analysis", "Analysis"
    RESPONSE = "response", "Response"
    ASSESSMENT = "assessment", "Assessment"


class TacticalAction(models.Model):
    delivery_plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=10, help_text="Like 1.3: the priority's number, then the action's")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    priorities = models.ManyToManyField("plans.Priority", related_name="tactical_actions")
    pillars = models.ManyToManyField(
        "plans.Tag", blank=True, related_name="tactical_actions", help_text="Key areas, pillars and themes"
    )
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_actions")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_actions")
    partner_agencies = models.ManyToManyField(Agency, blank=True, related_name="partner_actions")
    other_partners = models.CharField(max_length=300, blank=True, help_text="Partners not in the system")
    task_group = models.ForeignKey(
        "plans.DeliveryGroup",
        verbose_name="Task and Finish group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tactical_actions",
    )
    sara_stage = models.CharField(max_length=20, choices=SaraStage.choices, default=SaraStage.SCANNING)
    scanning = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    response = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    local_need = models.TextField("Evidence of local need", blank=True)
    provider = models.CharField("Commissioned provider", max_length=200, blank=True)
    sla = models.TextField("Service level agreement", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[priorities])

    class Meta:
        ordering: ClassVar[list[str]] = ["delivery_plan", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["delivery_plan", "reference"], name="action_reference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def sort_key(self) -> tuple[int | str, ...]:
        return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\s]+", self.reference))


class FundingSource(models.TextChoices):
    PCC = "pcc", "PCC grant"
    COUNCIL = "council", "Council"
    OTHER = "other", "Other"


class BudgetLine(models.Model):
    action = models.ForeignKey(TacticalAction, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(max_length=20, choices=FundingSource.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["action", "source", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} £{self.amount:,.2f}"


class MeasureKind(models.TextChoices):
    QUANTITATIVE = "quantitative", "Quantitative (a number against a target)"
    QUALITATIVE = "qualitative", "Qualitative (a description of what changed)"


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class Accumulation(models.TextChoices):
    SUM = "sum", "Add the quarters up (a count in the year)"
    LATEST = "latest", "The latest quarter's figure (a level, like a percentage)"


class PerformanceMeasure(models.Model):
    """A SMART performance measure of one action."""

    action = models.ForeignKey(TacticalAction, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=MeasureKind.choices, default=MeasureKind.QUANTITATIVE)
    unit = models.CharField(max_length=60, blank=True, help_text="Like sessions, people or %")
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.UP)
    accumulation = models.CharField(max_length=10, choices=Accumulation.choices, default=Accumulation.SUM)
    feeds = models.ForeignKey(
        "plans.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The strategic measure each agreed quarterly figure is entered into",
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["action", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_quantitative(self) -> bool:
        return self.kind == MeasureKind.QUANTITATIVE


class Milestone(models.Model):
    action = models.ForeignKey(TacticalAction, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_on = models.DateField()
    done = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["action", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


RAG_MEANING = {
    Rag.GREEN: "On track: no issues",
    Rag.AMBER: "Issues or risks identified: needs the Partnership's attention",
    Rag.RED: "Significantly off track: needs intervention or extra resources",
}


class MonitoringQuarter(models.Model):
    """A quarter opened for monitoring: every action's owner was tasked with a return."""

    delivery_plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="quarters")
    quarter = models.PositiveSmallIntegerField(choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    due_on = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["delivery_plan", "quarter"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["delivery_plan", "quarter"], name="monitoring_quarter_unique")
        ]

    def __str__(self) -> str:
        return f"Q{self.quarter}"


class ReturnStatus(models.TextChoices):
    TASK_SENT = "task_sent", "Waiting for the owner"
    SUBMITTED = "submitted", "Submitted: waiting for the chair"
    AGREED = "agreed", "Agreed by the chair"


class QuarterlyReturn(models.Model):
    """An action owner's quarterly monitoring return, and the chair's agreement of it."""

    action = models.ForeignKey(TacticalAction, on_delete=models.CASCADE, related_name="returns")
    quarter = models.PositiveSmallIntegerField()
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="delivery_returns")
    status = models.CharField(max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.TASK_SENT)
    progress = models.TextField(blank=True)
    proposed_rag = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    rag_reason = models.TextField(blank=True)
    barriers = models.TextField(blank=True)
    mitigations = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agreed_rag = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    chair_comment = models.TextField(blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["quarter", "action"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["action", "quarter"], name="return_action_quarter_unique")
        ]

    def __str__(self) -> str:
        return f"Q{self.quarter} return for action {self.action_id}"

    @property
    def rag(self) -> str:
        """The RAG that counts: the chair's once agreed, else the owner's proposal."""
        return self.agreed_rag or self.proposed_rag


class MeasureReading(models.Model):
    """A measure's value in one quarterly return: a number for quantitative measures, words for qualitative."""

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="readings")
    measure = models.ForeignKey(PerformanceMeasure, on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["quarterly_return", "measure"], name="reading_unique")
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} in return {self.quarterly_return_id}"


class Spend(models.Model):
    """Spend in the quarter against one budget line."""

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="spends")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="spends")
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    history = HistoricalRecords()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["quarterly_return", "budget_line"], name="spend_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="spend_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,.2f}"


class ProtectedCharacteristic(models.TextChoices):
    """The nine protected characteristics of the Equality Act 2010."""

    AGE = "age", "Age"
    DISABILITY = "disability", "Disability"
    GENDER_REASSIGNMENT = "gender_reassignment", "Gender reassignment"
    MARRIAGE = "marriage", "Marriage and civil partnership"
    PREGNANCY = "pregnancy", "Pregnancy and maternity"
    RACE = "race", "Race"
    RELIGION = "religion", "Religion or belief"
    SEX = "sex", "Sex"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"


class EqualityOutcome(models.TextChoices):
    NO_CHANGE = "no_change", "No major change needed"
    ADJUST = "adjust", "Adjust the plan or action"
    CONTINUE = "continue", "Continue despite an adverse impact (justified)"
    STOP = "stop", "Stop and remove the plan or action"


class EqualityImpact(models.Model):
    """An equality impact assessment of the delivery plan as a whole (no action) or of one action."""

    delivery_plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="equality_impacts")
    action = models.OneToOneField(
        TacticalAction, on_delete=models.CASCADE, null=True, blank=True, related_name="equality_impact"
    )
    characteristics = models.JSONField(default=list)
    impacts = models.TextField()
    mitigations = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=EqualityOutcome.choices, default=EqualityOutcome.NO_CHANGE)
    assessed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assessed_on = models.DateField(default=timezone.localdate)
    history = HistoricalRecords()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["delivery_plan"], condition=models.Q(action__isnull=True), name="one_plan_eia"
            )
        ]

    def __str__(self) -> str:
        return f"Equality impact of {'action ' + str(self.action_id) if self.action_id else 'the plan'}"


class ComplianceLink(models.Model):
    """An action contributes to a partner plan's objective (the compliance check of the Delivery Plan)."""

    action = models.ForeignKey(TacticalAction, on_delete=models.CASCADE, related_name="compliance_links")
    objective = models.ForeignKey("plans.PartnerObjective", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["action", "objective"], name="compliance_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action_id} → {self.objective_id}"


class DeliveryImport(models.Model):
    """An Excel upload of an existing delivery plan: all rows land, or none and each problem is listed."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField("core.Job", on_delete=models.CASCADE, related_name="delivery_import")
    file_name = models.CharField(max_length=200)
    stored_file = models.CharField(max_length=300)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="+")
    financial_year = models.CharField(max_length=7)
    errors = models.JSONField(default=list, blank=True)
    delivery_plan = models.ForeignKey(DeliveryPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file_name
