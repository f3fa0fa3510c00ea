"""Crime and ASB records from police.uk, how they were imported, and the monthly counts the pages read.

Import runs make files all-or-nothing: rows are written in chunks under a run that is "staging" (invisible to every
figure), and the run is switched to "live" in one short transaction that also replaces the month's previous live run
and rebuilds its monthly counts. A cancelled, failed or crashed run never becomes live; a run whose process was killed
keeps its lease (core.models.Leased) and is found, marked failed and its staged rows removed by recovery.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from safer.core.models import Agency, Job, Leased, Partnership, User
from safer.geography.models import Lsoa, Ward


class MonthRangeIndex(models.Index):
    """A B-tree index, except on PostgreSQL, where it is a BRIN index: a few bytes per 16 pages of rows.

    For street rows by (partnership, month). A file's rows are written together, so each month's rows lie in a run of
    neighbouring pages that a block-range index finds as well as a B-tree does, while a B-tree costs every one of a
    year's 300,000 inserted rows a place in a sorted tree. Ranges filled by an import are summarised by autovacuum
    (``autosummarize``); until then they are read with every query, as a few hundred extra pages at most."""

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        statement = super().create_sql(model, schema_editor, using=" USING brin", **kwargs)
        parts: dict[str, Any] = statement.parts
        parts["extra"] = " WITH (pages_per_range = 16, autosummarize = on)" + str(parts["extra"])
        return statement


class Source(models.TextChoices):
    POLICEUK_STREET = "policeuk_street", "police.uk street-level crime and ASB"
    POLICEUK_STOP_SEARCH = "policeuk_stop_search", "police.uk stop and search"
    POLICEUK_OUTCOMES = "policeuk_outcomes", "police.uk outcomes"
    # A partner source's runs and counts carry "partner:<PartnerSource id>" (see partner_source_key).
    PARTNER = "partner", "Partner data"


def partner_source_key(source_id: int) -> str:
    """The ``source`` value of a partner source's import runs and monthly counts."""
    return f"partner:{source_id}"


class RunStatus(models.TextChoices):
    STAGING = "staging", "Being imported"
    LIVE = "live", "In use"
    REPLACED = "replaced", "Replaced by a later import"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Stopped before it finished"


class ImportRun(Leased):
    """One file (one force-month for police.uk street files) imported into one partnership."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="import_runs")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_runs")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=30, choices=Source.choices)
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, help_text="Fingerprint of the file as imported (which snapshot it was)")
    force = models.CharField(max_length=80, blank=True)
    month = models.DateField(null=True, blank=True, help_text="First day of the month the file covers")
    month_to = models.DateField(
        null=True, blank=True, help_text="Partner files: the last month the file covers (police.uk files: empty)"
    )
    lsoa_vintage = models.CharField(max_length=4, default="2011")
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.STAGING)
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_outside_area = models.PositiveIntegerField(default=0)
    rows_no_location = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    refusal = models.TextField(blank=True, help_text="Why the whole file was refused")
    created_at = models.DateTimeField(default=timezone.now)
    made_live_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "source", "month", "status"], name="run_month_status"),
            # The few runs under way, found by the sweep for interrupted work (core.jobs.recover_interrupted).
            models.Index(fields=["owner_pid"], condition=models.Q(owner_pid__isnull=False), name="run_under_way"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class StreetRecord(models.Model):
    """One row of a police.uk street file: a crime (with a Crime ID) or an ASB incident (without)."""

    # Few indexes and no database-level foreign keys on purpose: each costs a lookup per row when a year of a force
    # (hundreds of thousands of rows) is imported, and the importer only ever writes ids it has just read from
    # these tables. Django still enforces the relations (cascade, protect) when rows are deleted through it.
    # Figures read MonthlyCount; rows are read by (partnership, month), which also finds a run's rows.
    run = models.ForeignKey(
        ImportRun, on_delete=models.CASCADE, related_name="records", db_index=False, db_constraint=False
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    month = models.DateField()
    crime_id = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=40)
    lsoa = models.ForeignKey(
        Lsoa, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=120, blank=True)
    line = models.PositiveIntegerField(help_text="Line in the source file, for tracing a figure to its rows")

    class Meta:
        indexes: ClassVar[list[Any]] = [
            # Not by category as well: a key that sorts each row among the month's categories made the import's
            # inserts cost 1.6x (1.02 against 0.62 s for 300,000 rows on SQLite); readers of a month's rows (the
            # rows behind a figure, repeat locations) sort them anyway.
            MonthRangeIndex(fields=["partnership", "month"], name="street_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category} line {self.line}"


class OutcomeRecord(models.Model):
    """An outcome recorded for a crime in a later month (police.uk ``-outcomes.csv``); the latest one wins."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="outcomes")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    crime_id = models.CharField(max_length=64)
    outcome = models.CharField(max_length=120)
    lsoa = models.ForeignKey(Lsoa, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    line = models.PositiveIntegerField()

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "crime_id", "month"], name="outcome_crime_month"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_id[:8]}… {self.month:%Y-%m}: {self.outcome}"


