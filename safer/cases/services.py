"""Every write to cases, people, places and reports, in one transaction each, with the access log.

Signatures other apps rely on:

* ``add_chronology_entry(case, kind, summary, actor, source=None, agency=None, at=None) -> ChronologyEntry``:
  append one line to a case's timeline. ``kind`` is a ``ChronologyKind`` value (other apps: "risk",
  "intervention", "task", "meeting", "case_review", "document", "other"); ``source`` is a saved model instance
  (its ``app_label.model_name`` and pk are kept, so the entry can link back) or ``(type, id)``; ``agency`` defaults
  to the actor's agency on the case. It also raises the case's ``updated_at`` (not its ``version``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from safer.cases import signals
from safer.cases.models import (
    CASE_PREFIXES,
    POSTCODE_RE,
    REPORT_PREFIX,
    Address,
    Case,
    CaseAgency,
    CaseLink,
    CaseNote,
    CaseParty,
    CasePlace,
    CaseStatus,
    CaseType,
    ChronologyEntry,
    ChronologyKind,
    ClosureOutcome,
    ConsentChange,
    ConsentStatus,
    Gateway,
    KnownElsewhereNotice,
    PartyKind,
    PartyRole,
    Person,
    PlaceLocated,
    ReferenceCounter,
    Report,
    Satisfaction,
    Sensitivity,
    name_key,
    normalise_postcode,
)
from safer.cases.selectors import KnownElsewhere
from safer.core.audit import record_access
from safer.core.models import AccessAction, Agency, Membership, Partnership, User
from safer.geography import selectors as geography
from safer.geography.locate import LsoaLocator
from safer.geography.models import Lsoa, PostcodeLsoaSource


def allocate_reference(partnership: Partnership, prefix: str, year: int | None = None) -> str:
    """The next reference in a series, e.g. "ASB-2026-00042": the counter row is locked, so two at once differ."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            partnership=partnership, prefix=prefix, year=year
        )
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return f"{prefix}-{year}-{counter.last_number:05d}"


def actor_agency(actor: User | None, case: Case) -> Agency | None:
    """The agency the actor works for on this case: the owner if they belong to it, else an added agency."""
    if actor is None or not actor.pk:
        return None
    agency_ids = set(
        Membership.objects.filter(user=actor, is_active=True, agency__partnership_id=case.partnership_id).values_list(
            "agency_id", flat=True
        )
    )
    if case.owning_agency_id in agency_ids:
        return case.owning_agency
    share = case.shares.filter(agency_id__in=agency_ids, removed_at__isnull=True).select_related("agency").first()
    if share is not None:
        return share.agency
    return Agency.objects.filter(pk__in=agency_ids).order_by("name").first()


def add_chronology_entry(
    case: Case,
    kind: str,
    summary: str,
    actor: User | None,
    source: models.Model | tuple[str, str | int] | None = None,
    agency: Agency | None = None,
    at: datetime | None = None,
) -> ChronologyEntry:
    source_type, source_id = "", ""
    if isinstance(source, models.Model):
        source_type, source_id = source._meta.label_lower, str(source.pk)
    elif source is not None:
        source_type, source_id = source[0], str(source[1])
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            case=case,
            at=at or timezone.now(),
            kind=kind,
            summary=summary,
            author=actor if actor is not None and actor.pk else None,
            agency=agency or actor_agency(actor, case),
            source_type=source_type,
            source_id=source_id,
        )
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return entry


# --- errors ---------------------------------------------------------------------------------------------------------


class CaseError(Exception):
    """A write refused with a message for the person (names the field when there is one)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(CaseError):
    """Someone else changed the case since this person opened it: nothing was saved."""


# --- people and places ----------------------------------------------------------------------------------------------


def split_name(full_name: str) -> tuple[str, str]:
    """ "Mary Ann O'Brien" -> ("Mary Ann", "O'Brien"); one word is a family name."""
    parts = full_name.split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


def locate_point(partnership: Partnership, latitude: float, longitude: float) -> tuple[str, str, str]:
    """(LSOA code, ward code, ward name) of a point from the partnership's stored boundaries; blanks if outside."""
    code = LsoaLocator(geography.lsoa_boundaries(partnership)).locate(latitude, longitude)
    return _lsoa_and_ward(code or "")


def _lsoa_and_ward(code: str) -> tuple[str, str, str]:
    if not code:
        return "", "", ""
    lsoa = Lsoa.objects.filter(code=code).select_related("ward").order_by("-vintage").first()
    if lsoa is None or lsoa.ward is None:
        return code, "", ""
    return code, lsoa.ward.code, lsoa.ward.name


@dataclass(frozen=True)
class Located:
    lsoa_code: str = ""
    ward_code: str = ""
    ward_name: str = ""
    how: str = ""


