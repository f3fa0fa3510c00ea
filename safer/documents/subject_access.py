"""Subject access requests: the register's writes, and the export of everything held about one person.

The clock (UK GDPR Art 12(3), ICO guidance): one calendar month from receipt, the same date next month or, when that
month has no such date, its last day (``models.sar_due_on``); extendable by two further months for complex or
numerous requests, if the requester is told within the first month (``models.sar_latest_extension``).

Who: the partnership's data protection officers (``Role.DPO``). A request is answered for the whole partnership's
records, so the DPO sees every agency's cases about the person here, whatever agency they work for.

The export (a ZIP, built in the background) is for the DPO to review, not to send as it is:

* ``summary.pdf``: the request, what the ZIP holds, and what needs review before disclosure;
* ``person.csv`` (the person's own record), ``cases.csv``, ``reports.csv``, ``roles.csv`` (the person's roles on
  each case and report; other people on the same cases are counted, never named: third-party data);
* ``chronology.csv`` and ``notes.csv`` of those cases. Notes marked sensitive are included, flagged in a
  ``review`` column: they are often the ones an exemption (crime and taxation, third-party, safeguarding) applies
  to, and the DPO decides;
* ``documents/`` (the files attached to those cases, with ``documents.csv``);
* ``interventions/`` (risk assessments, interventions and powers, tasks) when the interventions app is installed:
  rows about the person's own party records, or about the case when a row names no party;
* ``access_log.csv``: who viewed, exported, printed or changed the person's record, their cases, reports and
  documents, when and why.

One ``AccessEvent`` (export, object "person") records the export; downloading the ZIP writes the job's own event.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape

from safer.cases.models import Case, CaseNote, CaseParty, ChronologyEntry, Person, Report, Sensitivity, name_key
from safer.cases.services import allocate_reference
from safer.core.audit import record_access
from safer.core.models import AccessAction, AccessEvent, Job, Partnership, User
from safer.core.spreadsheets import csv_bytes
from safer.documents.filetypes import safe_name
from safer.documents.models import (
    CaseDocument,
    SarStatus,
    SubjectAccessRequest,
    sar_due_on,
    sar_latest_extension,
)

SAR_PREFIX = "SAR"
EXPORT_KIND = "subject_access_export"


class SarError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _log(sar: SubjectAccessRequest, action: str, actor: User, detail: str = "") -> None:
    record_access(
        action=action,
        actor=actor,
        partnership=sar.partnership,
        object_type="subject_access_request",
        object_id=sar.pk,
        detail=detail,
    )


@transaction.atomic
def register_request(
    *,
    partnership: Partnership,
    actor: User,
    requester_name: str,
    received_on: date,
    requester_date_of_birth: date | None = None,
    notes: str = "",
) -> SubjectAccessRequest:
    if received_on > timezone.localdate():
        raise SarError("The date received cannot be in the future", field="received_on")
    sar = SubjectAccessRequest.objects.create(
        partnership=partnership,
        reference=allocate_reference(partnership, SAR_PREFIX, received_on.year),
        requester_name=requester_name.strip(),
        requester_date_of_birth=requester_date_of_birth,
        received_on=received_on,
        due_on=sar_due_on(received_on),
        handled_by=actor,
        notes=notes.strip(),
    )
    _log(sar, AccessAction.CREATE, actor)
    return sar


@transaction.atomic
def match_person(*, sar: SubjectAccessRequest, person: Person, actor: User) -> SubjectAccessRequest:
    if person.partnership_id != sar.partnership_id:
        raise SarError("Choose a person of this partnership", field="person")
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(person=person)
    sar.person = person
    _log(sar, AccessAction.CHANGE, actor, detail=f"matched to person {person.pk}")
    return sar


@transaction.atomic
def extend(
    *, sar: SubjectAccessRequest, extended_to: date, told_on: date, reason: str, actor: User
) -> SubjectAccessRequest:
    """Extend the deadline by up to two further months; the requester must have been told within the first month."""
    if sar.extended_to is not None:
        raise SarError("This request has already been extended; it cannot be extended again", field="extended_to")
    latest = sar_latest_extension(sar.received_on)
    if extended_to <= sar.due_on:
        raise SarError(f"The new deadline must be after the current one, {sar.due_on:%-d %B %Y}", field="extended_to")
    if extended_to > latest:
        raise SarError(
            f"The deadline can be extended by two further months at most: no later than {latest:%-d %B %Y}",
            field="extended_to",
        )
    if told_on > sar.due_on or told_on < sar.received_on:
        raise SarError(
            f"The requester must be told within the first month, by {sar.due_on:%-d %B %Y}", field="extension_told_on"
        )
    if not reason.strip():
        raise SarError("Enter why the request needs longer", field="extension_reason")
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(
        extended_to=extended_to, extension_told_on=told_on, extension_reason=reason.strip()
    )
    sar.refresh_from_db()
    _log(sar, AccessAction.CHANGE, actor, detail="deadline extended")
    return sar


@transaction.atomic
def set_status(
    *, sar: SubjectAccessRequest, status: str, completed_on: date | None, actor: User
) -> SubjectAccessRequest:
    if status == SarStatus.COMPLETED and completed_on is None:
        raise SarError("Enter the date the response was sent", field="completed_on")
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(
        status=status, completed_on=completed_on if status == SarStatus.COMPLETED else None
    )
    sar.refresh_from_db()
    _log(sar, AccessAction.CHANGE, actor, detail=f"status {status}")
    return sar


def candidate_people(sar: SubjectAccessRequest) -> list[Person]:
    """People of the partnership who may be the requester: the same name (any order, titles dropped), or the same
    date of birth and family name."""
    key = name_key(sar.requester_name)
    condition = Q(name_key=key)
    tokens = key.split()
    if sar.requester_date_of_birth is not None and tokens:
        same_dob = Q(date_of_birth=sar.requester_date_of_birth)
        for token in tokens:
            condition |= same_dob & Q(name_key__contains=token)
    people = Person.objects.filter(partnership=sar.partnership).filter(condition).select_related("address")
    return list(people.order_by("family_name", "given_name", "pk")[:20])


# --- the export -----------------------------------------------------------------------------------------------------


def _csv(rows: Iterable[Iterable[Any]], header: list[str]) -> bytes:
    """One CSV of the ZIP, through the shared writer (no cell opens as a formula; a BOM for Excel)."""
    return csv_bytes(header, rows)


def _when(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return str(timezone.localtime(value).strftime("%Y-%m-%d %H:%M"))
    return str(value.isoformat())


def _user(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def person_records(person: Person) -> tuple[list[Case], list[Report]]:
    """Every case and report of the partnership about the person (as a party, reporter, victim or subject)."""
    reports = list(
        Report.objects.filter(partnership_id=person.partnership_id)
        .filter(Q(reporter=person) | Q(victims=person) | Q(subjects=person))
        .distinct()
        .select_related("receiving_agency", "case")
        .order_by("received_at", "pk")
    )
    case_ids = set(CaseParty.objects.filter(person=person).values_list("case_id", flat=True))
    case_ids |= {r.case_id for r in reports if r.case_id}
    cases = list(
        Case.objects.filter(partnership_id=person.partnership_id, pk__in=case_ids)
        .select_related("owning_agency", "officer")
        .order_by("opened_at", "pk")
    )
    return cases, reports


def _field_value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    if field.is_relation:
        related = getattr(obj, field.name, None)
        return "" if related is None else str(related.pk)
    value = getattr(obj, field.attname)
    display = getattr(obj, f"get_{field.name}_display", None)
    if field.choices and callable(display):
        return display()
    if hasattr(value, "isoformat"):
        return _when(value)
    return value


def _interventions_files(person: Person, cases: list[Case]) -> dict[str, tuple[bytes, int]]:
    """CSVs of the interventions app's rows about the person, if that app is installed (looked up, not imported)."""
    if not apps.is_installed("safer.interventions"):
        return {}
    files: dict[str, tuple[bytes, int]] = {}
    case_ids = [c.pk for c in cases]
    for model in apps.get_app_config("interventions").get_models():
        names = {f.name: f for f in model._meta.concrete_fields}
        case_field = names.get("case")
        if case_field is None or not case_field.is_relation:
            continue
        qs = model._default_manager.filter(case_id__in=case_ids)
        party_fields = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is CaseParty and f.name != "case"
        ]
        if party_fields:
            # Only rows about the person's own party records; rows about other parties are third-party data.
            condition = Q()
            for name in party_fields:
                condition |= Q(**{f"{name}__person": person})
            if any(not names[n].null for n in party_fields):
                qs = qs.filter(condition)
            else:
                qs = qs.filter(condition | Q(**{f"{n}__isnull": True for n in party_fields}))
        fields = list(model._meta.concrete_fields)
        rows = [[_field_value(obj, f) for f in fields] for obj in qs.order_by("pk")]
        files[f"interventions/{model._meta.model_name}.csv"] = (
            _csv(rows, [str(f.verbose_name) for f in fields]),
            len(rows),
        )
    return files


