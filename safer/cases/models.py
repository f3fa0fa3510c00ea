"""People, places, first-contact reports and the shared ASB and vulnerability case.

Everything belongs to one partnership. A case is owned by one agency; other agencies see it only once they have been
added to it (``CaseAgency``, with the legal gateway and consent status). People and places are partnership records
that reports and cases point at, so every later report about the same person or place joins the same history and
repeat victims and locations are counted across agencies.

Later features hang off ``Case`` and ``Person`` (risk assessments, interventions and powers, tasks, JAG/MARAC
meetings, the ASB Case Review) and write to the case's chronology with ``services.add_chronology_entry``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from safer.core.models import Agency, Partnership, User

# --- names and postcodes, normalised for matching -------------------------------------------------------------------

_NON_LETTERS = re.compile(r"[^a-z0-9 ]+")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx", "the", "ltd", "limited", "plc"})


def name_key(*parts: str) -> str:
    """Lower-case ASCII tokens, titles dropped, sorted: "O'Brien, Mrs Mary-Ann" -> "ann mary obrien"."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("'", "").replace("-", " ")
    tokens = [t for t in _NON_LETTERS.sub(" ", text).split() if t not in _TITLES]
    return " ".join(sorted(tokens))


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: "le18 1ab" -> "LE18 1AB" (blank stays blank)."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


# --- choices --------------------------------------------------------------------------------------------------------


class PartyKind(models.TextChoices):
    PERSON = "person", "Person"
    BUSINESS = "business", "Business or organisation"
    GROUP = "group", "Group"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Described another way"
    NOT_KNOWN = "not_known", "Not known"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    WEB = "web", "Web form"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    PARTNER = "partner_referral", "Partner referral"
    POLICE_101 = "police_101", "Police 101"


class NsirType(models.TextChoices):
    """National Standard for Incident Recording ASB categories."""

    PERSONAL = "personal", "Personal"
    NUISANCE = "nuisance", "Nuisance"
    ENVIRONMENTAL = "environmental", "Environmental"


class HateStrand(models.TextChoices):
    """The five monitored strands, plus others a partnership records locally."""

    RACE = "race", "Race or ethnicity"
    RELIGION = "religion", "Religion or belief"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    DISABILITY = "disability", "Disability"
    TRANSGENDER = "transgender", "Transgender identity"
    ALTERNATIVE_SUBCULTURE = "alternative_subculture", "Alternative subculture"
    OTHER = "other", "Other"


class CaseType(models.TextChoices):
    ASB = "asb", "Anti-social behaviour"
    HATE = "hate", "Hate incident"
    VULNERABILITY = "vulnerability", "Vulnerability"
    NUISANCE_PREMISES = "nuisance_premises", "Nuisance premises"
    NOISE = "noise", "Noise"
    OTHER = "other", "Other"


# Reference prefixes, one series per type, partnership and year: "ASB-2026-00042".
CASE_PREFIXES: dict[str, str] = {
    CaseType.ASB: "ASB",
    CaseType.HATE: "HATE",
    CaseType.VULNERABILITY: "VUL",
    CaseType.NUISANCE_PREMISES: "PREM",
    CaseType.NOISE: "NOISE",
    CaseType.OTHER: "CASE",
}
REPORT_PREFIX = "REP"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    CLOSED = "closed", "Closed"


class ClosureOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved: the behaviour stopped"
    RESOLVED_EARLY = "resolved_early", "Resolved at an early step (advice or letter)"
    ENFORCEMENT = "enforcement", "Resolved by enforcement action"
    NO_FURTHER_REPORTS = "no_further_reports", "No further reports received"
    NO_CONTACT = "no_contact", "Victim could not be contacted"
    WITHDRAWN = "withdrawn", "Victim withdrew"
    REFERRED = "referred", "Referred to another service"
    NO_EVIDENCE = "no_evidence", "Not enough evidence to act"


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", "Very satisfied"
    SATISFIED = "satisfied", "Satisfied"
    NEITHER = "neither", "Neither satisfied nor dissatisfied"
    DISSATISFIED = "dissatisfied", "Dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied", "Very dissatisfied"
    NOT_ASKED = "not_asked", "Not asked or declined to say"


class PartyRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    COMPLAINANT = "complainant", "Complainant"
    WITNESS = "witness", "Witness"
    SUBJECT = "subject", "Subject or perpetrator"
    OTHER = "other", "Other"


class Gateway(models.TextChoices):
    """The legal basis for sharing a case with another agency."""

    S115 = "s115", "Crime and Disorder Act 1998 s.115"
    CONSENT = "consent", "Consent of the data subject"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    OTHER = "other", "Other (described)"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_SOUGHT = "not_sought", "Not sought"
    NOT_REQUIRED = "not_required", "Not required"