class StopSearch(models.Model):
    """One row of a police.uk stop-and-search file, placed in an LSOA by its coordinates (the file has no LSOA)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="searches")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(help_text="Month in UK local time (the file's timestamps are UTC)")
    searched_at = models.DateTimeField()
    search_type = models.CharField(max_length=40)
    part_of_operation = models.BooleanField(null=True)
    policing_operation = models.CharField(max_length=120, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    lsoa = models.ForeignKey(Lsoa, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    gender = models.CharField(max_length=20, blank=True)
    age_range = models.CharField(max_length=20, blank=True)
    self_defined_ethnicity = models.CharField(max_length=120, blank=True)
    officer_defined_ethnicity = models.CharField(max_length=40, blank=True)
    legislation = models.CharField(max_length=120, blank=True)
    object_of_search = models.CharField(max_length=80, blank=True)
    outcome = models.CharField(max_length=80, blank=True)
    outcome_linked = models.BooleanField(null=True)
    outer_clothing_removed = models.BooleanField(null=True)
    line = models.PositiveIntegerField()

    class Meta:
        indexes: ClassVar[list[Any]] = [models.Index(fields=["partnership", "month"], name="search_month")]

    def __str__(self) -> str:
        return f"{self.searched_at:%Y-%m-%d %H:%M} {self.search_type}"


class Rejection(models.Model):
    """A row that could not be imported, with where and why."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField()
    column = models.CharField(max_length=60)
    value = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering: ClassVar[list[str]] = ["line"]

    def __str__(self) -> str:
        return f"line {self.line} {self.column}: {self.reason}"


class MonthlyCount(models.Model):
    """Counts per month x LSOA x category from live runs; what heat maps, trends and rates read.

    ``lsoa`` is null only for a partner's rows placed by ward alone or with no location (the partner recorded them in
    the area). police.uk rows with no location belong to their force, not to a district: see ForceUnlocated.
    """

    # No index of its own on partnership: both indexes below lead with it, and each index costs every import. No
    # database-level foreign keys either: counts are only ever written from ids the import has just read (or from
    # rows counted in SQL), and PostgreSQL checked each of a year's 50,000 counts twice at commit (0.35 s of a
    # 300,000-row import). Django still cascades and protects when partnerships or LSOAs are deleted through it.
    # No index by LSOA either (a fifth of the time a month's counts take to write): counts are read by partnership,
    # source and month, and LSOAs are never deleted (as for StreetRecord).
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    source = models.CharField(max_length=30, choices=Source.choices)
    month = models.DateField()
    lsoa = models.ForeignKey(
        Lsoa, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    category = models.CharField(max_length=80)  # a partner's own category names run to 80 (PartnerRecord)
    count = models.PositiveIntegerField()

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "source", "category", "month"], name="count_category_month"),
            models.Index(fields=["partnership", "source", "month"], name="count_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category}: {self.count}"


class ForceUnlocated(models.Model):
    """police.uk rows of a force's month that have no location, counted once for the force (ADR 0002).

    They may lie anywhere in the force's area, so they are in no district's count, map, rate or flag; each district
    that imports the force's file is shown them as context ("the force had N rows with no location that month; some
    may be yours"). Replaced whenever a file of that force-month goes live, in any partnership. No personal data.
    """

    source = models.CharField(max_length=30, choices=Source.choices)
    force = models.CharField(max_length=80, help_text="police.uk's key for the force, e.g. leicestershire")
    month = models.DateField()
    category = models.CharField(max_length=40)
    count = models.PositiveIntegerField()
    run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Counted from"
    )

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["source", "force", "month", "category"], name="force_unlocated_unique")
        ]

    def __str__(self) -> str:
        return f"{self.force} {self.month:%Y-%m} {self.category}: {self.count} with no location"


class HomeForce(models.Model):
    """The territorial police force of a partnership's area: only its files (and a national force's, such as the
    British Transport Police) make figures there. Another force's file is refused, however many of its rows police.uk
    placed over the border. Set by the analyst, or learnt from the first file that is plainly the area's own."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="home_force")
    force = models.CharField(max_length=80, help_text="police.uk's key for the force, e.g. leicestershire")
    learnt_from = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Learnt from this file"
    )
    set_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.partnership}: {self.force}"


class PriorityArea(models.Model):
    """A set of LSOAs an analyst names as priority neighbourhoods, to follow their rate against the rest of the area.

    Whole wards are chosen by adding all their LSOAs; the set is what counts. No personal data.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="priority_areas")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    lsoas = models.ManyToManyField(Lsoa, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[lsoas])

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "name"], name="priority_area_name_unique_in_partnership")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerSource(models.Model):
    """A kind of data a partner sends (council ASB reports, deliberate fires, hospital assaults), with the column
    mapping the analyst saved for its files. Records hold no personal data: a reference, a date, a category, a place.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="partner_sources")
    name = models.CharField(max_length=120)
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    counted = models.CharField(max_length=300, help_text="What one row is, e.g. 'one ASB report to the council'")
    mapping = models.JSONField(default=dict, blank=True, help_text="Which column of the file holds each field")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "name"], name="partner_source_name_unique_in_partnership")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return partner_source_key(self.pk)


class PartnerRecord(models.Model):
    """One row of a partner's file, placed by LSOA (code or coordinates) or only by ward; ``line`` traces it back."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="partner_records")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+", db_index=False)
    source = models.ForeignKey(PartnerSource, on_delete=models.CASCADE, related_name="records", db_index=False)
    month = models.DateField()
    occurred_on = models.DateField()
    category = models.CharField(max_length=80)
    lsoa = models.ForeignKey(Lsoa, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    reference = models.CharField(max_length=100, blank=True)
    line = models.PositiveIntegerField()

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "source", "month"], name="partner_source_month"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y-%m-%d} {self.category} line {self.line}"