def access_events_about(person: Person, cases: list[Case], reports: list[Report]) -> list[AccessEvent]:
    return list(access_events_query(person, cases, reports).order_by("at", "pk"))


def access_events_query(person: Person, cases: list[Case], reports: list[Report]) -> QuerySet[AccessEvent]:
    """The access log's events about the person, their cases, reports and documents ("who has seen their data")."""
    case_ids = [str(c.pk) for c in cases]
    document_ids = [str(pk) for pk in CaseDocument.objects.filter(case__in=cases).values_list("pk", flat=True)]
    condition = (
        Q(object_type="person", object_id=str(person.pk))
        | Q(object_type="case", object_id__in=case_ids)
        | Q(object_type="report", object_id__in=[str(r.pk) for r in reports])
        | Q(object_type="case_document", object_id__in=document_ids)
    )
    return (
        AccessEvent.objects.filter(partnership_id=person.partnership_id)
        .filter(condition)
        .select_related("actor", "actor_agency")
    )


def _summary_pdf(
    sar: SubjectAccessRequest, person: Person, cases: list[Case], reports: list[Report], contents: list[tuple[str, str]]
) -> bytes:
    from weasyprint import HTML

    rows = "".join(f"<tr><td>{escape(name)}</td><td>{escape(what)}</td></tr>" for name, what in contents)
    case_rows = "".join(
        f"<tr><td>{escape(c.reference)}</td><td>{escape(c.get_case_type_display())}</td>"
        f"<td>{escape(c.get_status_display())}</td><td>{escape(c.owning_agency.name)}</td>"
        f"<td>{_when(c.opened_at)}</td></tr>"
        for c in cases
    )
    deadline = sar.deadline
    html = f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Subject access request {escape(sar.reference)}</title>