def locate_place(partnership: Partnership, latitude: float | None, longitude: float | None, postcode: str) -> Located:
    """A place's LSOA and ward: from its map position where it has one, else from its postcode (the partnership's
    own districts only), saying which way (PlaceLocated)."""
    if latitude is not None and longitude is not None:
        lsoa, ward, name = locate_point(partnership, latitude, longitude)
        return Located(lsoa, ward, name, PlaceLocated.POSITION if lsoa else "")
    found = geography.postcode_in(partnership, postcode) if postcode else None
    if found is None or not found.lsoa_code:
        return Located()
    lsoa, ward, name = _lsoa_and_ward(found.lsoa_code)
    how = (
        PlaceLocated.POSTCODE_DIRECTORY if found.lsoa_source == PostcodeLsoaSource.DIRECTORY else PlaceLocated.POSTCODE
    )
    return Located(lsoa, ward, name, how)


def find_or_create_address(
    *,
    partnership: Partnership,
    line1: str,
    line2: str = "",
    town: str = "",
    postcode: str = "",
    uprn: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    agency: Agency | None = None,
) -> Address:
    """The partnership's address with the same first line and postcode (or UPRN), else a new one.

    One record per place is what lets every report at a place join the same history.
    """
    postcode = normalise_postcode(postcode)
    key = name_key(line1)
    existing = None
    if uprn:
        existing = Address.objects.filter(partnership=partnership, uprn=uprn).first()
    if existing is None and key:
        existing = Address.objects.filter(partnership=partnership, line_key=key, postcode=postcode).first()
    if existing is not None:
        better = existing.latitude is None and latitude is not None and longitude is not None
        if better or not existing.lsoa_code:
            # Coordinates for a place known only by its address, or a postcode now in the lookup: place it now.
            if better:
                existing.latitude, existing.longitude = latitude, longitude
            found = locate_place(partnership, existing.latitude, existing.longitude, existing.postcode)
            if found.lsoa_code or better:
                existing.lsoa_code, existing.ward_code, existing.ward_name = (
                    found.lsoa_code,
                    found.ward_code,
                    found.ward_name,
                )
                existing.located_by = found.how
                existing.save(
                    update_fields=["latitude", "longitude", "lsoa_code", "ward_code", "ward_name", "located_by"]
                )
        return existing
    found = locate_place(partnership, latitude, longitude, postcode)
    lsoa_code, ward_code, ward_name = found.lsoa_code, found.ward_code, found.ward_name
    return Address.objects.create(
        partnership=partnership,
        line1=line1.strip(),
        line2=line2.strip(),
        town=town.strip(),
        postcode=postcode,
        uprn=uprn.strip(),
        latitude=latitude,
        longitude=longitude,
        lsoa_code=lsoa_code,
        ward_code=ward_code,
        ward_name=ward_name,
        located_by=found.how,
        line_key=key,
        created_by_agency=agency,
    )


def create_person(
    *,
    partnership: Partnership,
    actor: User | None,
    agency: Agency | None,
    kind: str = PartyKind.PERSON,
    given_name: str = "",
    family_name: str = "",
    organisation_name: str = "",
    date_of_birth: date | None = None,
    address: Address | None = None,
    phone: str = "",
    email: str = "",
    gender: str = "",
    aliases: str = "",
    vulnerability_notes: str = "",
    request: HttpRequest | None = None,
) -> Person:
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise CaseError("Enter a date of birth in the past", field="date_of_birth")
    if not (given_name.strip() or family_name.strip() or organisation_name.strip()):
        raise CaseError("Enter a name", field="name")
    if len(given_name.strip()) > 100 or len(family_name.strip()) > 100:
        raise CaseError("Enter given names and a family name of 100 characters or fewer each", field="name")
    with transaction.atomic():
        person = Person(
            partnership=partnership,
            kind=kind,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            organisation_name=organisation_name.strip(),
            date_of_birth=date_of_birth,
            address=address,
            phone=phone.strip(),
            email=email.strip(),
            gender=gender,
            aliases=aliases.strip(),
            vulnerability_notes=vulnerability_notes.strip(),
            created_by_agency=agency,
            created_by=actor if actor is not None and actor.pk else None,
        )
        person.name_key = person.compute_name_key()
        person.save()
        record_access(
            action=AccessAction.CREATE,
            actor=actor,
            partnership=partnership,
            agency=agency,
            object_type="person",
            object_id=person.pk,
            request=request,
        )
    return person


@dataclass(frozen=True)
class PartyInput:
    """One person, business or group named on the first-call form."""

    name: str
    kind: str = PartyKind.PERSON
    date_of_birth: date | None = None
    phone: str = ""

    def person_fields(self) -> dict[str, Any]:
        if self.kind == PartyKind.PERSON:
            given, family = split_name(self.name)
            return {"given_name": given, "family_name": family}
        return {"organisation_name": self.name.strip()}


@dataclass(frozen=True)
class PlaceInput:
    line1: str
    postcode: str = ""
    town: str = ""
    latitude: float | None = None
    longitude: float | None = None


# --- reports --------------------------------------------------------------------------------------------------------


