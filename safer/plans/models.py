"""Strategy and performance: the partnership plan, its priorities, measures, targets and the values that feed them.

The shape (for the delivery app and anyone else reading these tables):

- ``Plan`` — a partnership plan for a period (e.g. 2021-24) with vision, mission and principles. A *published* plan is
  frozen: ``safer.plans.services`` refuses to change it or its priorities; a change starts a new version with
  ``services.copy_plan`` (``copied_from`` points at the version it came from, ``version`` counts up).
- ``Tag`` — a plan's cross-cutting themes, key areas and pillars (Engage / Equip / Empower, Education / Prevention and
  Diversion / Reporting and Referring, Value for Money…), put on priorities.
- ``Priority`` — a plan's strategic priority (``code`` like "1" or "A", ``title``, ``description``, ``order``).
- ``DeliveryGroup`` — a group (Task and Finish, Domestic Abuse Forum, JAG…) that delivers one or more priorities.
- ``PartnerPlan`` / ``PartnerObjective`` — the partners' plans a plan must align with (Police and Crime Plan…) and
  their objectives, rows of the compliance matrix.
- ``SeriousViolenceReview`` — the dated annual review of the Serious Violence Duty strategy.
- ``Measure`` — what is counted, where, how often, which way is good, and where its figures come from:
  ``intelligence`` (computed from police.uk ``MonthlyCount`` through ``safer.intelligence.selectors.monthly_series``,
  or the priority-neighbourhood gap through ``safer.intelligence.priority.gap_series`` when ``priority_area`` is set),
  ``partner`` (a partner enters a ``MeasureValue`` each period, who and when kept), or ``composite`` (how many of its
  ``components`` improved: Wigan's "improve on all 14 indicators", "three-quarters of the measures").
- ``Target`` — absolute level, % change against a baseline by a date, a ratio threshold ("gap <= 33%"), or composite
  ("N of M improved", "three-quarters improved"); with baseline period and value, a target date and optional
  ``TrajectoryPoint`` rows (a straight line from baseline to target otherwise).
- ``RagOverride`` — a person's RAG for a measure's period in place of the computed one, always with a reason.

Targets, trajectory points, values and overrides keep django-simple-history, so "who changed a target or a RAG, and
when" is answered by their ``history``.

Reads for other apps (all in ``safer.plans.selectors``, scoped to a partnership, 404 for anyone else's):
``plans_of(partnership)``, ``plan_of(partnership, id)``, ``priorities_of(plan)``, ``measures_of(partnership)``,
``measure_of(partnership, id)`` and ``measure_status(measure) -> Status`` (values, trajectory, latest value, RAG,
direction of travel, % change against baseline). The rules themselves are pure functions in ``safer.plans.rag``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from safer.core.models import Agency, Partnership, User


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PartnerPlan(models.Model):
    """A partner's own plan the partnership's plans must comply with ("Police and Crime Plan 2021-24")."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="partner_plans")
    owner = models.CharField(max_length=200, help_text="The organisation whose plan it is, like the OPCC")
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=300)
    period = models.CharField(max_length=40, blank=True, help_text="Like 2021-24")
    link = models.URLField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["owner", "title"]

    def __str__(self) -> str:
        return self.title


class PartnerObjective(models.Model):
    """One objective of a partner's plan: a column (or row) of the delivery plan's compliance matrix."""

    partner_plan = models.ForeignKey(PartnerPlan, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(max_length=20, blank=True)
    text = models.CharField(max_length=500)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["partner_plan", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


class Plan(models.Model):
    """A partnership plan for a period. Published plans are frozen; a change makes a new version (a copy)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="strategic_plans")
    title = models.CharField(max_length=200)
    period_start = models.DateField(help_text="First day the plan covers, like 1 April 2021")
    period_end = models.DateField(help_text="Last day the plan covers, like 31 March 2024")
    vision = models.TextField(blank=True)
    mission = models.TextField(blank=True)
    principles = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    partner_plans = models.ManyToManyField(PartnerPlan, blank=True, related_name="aligned_plans")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-period_start", "-version"]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_label})"

    @property
    def period_label(self) -> str:
        """ "2021-24" for 1 April 2021 to 31 March 2024."""
        return f"{self.period_start.year}-{str(self.period_end.year)[-2:]}"

    @property
    def is_published(self) -> bool:
        return self.status == PlanStatus.PUBLISHED


class TagKind(models.TextChoices):
    KEY_AREA = "key_area", "Key area"
    PILLAR = "pillar", "Pillar"
    THEME = "theme", "Cross-cutting theme"


class Tag(models.Model):
    """A plan's key area, pillar or cross-cutting theme (Engage, Education, Value for Money…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=TagKind.choices, default=TagKind.THEME)
    description = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["kind", "pk"]  # as entered: Engage, Equip, Empower
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "name"], name="plan_tag_name_unique_in_plan")
        ]

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    """A strategic priority of a plan ("1) Maintain the evidenced reduction in Crime, Disorder, and ASB")."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    code = models.CharField(max_length=10, blank=True, help_text="Short reference, like 1 or A")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    tags = models.ManyToManyField(Tag, blank=True, related_name="priorities")
    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        ordering: ClassVar[list[str]] = ["order", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.code}. {self.title}" if self.code else self.title


class DeliveryGroup(models.Model):
    """A group that delivers priorities (Task and Finish group, Domestic Abuse Forum, JAG…)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="delivery_groups")
    name = models.CharField(max_length=200)
    chair = models.CharField(max_length=200, blank=True, help_text="Who chairs it (a name or a role)")
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    remit = models.TextField(blank=True)
    reports_to = models.CharField(max_length=200, blank=True, help_text="Like: the Senior Leadership Group")
    priorities = models.ManyToManyField(Priority, blank=True, related_name="delivery_groups")

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "name"], name="delivery_group_name_unique_in_partnership")
        ]

    def __str__(self) -> str:
        return self.name