<style>@page {{ size: A4; margin: 20mm; }} body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 6mm; }} th, td {{ border: 1px solid #b1b4b6;
padding: 2mm; text-align: left; vertical-align: top; }} h1 {{ font-size: 16pt; }} h2 {{ font-size: 12pt; }}</style>
</head><body>
<h1>Subject access request {escape(sar.reference)}</h1>
<p>{escape(sar.partnership.name)}. Everything held about {escape(person.display_name)}
(person {person.pk}) in this system, exported on {timezone.localdate():%-d %B %Y}.</p>
<table><caption>The request</caption><tbody>
<tr><th scope="row">Received</th><td>{sar.received_on:%-d %B %Y}</td></tr>
<tr><th scope="row">Due</th><td>{sar.due_on:%-d %B %Y}</td></tr>
<tr><th scope="row">Deadline</th><td>{deadline:%-d %B %Y}{" (extended)" if sar.extended_to else ""}</td></tr>
<tr><th scope="row">Cases</th><td>{len(cases)}</td></tr>
<tr><th scope="row">Reports</th><td>{len(reports)}</td></tr>
</tbody></table>
<h2>Before disclosure</h2>
<p>This export is for the data protection officer to review, not to send as it is. Other people on the same cases
are counted but not named. Chronology entries, notes and documents can still mention other people: redact
third-party data unless they consent or it is reasonable to disclose without consent. Notes marked sensitive are
included and flagged in the review column of notes.csv: consider the exemptions (for example crime and taxation,
or safeguarding) before disclosing them.</p>
<h2>Cases</h2>
<table><thead><tr><th scope="col">Reference</th><th scope="col">Type</th><th scope="col">Status</th>
<th scope="col">Owning agency</th><th scope="col">Opened</th></tr></thead><tbody>{case_rows}</tbody></table>
<h2>What the ZIP holds</h2>
<table><thead><tr><th scope="col">File</th><th scope="col">What it is</th></tr></thead><tbody>{rows}</tbody></table>
</body></html>"""
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def build_export(sar: SubjectAccessRequest, progress: Any = None) -> tuple[bytes, dict[str, int]]:
    """The ZIP's bytes and the number of rows or files in each part."""
    person = sar.person
    if person is None:
        raise SarError("Match the request to a person on the system before exporting")

    def step(message: str) -> None:
        if progress is not None:
            progress.advance(1, message=message)

    cases, reports = person_records(person)
    step("Cases and reports")
    files: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    contents: list[tuple[str, str]] = []

    def add(name: str, data: bytes, what: str, count: int) -> None:
        files[name] = data
        counts[name] = count
        contents.append((name, f"{what} ({count})"))

    add(
        "person.csv",
        _csv(
            [
                [
                    person.pk,
                    person.get_kind_display(),
                    person.given_name,
                    person.family_name,
                    person.organisation_name,
                    person.aliases.replace("\n", "; "),
                    _when(person.date_of_birth),
                    person.get_gender_display() if person.gender else "",
                    person.phone,
                    person.email,
                    person.address.one_line if person.address else "",
                    person.vulnerability_notes,
                    _when(person.created_at),
                ]
            ],
            [
                "person_id",
                "kind",
                "given_name",
                "family_name",
                "organisation_name",
                "aliases",
                "date_of_birth",
                "gender",
                "phone",
                "email",
                "address",
                "vulnerability_notes",
                "recorded_at",
            ],
        ),
        "The person's own record",
        1,
    )
    add(
        "cases.csv",
        _csv(
            [
                [
                    c.reference,
                    c.get_case_type_display(),
                    c.get_status_display(),
                    c.owning_agency.name,
                    _user(c.officer),
                    _when(c.opened_at),
                    c.summary,
                    c.ward_name,
                    _when(c.closed_at),
                    c.get_closure_outcome_display() if c.closure_outcome else "",
                    c.closure_reason_told,
                ]
                for c in cases
            ],
            [
                "reference",
                "type",
                "status",
                "owning_agency",
                "officer",
                "opened",
                "summary",
                "ward",
                "closed",
                "outcome",
                "closure_reason_told",
            ],
        ),
        "Cases the person is on",
        len(cases),
    )
    report_roles: list[list[str]] = []
    for r in reports:
        roles = []
        if r.reporter_id == person.pk:
            roles.append("reporter")
        if r.victims.filter(pk=person.pk).exists():
            roles.append("victim")
        if r.subjects.filter(pk=person.pk).exists():
            roles.append("subject")
        report_roles.append([r.reference, ", ".join(roles)])
    add(
        "reports.csv",
        _csv(
            [
                [
                    r.reference,
                    _when(r.received_at),
                    r.get_channel_display(),
                    r.receiving_agency.name,
                    r.get_nsir_type_display(),
                    "yes" if r.hate_motivated else "no",
                    r.description,
                    _when(r.occurred_from),
                    _when(r.occurred_to),
                    r.case.reference if r.case else "",
                    roles[1],
                ]
                for r, roles in zip(reports, report_roles, strict=True)
            ],
            [
                "reference",
                "received",
                "channel",
                "receiving_agency",
                "nsir_type",
                "hate_motivated",
                "description",
                "occurred_from",
                "occurred_to",
                "case",
                "person_is",
            ],
        ),
        "First-contact reports naming the person",
        len(reports),
    )
    role_rows: list[list[Any]] = []
    for c in cases:
        parties = list(c.parties.all())
        others = sum(1 for p in parties if p.person_id != person.pk)
        for p in parties:
            if p.person_id == person.pk:
                role_rows.append([c.reference, p.get_role_display(), _when(p.added_at), others])
    add(
        "roles.csv",
        _csv(role_rows, ["case", "role", "added", "other_people_on_the_case_not_named"]),
        "The person's roles on each case",
        len(role_rows),
    )
    step("Roles")
    chronology = list(
        ChronologyEntry.objects.filter(case__in=cases).select_related("case", "author", "agency").order_by("at", "pk")
    )
    add(
        "chronology.csv",
        _csv(
            [
                [e.case.reference, _when(e.at), e.get_kind_display(), e.summary, _user(e.author), e.agency or ""]
                for e in chronology
            ],
            ["case", "when", "kind", "summary", "by", "agency"],
        ),
        "The cases' chronology",
        len(chronology),
    )
    notes = list(
        CaseNote.objects.filter(case__in=cases).select_related("case", "author", "agency").order_by("at", "pk")
    )
    add(
        "notes.csv",
        _csv(
            [
                [
                    n.case.reference,
                    _when(n.at),
                    n.get_sensitivity_display(),
                    "REVIEW: sensitive note, consider exemptions before disclosure"
                    if n.sensitivity == Sensitivity.SENSITIVE
                    else "",
                    n.text,
                    _user(n.author),
                    n.agency.name,
                ]
                for n in notes
            ],
            ["case", "when", "sensitivity", "review", "text", "by", "agency"],
        ),
        "Notes on the cases, sensitive ones flagged",
        len(notes),
    )
    step("Chronology and notes")
    documents = list(CaseDocument.objects.filter(case__in=cases).select_related("case").order_by("uploaded_at", "pk"))
    doc_rows = []
    for d in documents:
        inside = f"documents/{safe_name(d.case.reference)}/{d.pk}-{safe_name(d.original_name)}"
        try:
            files[inside] = Path(d.path).read_bytes()
        except FileNotFoundError:
            inside = "(file missing from the store)"
        doc_rows.append(
            [
                d.case.reference,
                inside,
                d.original_name,
                d.kind_label,
                d.get_sensitivity_display(),
                d.description,
                _when(d.uploaded_at),
            ]
        )
    add(
        "documents.csv",
        _csv(doc_rows, ["case", "file_in_this_zip", "name", "kind", "sensitivity", "description", "added"]),
        "Documents attached to the cases (the files are in documents/)",
        len(documents),
    )
    step("Documents")
    for name, (data, count) in _interventions_files(person, cases).items():
        add(name, data, "Risk assessments, interventions or tasks", count)
    events = access_events_about(person, cases, reports)
    add(
        "access_log.csv",
        _csv(
            [
                [
                    _when(e.at),
                    e.get_action_display(),
                    _user(e.actor),
                    e.actor_agency.name if e.actor_agency else "",
                    e.object_type,
                    e.object_id,
                    e.purpose,
                    e.detail,
                ]
                for e in events
            ],
            ["when", "action", "by", "agency", "record_type", "record_id", "purpose", "detail"],
        ),
        "Who viewed, changed, exported or printed these records",
        len(events),
    )
    step("Access log")
    summary = _summary_pdf(sar, person, cases, reports, contents)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.pdf", summary)
        for name, data in files.items():
            archive.writestr(name, data)
    step("Summary")
    return out.getvalue(), counts


EXPORT_STEPS = 6


def run_export(job: Job, progress: Any) -> str:
    from safer.core.jobs import export_dir

    sar = SubjectAccessRequest.objects.select_related("person__address", "partnership").get(
        pk=job.parameters["sar_id"], partnership=job.partnership
    )
    progress.set_total(EXPORT_STEPS)
    content, counts = build_export(sar, progress)
    target = export_dir() / f"sar-{job.pk}.zip"
    partial = target.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(target)
    assert sar.person is not None
    record_access(
        action=AccessAction.EXPORT,
        actor=job.created_by,
        partnership=sar.partnership,
        object_type="person",
        object_id=sar.person.pk,
        purpose=f"Subject access request {sar.reference}",
        detail=f"subject access export, job {job.pk}",
    )
    if sar.status == SarStatus.RECEIVED:
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(status=SarStatus.IN_PROGRESS)
    Job.objects.filter(pk=job.pk).update(result_file=target.name, result_name=f"{sar.reference}-export.zip")
    return (
        f"Export ready: {counts.get('cases.csv', 0)} cases, {counts.get('reports.csv', 0)} reports, "
        f"{counts.get('documents.csv', 0)} documents, {counts.get('access_log.csv', 0)} access-log entries"
    )