class ChronologyKind(models.TextChoices):
    OPENED = "opened", "Case opened"
    REPORT = "report", "Report"
    NOTE = "note", "Note"
    PARTY = "party", "Party added"
    PLACE = "place", "Place added"
    SHARE = "share", "Agency added"
    UNSHARE = "unshare", "Agency removed"
    CONSENT = "consent", "Consent changed"
    TRANSFER = "transfer", "Ownership transferred"
    CHANGE = "change", "Case details changed"
    CLOSED = "closed", "Case closed"
    REOPENED = "reopened", "Case reopened"
    LINK = "link", "Linked case"
    # Kinds other apps write.
    RISK = "risk", "Risk assessment"
    INTERVENTION = "intervention", "Intervention or power"
    TASK = "task", "Task"
    MEETING = "meeting", "Meeting"
    CASE_REVIEW = "case_review", "ASB Case Review"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class Sensitivity(models.TextChoices):
    NORMAL = "normal", "Normal"
    SENSITIVE = "sensitive", "Sensitive"


# --- places and people ----------------------------------------------------------------------------------------------


class PlaceLocated(models.TextChoices):
    """How a place was put in its LSOA and ward (shown on the place, so an analyst knows how far to trust it)."""

    POSITION = "position", "from its map position"
    POSTCODE = "postcode", "from its postcode's position (OS Code-Point Open), inside the LSOA boundary"
    POSTCODE_DIRECTORY = "postcode_directory", "from its postcode, by the ONS Postcode Directory"