class SeriousViolenceReview(models.Model):
    """The Serious Violence Duty strategy's annual review (PCSC Act 2022 s.8): a dated record, one per review."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="serious_violence_reviews")
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_on = models.DateField()
    title = models.CharField(max_length=200)
    local_definition = models.TextField(blank=True, help_text="The partnership's definition of serious violence")
    needs_assessment = models.TextField(help_text="What the strategic needs assessment found")
    priorities = models.TextField(help_text="The key priorities and actions for the coming year")
    performance_framework = models.TextField(help_text="How success will be measured")
    next_review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.reviewed_on:%-d %B %Y})"


# ---- measures and targets ------------------------------------------------------------------------------------------


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly (financial quarters)"
    ANNUAL = "annual", "Annual (financial years, April to March)"


class Polarity(models.TextChoices):
    DOWN = "down", "Down is good (a fall is an improvement)"
    UP = "up", "Up is good (a rise is an improvement)"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    RATE = "rate", "Rate per 1,000 residents"
    PERCENT = "percent", "Per cent"
    RATIO = "ratio", "Ratio"


class MeasureSource(models.TextChoices):
    INTELLIGENCE = "intelligence", "Computed from the police.uk data"
    PARTNER = "partner", "Entered by a partner each period"
    COMPOSITE = "composite", "How many of a set of measures improved"


class GapCompare(models.TextChoices):
    REST = "rest", "The rest of the borough"
    BOROUGH = "borough", "The whole borough (the borough average)"


class Measure(models.Model):
    """A performance measure: its definition and where its figures come from (see the module docstring)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="measures")
    priority = models.ForeignKey(Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures")
    name = models.CharField(max_length=200)
    definition = models.TextField(help_text="What is counted, and what is not")
    geography = models.CharField(max_length=200, blank=True, help_text="Like: the borough, or the priority wards")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY)
    polarity = models.CharField(max_length=6, choices=Polarity.choices, default=Polarity.DOWN)
    unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.COUNT)
    source = models.CharField(max_length=14, choices=MeasureSource.choices, default=MeasureSource.PARTNER)
    # intelligence: a dataset slug of safer.intelligence.selectors.datasets(); with a priority area, the gap %.
    dataset = models.CharField(max_length=60, blank=True)
    priority_area = models.ForeignKey(
        "intelligence.PriorityArea", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gap_compare = models.CharField(max_length=8, choices=GapCompare.choices, default=GapCompare.REST, blank=True)
    # partner: who enters the figures.
    owner_agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # composite: the indicators counted.
    components = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="composites")
    order = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[components])

    class Meta:
        ordering: ClassVar[list[str]] = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_gap(self) -> bool:
        return self.source == MeasureSource.INTELLIGENCE and self.priority_area_id is not None


class MeasureValue(models.Model):
    """A figure a partner entered for a period: who, when and from what source. Computed figures are not stored."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4)
    source_note = models.CharField(max_length=300, blank=True, help_text="Where the figure comes from")
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["period_start"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["measure", "period_start", "period_end"], name="measure_value_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period_start} to {self.period_end}: {self.value}"


class TargetKind(models.TextChoices):
    ABSOLUTE = "absolute", "Reach a level (like: no more than 150 a quarter)"
    PERCENT_CHANGE = "percent_change", "Change by a percentage from a baseline by a date (like: reduce by 22%)"
    THRESHOLD = "threshold", "Stay at or beyond a threshold (like: a gap of no more than 33%)"
    COMPOSITE = "composite", "Improve on a number of measures (like: all 14, or three-quarters)"


class Target(models.Model):
    """What a measure should reach, by when, from which baseline. History kept: who changed it and when."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    wording = models.CharField(
        max_length=300, blank=True, help_text="As the plan words it: Reduce by 22% by March 2008"
    )
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    baseline_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    percent_change = models.DecimalField(
        max_digits=8, decimal_places=3, null=True, blank=True, help_text="-22 for a 22% reduction"
    )
    target_value = models.DecimalField(
        max_digits=16, decimal_places=4, null=True, blank=True, help_text="The level or threshold to reach"
    )
    required_count = models.PositiveIntegerField(null=True, blank=True, help_text="Composite: N of the measures")
    required_fraction = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, help_text="Composite: 0.75 for three-quarters"
    )
    target_date = models.DateField(null=True, blank=True)
    amber_tolerance = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=5,
        help_text="Amber while missing the trajectory by up to this % of the target change",
    )
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-is_current", "-created_at"]

    def __str__(self) -> str:
        return self.wording or f"{self.get_kind_display()} for {self.measure_id}"


class TrajectoryPoint(models.Model):
    """Where the measure should be by a date, on the way to its target (a straight line is used when none is set)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="trajectory")
    on = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["on"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["target", "on"], name="trajectory_point_one_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.on}: {self.value}"


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    GREY = "grey", "Grey"


class RagOverride(models.Model):
    """A person's RAG for one period of a measure, in place of the computed one. Always with a reason."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="rag_overrides")
    period_end = models.DateField()
    rag = models.CharField(max_length=6, choices=Rag.choices)
    reason = models.TextField()
    set_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-period_end"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["measure", "period_end"], name="rag_override_one_per_period"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="rag_override_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period_end}: {self.rag}"