def check_when(
    occurred_from: datetime | None, occurred_to: datetime | None, received_at: datetime | None = None
) -> None:
    now = timezone.now()
    if occurred_from is not None and occurred_from > now:
        raise CaseError("Enter when it happened as a time that has already passed", field="occurred_from")
    if occurred_to is not None and occurred_to > now:
        raise CaseError("Enter when it ended as a time that has already passed", field="occurred_to")
    if occurred_from and occurred_to and occurred_to < occurred_from:
        raise CaseError("Enter when it ended as the same as or after when it started", field="occurred_to")
    if received_at is not None and received_at > now:
        raise CaseError("Enter when the report was received as a time that has already passed", field="received_at")


def record_report(
    *,
    partnership: Partnership,
    actor: User,
    receiving_agency: Agency,
    channel: str,
    description: str,
    nsir_type: str,
    reporter: PartyInput | None = None,
    reporter_is_victim: bool = False,
    victims: list[PartyInput] | None = None,
    subjects: list[PartyInput] | None = None,
    place: PlaceInput | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
    received_at: datetime | None = None,
    hate_motivated: bool = False,
    hate_strand: str = "",
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> tuple[Report, bool]:
    """Log a first contact. Returns (report, created); a repeated ``submission_key`` returns the first report."""
    if receiving_agency.partnership_id != partnership.pk:
        raise CaseError("Choose an agency of this partnership", field="receiving_agency")
    if submission_key is not None:
        existing = Report.objects.filter(partnership=partnership, submission_key=submission_key).first()
        if existing is not None:
            return existing, False
    check_when(occurred_from, occurred_to, received_at)
    if not description.strip():
        raise CaseError("Enter what happened", field="description")
    if place is not None and place.postcode.strip() and not POSTCODE_RE.match(normalise_postcode(place.postcode)):
        raise CaseError("Enter a real postcode, like LE18 1AB, or leave it blank", field="postcode")
    if hate_motivated and not hate_strand:
        raise CaseError("Select what the hate was about, or 'Other'", field="hate_strand")
    for party in [reporter, *(victims or []), *(subjects or [])]:
        if party is not None and party.date_of_birth is not None:
            if party.date_of_birth > timezone.localdate():
                raise CaseError("Enter a date of birth in the past", field="date_of_birth")
            if occurred_from is not None and occurred_from.date() < party.date_of_birth:
                raise CaseError(
                    "Enter when it happened as a date after the date of birth of the people named",
                    field="occurred_from",
                )
    try:
        with transaction.atomic():
            address = None
            if place is not None and place.line1.strip():
                address = find_or_create_address(
                    partnership=partnership,
                    line1=place.line1,
                    postcode=place.postcode,
                    town=place.town,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    agency=receiving_agency,
                )

            def person_of(party: PartyInput) -> Person:
                return create_person(
                    partnership=partnership,
                    actor=actor,
                    agency=receiving_agency,
                    kind=party.kind,
                    date_of_birth=party.date_of_birth,
                    phone=party.phone,
                    request=request,
                    **party.person_fields(),
                )

            reporter_person = person_of(reporter) if reporter is not None and reporter.name.strip() else None
            report = Report.objects.create(
                partnership=partnership,
                reference=allocate_reference(partnership, REPORT_PREFIX),
                received_at=received_at or timezone.now(),
                channel=channel,
                receiving_agency=receiving_agency,
                reporter=reporter_person,
                description=description.strip(),
                occurred_from=occurred_from,
                occurred_to=occurred_to,
                place=address,
                nsir_type=nsir_type,
                hate_motivated=hate_motivated,
                hate_strand=hate_strand if hate_motivated else "",
                recorded_by=actor,
                submission_key=submission_key,
            )
            victim_people = [person_of(v) for v in victims or [] if v.name.strip()]
            if reporter_is_victim and reporter_person is not None:
                victim_people.insert(0, reporter_person)
            report.victims.set(victim_people)
            report.subjects.set([person_of(s) for s in subjects or [] if s.name.strip()])
            record_access(
                action=AccessAction.CREATE,
                actor=actor,
                partnership=partnership,
                agency=receiving_agency,
                object_type="report",
                object_id=report.pk,
                request=request,
            )
    except IntegrityError:
        # Two submissions of the same form at once: the other one won; show it.
        if submission_key is not None:
            existing = Report.objects.filter(partnership=partnership, submission_key=submission_key).first()
            if existing is not None:
                return existing, False
        raise
    return report, True


def report_people(report: Report) -> list[tuple[Person, str]]:
    """Everyone on a report with the role they take on a case: victims, the reporter (complainant), subjects."""
    rows: list[tuple[Person, str]] = []
    victims = list(report.victims.all())
    rows += [(p, PartyRole.VICTIM) for p in victims]
    if report.reporter is not None and report.reporter not in victims:
        rows.append((report.reporter, PartyRole.COMPLAINANT))
    rows += [(p, PartyRole.SUBJECT) for p in report.subjects.all()]
    return rows


def use_existing_person(
    *, report: Report, new_person: Person, existing: Person, actor: User, request: HttpRequest | None = None
) -> None:
    """ "This is the same person": the report points at the existing record; the one just typed is removed."""
    if existing.partnership_id != report.partnership_id or existing.pk == new_person.pk:
        raise CaseError("Choose a record of this partnership")
    with transaction.atomic():
        if report.reporter_id == new_person.pk:
            report.reporter = existing
            report.save(update_fields=["reporter"])
        for relation in (report.victims, report.subjects):
            if relation.filter(pk=new_person.pk).exists():
                relation.remove(new_person)
                relation.add(existing)
        for party in CaseParty.objects.filter(person=new_person):
            if not CaseParty.objects.filter(case=party.case, person=existing, role=party.role).exists():
                CaseParty.objects.filter(pk=party.pk).update(person=existing)
            else:
                party.delete()
        still_used = (
            Report.objects.filter(reporter=new_person).exists()
            or new_person.reports_as_victim.exists()
            or new_person.reports_as_subject.exists()
            or CaseParty.objects.filter(person=new_person).exists()
        )
        if not still_used and new_person.created_at >= report.created_at - timedelta(minutes=1):
            new_person.delete()
        record_access(
            action=AccessAction.CHANGE,
            actor=actor,
            partnership=report.partnership,
            object_type="report",
            object_id=report.pk,
            detail=f"Linked to existing person record {existing.pk}",
            request=request,
        )


# --- cases ----------------------------------------------------------------------------------------------------------


def _log(case: Case, action: str, actor: User | None, detail: str = "", request: HttpRequest | None = None) -> None:
    record_access(
        action=action,
        actor=actor,
        partnership=case.partnership,
        agency=actor_agency(actor, case),
        object_type="case",
        object_id=case.pk,
        detail=detail,
        request=request,
    )


def _add_party_row(case: Case, person: Person, role: str, actor: User | None) -> bool:
    _, created = CaseParty.objects.get_or_create(
        case=case, person=person, role=role, defaults={"added_by": actor if actor and actor.pk else None}
    )
    return created


def _add_place_row(case: Case, address: Address, actor: User | None, description: str = "") -> bool:
    _, created = CasePlace.objects.get_or_create(
        case=case,
        address=address,
        defaults={"added_by": actor if actor and actor.pk else None, "description": description},
    )
    if created and not case.ward_code and address.ward_code:
        Case.objects.filter(pk=case.pk).update(ward_code=address.ward_code, ward_name=address.ward_name)
        case.ward_code, case.ward_name = address.ward_code, address.ward_name
    return created


def _attach_report(case: Case, report: Report, actor: User | None) -> None:
    report.case = case
    report.save(update_fields=["case"])
    for person, role in report_people(report):
        _add_party_row(case, person, role, actor)
    if report.place is not None:
        _add_place_row(case, report.place, actor)
    when = report.occurred_from or report.received_at
    summary = f"{report.reference} ({report.get_channel_display()}, {report.receiving_agency.name}): "
    add_chronology_entry(case, ChronologyKind.REPORT, summary + report.description, actor, source=report, at=when)


def open_case(
    *,
    partnership: Partnership,
    actor: User,
    owning_agency: Agency,
    case_type: str,
    summary: str = "",
    officer: User | None = None,
    report: Report | None = None,
    link_to: Case | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case (from a report when given: its people become parties and its place a case place)."""
    if owning_agency.partnership_id != partnership.pk:
        raise CaseError("Choose an agency of this partnership", field="owning_agency")
    if report is not None and report.case_id is not None:
        raise CaseError(f"This report is already on case {report.case}")
    with transaction.atomic():
        case = Case.objects.create(
            partnership=partnership,
            reference=allocate_reference(partnership, CASE_PREFIXES.get(case_type, "CASE")),
            case_type=case_type,
            owning_agency=owning_agency,
            officer=officer or actor,
            summary=summary.strip() or (report.description[:500] if report is not None else ""),
            created_by=actor,
        )
        add_chronology_entry(
            case, ChronologyKind.OPENED, f"Case opened by {owning_agency.name}", actor, agency=owning_agency
        )
        if report is not None:
            _attach_report(case, report, actor)
        if link_to is not None:
            link_cases(case=case, other=link_to, actor=actor, reason="Opened from a report matching this case")
        _log(case, AccessAction.CREATE, actor, request=request)
    return case


def add_report_to_case(*, report: Report, case: Case, actor: User, request: HttpRequest | None = None) -> Case:
    """The report joins an existing case: its people and place join the case; the case's chronology records it."""
    if report.partnership_id != case.partnership_id:
        raise CaseError("Choose a case of this partnership")
    if report.case_id is not None:
        raise CaseError(f"This report is already on case {report.case}")
    if case.is_closed:
        raise CaseError(f"Case {case.reference} is closed. Reopen it first, or open a new case")
    with transaction.atomic():
        _attach_report(case, report, actor)
        _touch(case)
        _log(case, AccessAction.CHANGE, actor, detail=f"Report {report.pk} added", request=request)
    case.refresh_from_db()
    return case


def link_cases(*, case: Case, other: Case, actor: User, reason: str = "") -> CaseLink:
    if case.pk == other.pk or case.partnership_id != other.partnership_id:
        raise CaseError("Choose another case of this partnership")
    with transaction.atomic():
        link, created = CaseLink.objects.get_or_create(
            case=case, linked_case=other, defaults={"reason": reason, "added_by": actor}
        )
        if created:
            add_chronology_entry(case, ChronologyKind.LINK, f"Linked to case {other.reference}", actor, source=other)
            add_chronology_entry(other, ChronologyKind.LINK, f"Linked to case {case.reference}", actor, source=case)
    return link


def _touch(case: Case) -> None:
    """Something was added to the case (a party, a place, a note, an agency, a report): its details are unchanged, so
    its version stays and nobody editing the details meanwhile is told of a conflict."""
    case.updated_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(updated_at=case.updated_at)


def _bump(case: Case, expected_version: int | None, **changes: Any) -> None:
    """Save changes only if nobody changed the case since ``expected_version`` (None: no check)."""
    query = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    now = timezone.now()
    updated = query.update(version=F("version") + 1, updated_at=now, **changes)
    if not updated:
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
        raise ConflictError(
            f"Someone else changed case {case.reference} while you were editing it (your copy was version "
            f"{expected_version}, it is now version {current}). Nothing you entered has been saved: "
            "open the case again to see their change, then make yours."
        )
    for name, value in changes.items():
        setattr(case, name, value)
    case.version = (expected_version or case.version) + 1
    case.updated_at = now
    # Keep the history table (simple-history listens to save(), not update()).
    refreshed = Case.objects.get(pk=case.pk)
    refreshed._change_reason = ", ".join(sorted(changes)) or "version"  # type: ignore[attr-defined]
    refreshed.save(update_fields=["updated_at"])


def update_case(
    *,
    case: Case,
    actor: User,
    expected_version: int,
    summary: str,
    case_type: str,
    status: str,
    officer: User | None,
    request: HttpRequest | None = None,
) -> Case:
    """Change the case details, refused with ``ConflictError`` if the case changed since it was opened."""
    if status == CaseStatus.CLOSED:
        raise CaseError("Use 'Close the case' to close it, with its outcome", field="status")
    if case.is_closed:
        raise CaseError("Reopen the case before changing it")
    if (
        officer is not None
        and not Membership.objects.filter(user=officer, agency=case.owning_agency, is_active=True).exists()
    ):
        raise CaseError(f"Choose an officer of {case.owning_agency.name}", field="officer")
    changed = [
        label
        for label, old, new in (
            ("summary", case.summary, summary.strip()),
            ("type", case.case_type, case_type),
            ("status", case.status, status),
            ("officer", case.officer_id, officer.pk if officer else None),
        )
        if old != new
    ]
    with transaction.atomic():
        _bump(case, expected_version, summary=summary.strip(), case_type=case_type, status=status, officer=officer)
        if changed:
            add_chronology_entry(case, ChronologyKind.CHANGE, "Changed: " + ", ".join(changed), actor)
        _log(case, AccessAction.CHANGE, actor, detail="Changed: " + ", ".join(changed), request=request)
    return case


def add_party(
    *,
    case: Case,
    person: Person,
    role: str,
    actor: User,
    reason: str = "",
    request: HttpRequest | None = None,
) -> CaseParty:
    """Put a person on a case in a role. Making someone already on the case (a victim, a complainant, a witness)
    a subject of the behaviour too needs a reason, kept in the chronology: powers are given only to subjects."""
    if person.partnership_id != case.partnership_id:
        raise CaseError("Choose a person of this partnership")
    if CaseParty.objects.filter(case=case, person=person, role=role).exists():
        raise CaseError(f"{person.display_name} is already on this case as {PartyRole(role).label.lower()}", "role")
    other_roles = [
        PartyRole(r).label.lower()
        for r in CaseParty.objects.filter(case=case, person=person).exclude(role=role).values_list("role", flat=True)
    ]
    text = f"{person.display_name} added as {PartyRole(role).label.lower()}"
    if role == PartyRole.SUBJECT and other_roles:
        if not reason.strip():
            raise CaseError(
                f"{person.display_name} is already on this case as {' and '.join(sorted(other_roles))}: "
                "enter why they are now a subject",
                "reason",
            )
        text += f" (already on the case as {' and '.join(sorted(other_roles))}): {reason.strip()}"
    elif reason.strip():
        text += f": {reason.strip()}"
    with transaction.atomic():
        _add_party_row(case, person, role, actor)
        _touch(case)
        add_chronology_entry(case, ChronologyKind.PARTY, text, actor)
        _log(case, AccessAction.CHANGE, actor, detail=f"Party added: person {person.pk}", request=request)
    return CaseParty.objects.get(case=case, person=person, role=role)


def add_place(
    *, case: Case, address: Address, actor: User, description: str = "", request: HttpRequest | None = None
) -> CasePlace:
    if address.partnership_id != case.partnership_id:
        raise CaseError("Choose a place of this partnership")
    with transaction.atomic():
        if not _add_place_row(case, address, actor, description):
            raise CaseError(f"{address.one_line} is already on this case", field="line1")
        _touch(case)
        add_chronology_entry(case, ChronologyKind.PLACE, f"Place added: {address.one_line}", actor)
        _log(case, AccessAction.CHANGE, actor, detail=f"Place added: address {address.pk}", request=request)
    return CasePlace.objects.get(case=case, address=address)


def add_note(
    *, case: Case, text: str, sensitivity: str, actor: User, agency: Agency, request: HttpRequest | None = None
) -> CaseNote:
    if not text.strip():
        raise CaseError("Enter the note", field="text")
    with transaction.atomic():
        note = CaseNote.objects.create(
            case=case, text=text.strip(), sensitivity=sensitivity, author=actor, agency=agency
        )
        summary = "Sensitive note added" if sensitivity == Sensitivity.SENSITIVE else f"Note: {note.text[:200]}"
        add_chronology_entry(case, ChronologyKind.NOTE, summary, actor, source=note, agency=agency)
        _log(case, AccessAction.CHANGE, actor, detail="Note added", request=request)
    return note


# --- sharing --------------------------------------------------------------------------------------------------------


def share_case(
    *,
    case: Case,
    agency: Agency,
    gateway: str,
    consent_status: str,
    reason: str,
    actor: User,
    gateway_other: str = "",
    request: HttpRequest | None = None,
) -> CaseAgency:
    """Add an agency to a case: the legal gateway and consent status are required; the share is logged."""
    if agency.partnership_id != case.partnership_id:
        raise CaseError("Choose an agency of this partnership", field="agency")
    if agency.pk == case.owning_agency_id:
        raise CaseError(f"{agency.name} owns this case already", field="agency")
    if gateway not in Gateway.values:
        raise CaseError("Select the legal gateway for sharing", field="gateway")
    if gateway == Gateway.OTHER and not gateway_other.strip():
        raise CaseError("Describe the other legal gateway", field="gateway_other")
    if consent_status not in ConsentStatus.values:
        raise CaseError("Select the consent status", field="consent_status")
    if gateway == Gateway.CONSENT and consent_status != ConsentStatus.GIVEN:
        raise CaseError("Sharing on consent needs consent to have been given", field="consent_status")
    if not reason.strip():
        raise CaseError("Enter why the agency needs this case", field="reason")
    with transaction.atomic():
        share = CaseAgency.objects.filter(case=case, agency=agency).first()
        if share is not None and share.removed_at is None:
            raise CaseError(f"{agency.name} is already on this case", field="agency")
        previous = share.consent_status if share is not None else ""
        if share is None:
            share = CaseAgency(case=case, agency=agency)
        share.gateway, share.gateway_other = gateway, gateway_other.strip()
        share.consent_status, share.reason = consent_status, reason.strip()
        share.added_by, share.added_at, share.removed_at = actor, timezone.now(), None
        share.save()
        ConsentChange.objects.create(
            case=case,
            agency=agency,
            from_status=previous,
            to_status=consent_status,
            reason=reason.strip(),
            changed_by=actor,
        )
        _touch(case)
        add_chronology_entry(
            case,
            ChronologyKind.SHARE,
            f"{agency.name} added to the case ({share.get_gateway_display()}; consent "
            f"{share.get_consent_status_display().lower()})",
            actor,
            source=share,
        )
        _log(case, AccessAction.SHARE, actor, detail=f"Shared with agency {agency.pk}", request=request)
    return share


def remove_agency(*, share: CaseAgency, reason: str, actor: User, request: HttpRequest | None = None) -> CaseAgency:
    """Take an agency off a case: it stops seeing the case at once; who, when and why are kept on the share."""
    if not reason.strip():
        raise CaseError("Enter why the agency is coming off the case", field="reason")
    with transaction.atomic():
        locked = CaseAgency.objects.select_for_update().select_related("agency", "case").get(pk=share.pk)
        if locked.removed_at is not None:
            raise CaseError(f"{locked.agency.name} is no longer on this case")
        locked.removed_at, locked.removed_by, locked.removed_reason = timezone.now(), actor, reason.strip()
        locked.save(update_fields=["removed_at", "removed_by", "removed_reason"])
        case = locked.case
        _touch(case)
        add_chronology_entry(
            case, ChronologyKind.UNSHARE, f"{locked.agency.name} removed from the case: {reason.strip()}", actor
        )
        _log(
            case, AccessAction.CHANGE, actor, detail=f"Agency {locked.agency_id} removed from the case", request=request
        )
    return locked


def change_consent(
    *, share: CaseAgency, consent_status: str, reason: str, actor: User, request: HttpRequest | None = None
) -> CaseAgency:
    if consent_status not in ConsentStatus.values:
        raise CaseError("Select the consent status", field="consent_status")
    if not reason.strip():
        raise CaseError("Enter why consent changed", field="reason")
    if share.gateway == Gateway.CONSENT and consent_status != ConsentStatus.GIVEN:
        raise CaseError(
            "This agency is on the case by consent. Record another gateway by removing and adding it again, "
            "or remove the agency",
            field="consent_status",
        )
    case = share.case
    with transaction.atomic():
        previous = share.consent_status
        share.consent_status = consent_status
        share.save(update_fields=["consent_status"])
        ConsentChange.objects.create(
            case=case,
            agency=share.agency,
            from_status=previous,
            to_status=consent_status,
            reason=reason.strip(),
            changed_by=actor,
        )
        _touch(case)
        add_chronology_entry(
            case,
            ChronologyKind.CONSENT,
            f"Consent for {share.agency.name}: {ConsentStatus(previous).label.lower()} → "
            f"{ConsentStatus(consent_status).label.lower()}",
            actor,
            source=share,
        )
        _log(case, AccessAction.CHANGE, actor, detail=f"Consent changed for agency {share.agency_id}", request=request)
    return share


def transfer_case(
    *,
    case: Case,
    to_agency: Agency,
    officer: User | None,
    consent_status: str,
    reason: str,
    actor: User,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move ownership to another agency. The consent status is recorded again (the Northamptonshire rule); the old
    owner stays on the case as an added agency (s.115) so its history remains visible to it."""
    if to_agency.partnership_id != case.partnership_id:
        raise CaseError("Choose an agency of this partnership", field="agency")
    if to_agency.pk == case.owning_agency_id:
        raise CaseError(f"{to_agency.name} owns this case already", field="agency")
    if consent_status not in ConsentStatus.values:
        raise CaseError("Select the consent status for the new owner", field="consent_status")
    if not reason.strip():
        raise CaseError("Enter why the case is being transferred", field="reason")
    if officer is not None and not Membership.objects.filter(user=officer, agency=to_agency, is_active=True).exists():
        raise CaseError(f"Choose an officer of {to_agency.name}", field="officer")
    old_owner = case.owning_agency
    with transaction.atomic():
        previous_share = CaseAgency.objects.filter(case=case, agency=to_agency).first()
        previous = previous_share.consent_status if previous_share is not None else ""
        if previous_share is not None:
            previous_share.delete()
        _bump(case, expected_version, owning_agency=to_agency, officer=officer)
        ConsentChange.objects.create(
            case=case,
            agency=to_agency,
            from_status=previous,
            to_status=consent_status,
            reason=reason.strip(),
            on_transfer=True,
            changed_by=actor,
        )
        CaseAgency.objects.update_or_create(
            case=case,
            agency=old_owner,
            defaults={
                "gateway": Gateway.S115,
                "gateway_other": "",
                "consent_status": consent_status,
                "reason": f"Previous owner (transferred to {to_agency.name})",
                "added_by": actor,
                "added_at": timezone.now(),
                "removed_at": None,
            },
        )
        add_chronology_entry(
            case,
            ChronologyKind.TRANSFER,
            f"Ownership transferred from {old_owner.name} to {to_agency.name}; consent "
            f"{ConsentStatus(consent_status).label.lower()}. {reason.strip()}",
            actor,
            agency=old_owner,
        )
        _log(case, AccessAction.SHARE, actor, detail=f"Transferred to agency {to_agency.pk}", request=request)
    case.refresh_from_db()
    return case


# --- closing and reopening ------------------------------------------------------------------------------------------

# Retention review after closure, by record class: a local policy default (each agency's retention schedule rules;
# the partnership can change these figures). Hate incidents and vulnerability cases are kept longer because repeat
# victimisation and safeguarding history matter for longer.
RETENTION_YEARS: dict[str, int] = {
    CaseType.ASB: 6,
    CaseType.NOISE: 6,
    CaseType.NUISANCE_PREMISES: 6,
    CaseType.OTHER: 6,
    CaseType.HATE: 7,
    CaseType.VULNERABILITY: 10,
}


def retention_review_date(case_type: str, closed_on: date) -> date:
    years = RETENTION_YEARS.get(case_type, 6)
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:  # 29 February
        return closed_on.replace(year=closed_on.year + years, day=28)


def close_case(
    *,
    case: Case,
    actor: User,
    expected_version: int,
    outcome: str,
    victim_satisfaction: str,
    reason_told: str,
    closed_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> Case:
    if case.is_closed:
        raise CaseError(f"Case {case.reference} is already closed")
    if outcome not in ClosureOutcome.values:
        raise CaseError("Select the outcome", field="outcome")
    if victim_satisfaction not in Satisfaction.values:
        raise CaseError("Select how satisfied the victim was, or 'Not asked'", field="victim_satisfaction")
    if not reason_told.strip():
        raise CaseError("Enter what the victim was told about why the case is closing", field="reason_told")
    closed_at = closed_at or timezone.now()
    if closed_at > timezone.now():
        raise CaseError("Enter a closing date that has already passed", field="closed_at")
    if closed_at < case.opened_at:
        raise CaseError("Enter a closing date on or after the day the case was opened", field="closed_at")
    review_on = retention_review_date(case.case_type, timezone.localdate(closed_at))
    with transaction.atomic():
        _bump(
            case,
            expected_version,
            status=CaseStatus.CLOSED,
            closed_at=closed_at,
            closure_outcome=outcome,
            victim_satisfaction=victim_satisfaction,
            closure_reason_told=reason_told.strip(),
            retention_review_on=review_on,
        )
        add_chronology_entry(
            case,
            ChronologyKind.CLOSED,
            f"Case closed: {ClosureOutcome(outcome).label}. Victim satisfaction: "
            f"{Satisfaction(victim_satisfaction).label.lower()}. Told the victim: {reason_told.strip()}",
            actor,
            at=closed_at,
        )
        _log(case, AccessAction.CHANGE, actor, detail="Closed", request=request)
    return case


def reopen_case(
    *, case: Case, actor: User, expected_version: int, reason: str, request: HttpRequest | None = None
) -> Case:
    """Reopen a closed case: the closure stays in the chronology and the case history; the case is open again."""
    if not case.is_closed:
        raise CaseError(f"Case {case.reference} is not closed")
    if not reason.strip():
        raise CaseError("Enter why the case is being reopened", field="reason")
    outcome = case.get_closure_outcome_display()
    with transaction.atomic():
        _bump(
            case,
            expected_version,
            status=CaseStatus.OPEN,
            closed_at=None,
            closure_outcome="",
            victim_satisfaction="",
            closure_reason_told="",
            retention_review_on=None,
        )
        add_chronology_entry(
            case, ChronologyKind.REOPENED, f"Case reopened (was closed: {outcome}). {reason.strip()}", actor
        )
        _log(case, AccessAction.CHANGE, actor, detail="Reopened", request=request)
    return case


def update_person(
    *,
    person: Person,
    actor: User,
    given_name: str,
    family_name: str,
    organisation_name: str,
    aliases: str,
    date_of_birth: date | None,
    phone: str,
    email: str,
    vulnerability_notes: str,
    address: Address | None,
    request: HttpRequest | None = None,
) -> Person:
    """Correct or add to a person's details; the name key is worked out again (so matching sees the change)."""
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise CaseError("Enter a date of birth in the past", field="date_of_birth")
    if date_of_birth is not None:
        first = (
            Report.objects.filter(Q(reporter=person) | Q(victims=person) | Q(subjects=person))
            .exclude(occurred_from__isnull=True)
            .order_by("occurred_from")
            .values_list("occurred_from", flat=True)
            .first()
        )
        if first is not None and timezone.localdate(first) < date_of_birth:
            raise CaseError(
                f"Enter a date of birth before {timezone.localdate(first):%-d %B %Y}, when a report about them "
                "happened",
                field="date_of_birth",
            )
    if not (given_name.strip() or family_name.strip() or organisation_name.strip()):
        raise CaseError("Enter a name", field="family_name")
    with transaction.atomic():
        person.given_name, person.family_name = given_name.strip(), family_name.strip()
        person.organisation_name, person.aliases = organisation_name.strip(), aliases.strip()
        person.date_of_birth, person.phone, person.email = date_of_birth, phone.strip(), email.strip()
        person.vulnerability_notes, person.address = vulnerability_notes.strip(), address
        person.name_key = person.compute_name_key()
        person.save()
        record_access(
            action=AccessAction.CHANGE,
            actor=actor,
            partnership=person.partnership,
            object_type="person",
            object_id=person.pk,
            detail="Details changed",
            request=request,
        )
    return person


@transaction.atomic
def note_known_elsewhere(
    *, report: Report, found: list[KnownElsewhere], actor: User, request: HttpRequest | None = None
) -> None:
    """Record, once per report and case, that the report's agency was told to contact a case's owner (in the access
    log, against the case), and tell the owner (``signals.known_to_another_agency``; interventions notifies)."""
    agency = report.receiving_agency
    for item in found:
        _notice, created = KnownElsewhereNotice.objects.get_or_create(
            report=report, case=item.case, defaults={"agency": agency}
        )
        if not created:
            continue
        record_access(
            action=AccessAction.SEARCH,
            actor=actor,
            partnership=report.partnership,
            agency=agency,
            object_type="case",
            object_id=item.case.pk,
            detail=(
                f"First-call match: report {report.reference} names someone on this case; {agency.name} was told to "
                f"contact {item.agency} (nothing of the case was shown)"
            ),
            request=request,
        )
        signals.known_to_another_agency.send(sender=Report, case=item.case, report=report, agency=agency)