class Address(models.Model):
    """A place: an address or a described location (a park, a shop front), with its LSOA and ward when known."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="case_addresses")
    line1 = models.CharField("address line 1 or place", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text="Normalised: upper case, one space")
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    lsoa_code = models.CharField("LSOA", max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    ward_name = models.CharField(max_length=120, blank=True)
    located_by = models.CharField(max_length=20, choices=PlaceLocated.choices, blank=True)
    line_key = models.CharField(max_length=200, blank=True, help_text="Normalised first line, for matching")
    created_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "addresses"
        ordering: ClassVar[list[str]] = ["line1"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "postcode"], name="address_postcode"),
            models.Index(fields=["partnership", "lsoa_code"], name="address_lsoa"),
            models.Index(fields=["partnership", "uprn"], name="address_uprn"),
            models.Index(fields=["partnership", "line_key"], name="address_line_key"),
        ]

    def __str__(self) -> str:
        return self.one_line

    @property
    def one_line(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.town, self.postcode) if p)


class Person(models.Model):
    """A person, business or group involved in reports and cases (personal data: reads are logged)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="case_people")
    kind = models.CharField(max_length=10, choices=PartyKind.choices, default=PartyKind.PERSON)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    organisation_name = models.CharField("business or group name", max_length=200, blank=True)
    aliases = models.TextField(blank=True, help_text="Other names, one a line")
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.ForeignKey(Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="people")
    vulnerability_notes = models.TextField(blank=True)
    name_key = models.CharField(max_length=300, blank=True, db_index=True, help_text="Normalised name tokens")
    created_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "people"
        ordering: ClassVar[list[str]] = ["family_name", "given_name", "organisation_name"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "name_key"], name="person_name_key"),
            models.Index(fields=["partnership", "date_of_birth"], name="person_dob"),
            models.Index(fields=["partnership"], condition=~Q(aliases=""), name="person_with_aliases"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~Q(given_name="", family_name="", organisation_name=""), name="person_has_a_name"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind != PartyKind.PERSON and self.organisation_name:
            return self.organisation_name
        return " ".join(p for p in (self.given_name, self.family_name) if p) or self.organisation_name

    def compute_name_key(self) -> str:
        return name_key(self.given_name, self.family_name, self.organisation_name)

    def alias_keys(self) -> list[str]:
        return [name_key(line) for line in self.aliases.splitlines() if line.strip()]


# --- cases ----------------------------------------------------------------------------------------------------------


class ReferenceCounter(models.Model):
    """The last number given in one reference series (partnership, prefix, year). Rows are locked to allocate."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "prefix", "year"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, partnership: Partnership, agencies: list[Agency]) -> CaseQuerySet:
        """Cases of the partnership that one of these agencies owns or has been added to (and not removed from)."""
        agency_ids = [a.pk for a in agencies if a.partnership_id == partnership.pk]
        return self.filter(partnership=partnership).filter(
            Q(owning_agency_id__in=agency_ids)
            | Q(pk__in=CaseAgency.objects.filter(agency_id__in=agency_ids, removed_at__isnull=True).values("case_id"))
        )


class Case(models.Model):
    """One shared ASB or vulnerability case, owned by one agency, visible to the agencies added to it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=24)
    case_type = models.CharField(max_length=20, choices=CaseType.choices, default=CaseType.ASB)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_cases")
    officer = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases_led")
    opened_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(blank=True)
    ward_code = models.CharField(max_length=9, blank=True, help_text="Ward of the main place, for lists")
    ward_name = models.CharField(max_length=120, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_outcome = models.CharField(max_length=30, choices=ClosureOutcome.choices, blank=True)
    victim_satisfaction = models.CharField(max_length=20, choices=Satisfaction.choices, blank=True)
    closure_reason_told = models.TextField("closure reason told to the victim", blank=True)
    retention_review_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change: stale edits are refused")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="case_reference_unique"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | ~Q(status="closed"),
                name="case_closed_has_date",
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "-opened_at", "-id"], name="case_opened"),
            models.Index(fields=["partnership", "status", "-opened_at"], name="case_status_opened"),
            models.Index(fields=["partnership", "owning_agency", "-opened_at"], name="case_owner_opened"),
            models.Index(fields=["partnership", "officer"], name="case_officer"),
            models.Index(fields=["partnership", "ward_code", "ward_name"], name="case_ward"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class KnownElsewhereNotice(models.Model):
    """An agency's report named someone on an open case it may not see: it was told whom to contact (nothing of the
    case), and the case's owner was told once. Kept so each report tells each case's owner only once."""

    report = models.ForeignKey("Report", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("Case", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", help_text="The agency told")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["report", "case"], name="known_elsewhere_once_per_report_and_case")
        ]

    def __str__(self) -> str:
        return f"Report {self.report_id} matched case {self.case_id}"


class CaseLink(models.Model):
    """Two cases linked as related (the same people or place), each keeping its own history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_from")
    linked_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_to")
    reason = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "linked_case"], name="case_link_unique"),
            models.CheckConstraint(condition=~Q(case=models.F("linked_case")), name="case_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.linked_case_id}"


class Report(models.Model):
    """The first-contact log: one report of an incident, from the first call, joined to a case when one exists."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="case_reports")
    reference = models.CharField(max_length=24)
    received_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    receiving_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="received_reports")
    reporter = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports_made",
        help_text="Empty: anonymous",
    )
    victims = models.ManyToManyField(Person, blank=True, related_name="reports_as_victim")
    subjects = models.ManyToManyField(
        Person, blank=True, related_name="reports_as_subject", help_text="Who the behaviour is said to come from"
    )
    description = models.TextField()
    occurred_from = models.DateTimeField(null=True, blank=True)
    occurred_to = models.DateTimeField(null=True, blank=True)
    place = models.ForeignKey(Address, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    nsir_type = models.CharField("NSIR type", max_length=20, choices=NsirType.choices)
    hate_motivated = models.BooleanField(default=False)
    hate_strand = models.CharField(max_length=30, choices=HateStrand.choices, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    submission_key = models.UUIDField(
        null=True, blank=True, unique=True, help_text="The form's one-time token: a double submit finds this report"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-received_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="report_reference_unique"),
            models.CheckConstraint(
                condition=Q(occurred_to__isnull=True)
                | Q(occurred_from__isnull=True)
                | Q(occurred_to__gte=models.F("occurred_from")),
                name="report_occurred_in_order",
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["partnership", "-received_at"], name="report_received"),
            models.Index(fields=["partnership", "receiving_agency", "-received_at"], name="report_agency_received"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseParty(models.Model):
    """A person, business or group on a case, in a role."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "case parties"
        ordering: ClassVar[list[str]] = ["role", "added_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="case_party_unique")
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["person", "role"], name="case_party_person")]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} on {self.case_id}"


class CasePlace(models.Model):
    """A place a case is about (where the behaviour happens, a nuisance premises)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="places")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="case_places")
    description = models.CharField(max_length=200, blank=True, help_text="Why this place, e.g. 'shop front'")
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["added_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "address"], name="case_place_unique")
        ]

    def __str__(self) -> str:
        return f"{self.address_id} on {self.case_id}"


class CaseAgency(models.Model):
    """Another agency added to a case: the legal gateway and the consent status (changes kept in ConsentChange)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_shares")
    gateway = models.CharField(max_length=20, choices=Gateway.choices)
    gateway_other = models.CharField("other gateway", max_length=300, blank=True)
    consent_status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    reason = models.TextField(help_text="Why the agency needs the case")
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    removed_reason = models.TextField(blank=True, help_text="Why the agency no longer needs the case")
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "case agencies"
        ordering: ClassVar[list[str]] = ["added_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "agency"], name="case_agency_unique"),
            models.CheckConstraint(condition=~Q(gateway="other") | ~Q(gateway_other=""), name="gateway_other_named"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["agency", "removed_at"], name="case_agency_active")]

    def __str__(self) -> str:
        return f"{self.agency_id} on {self.case_id}"


class ConsentChange(models.Model):
    """One change of consent status on a case (adding an agency, a later change, a transfer of ownership)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consent_changes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=ConsentStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    reason = models.TextField(blank=True)
    on_transfer = models.BooleanField(default=False, help_text="Recorded when ownership moved to another agency")
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '-'} -> {self.to_status}"


class ChronologyEntry(models.Model):
    """One line of a case's timeline: anything that happened, written by this app or another through the service."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chronology")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=ChronologyKind.choices)
    summary = models.TextField()
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_type = models.CharField(max_length=60, blank=True, help_text="e.g. 'interventions.power'")
    source_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "chronology entries"
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["case", "-at"], name="chronology_case_at"),
            models.Index(fields=["source_type", "source_id"], name="chronology_source"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d} {self.kind}"


class CaseNote(models.Model):
    """A note on a case. Sensitive notes are read only by the owning agency and the agency that wrote them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.case_id}"
