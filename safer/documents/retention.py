"""The retention review: what the DPO does when a closed case's ``retention_review_on`` comes.

Reads: ``due_cases`` (review date today or past, oldest first), ``coming_due_count`` (the next 90 days),
``review_case`` (one closed case of the partnership, 404 otherwise), ``erasure_preview`` (how much would go),
``decisions`` (the register) and ``erasure_of`` (the erase decision of a case, if any).

Writes, each in one transaction with the case row locked, each adding a ``RetentionDecision`` to the register, a
chronology line and one access-log event (type and ids only, never names):

* ``keep_case``: a new review date, after today and at most ``MAX_KEEP_YEARS`` ahead, with a reason.
* ``erase_case``: removes the case's personal data, all or nothing, and keeps the case row as an anonymised stub
  (reference, type, owning agency, officer, dates, outcome, satisfaction, ward) so counts stay right:

  - the case's parties; each person on them, or on the case's reports, who is on no other case or report (and
    their risk assessments, which hang off the parties); the case's places, and each of those addresses and the
    erased people's addresses that nothing else (a case, a report, a remaining person) points at;
  - notes; the summary and what the victim was told; every chronology summary becomes ``ERASED``;
  - documents and letters, rows and stored files (the files once the transaction has committed, so a refusal
    leaves them in place);
  - the case's reports keep their reference, dates, channel, agency and NSIR type, but lose their description,
    reporter, victims, subjects and place;
  - interventions keep kind, step, dates, status and outcome, but lose their subject, place and notes, and
    breaches their text; tasks written by a person lose their title; agency shares and consent changes lose their
    free-text reasons; links to other cases go;
  - the change history (django-simple-history) of all of these is erased the same way, so the data does not
    survive in the history tables.

  Refused when the case has an order, notice or warning still in force (record it as ended first) or a person on it
  has an open subject access request (answer it first: the data must not go while a request for it is open).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from safer.cases.models import (
    Address,
    Case,
    CaseAgency,
    CaseLink,
    CaseNote,
    CaseParty,
    CasePlace,
    CaseStatus,
    ChronologyEntry,
    ChronologyKind,
    ConsentChange,
    Person,
    Report,
)
from safer.cases.services import add_chronology_entry
from safer.core.audit import record_access
from safer.core.models import AccessAction, Agency, Membership, Partnership, User
from safer.documents.models import (
    OPEN_SAR_STATUSES,
    CaseDocument,
    RetentionChoice,
    RetentionDecision,
    SubjectAccessRequest,
    add_months,
)
from safer.interventions.models import Breach, CaseTask, Intervention, InterventionStatus, RiskAssessment, TaskSource
from safer.interventions.powers import PowerKind

logger = logging.getLogger(__name__)

ERASED = "[erased at retention review]"
COMING_DUE_DAYS = 90
MAX_KEEP_YEARS = 10
PURPOSE = "Data protection: retention review"

# Orders, notices and warnings that bind someone while in force: a case holding one cannot lose its evidence.
ENFORCEABLE = frozenset(
    {
        PowerKind.CPW,
        PowerKind.CPN,
        PowerKind.DISPERSAL,
        PowerKind.CIVIL_INJUNCTION,
        PowerKind.CBO,
        PowerKind.CLOSURE_NOTICE,
        PowerKind.CLOSURE_ORDER,
        PowerKind.PSPO,
    }
)


class RetentionError(Exception):
    """A decision refused with a message for the DPO (names the form field when there is one)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- reads ------------------------------------------------------------------------------------------------------------


def _erased_ids(partnership: Partnership) -> QuerySet[RetentionDecision, int]:
    return RetentionDecision.objects.filter(partnership=partnership, decision=RetentionChoice.ERASE).values_list(
        "case_id", flat=True
    )


def _closed(partnership: Partnership) -> QuerySet[Case]:
    return Case.objects.filter(
        partnership=partnership, status=CaseStatus.CLOSED, retention_review_on__isnull=False
    ).exclude(pk__in=_erased_ids(partnership))


def due_cases(partnership: Partnership, today: date | None = None) -> QuerySet[Case]:
    """Closed cases of the partnership whose review date is today or past, the longest overdue first."""
    today = today or timezone.localdate()
    return (
        _closed(partnership)
        .filter(retention_review_on__lte=today)
        .select_related("owning_agency")
        .order_by("retention_review_on", "closed_at", "pk")
    )


def coming_due_count(partnership: Partnership, today: date | None = None, days: int = COMING_DUE_DAYS) -> int:
    """How many closed cases come due after today and within ``days``."""
    today = today or timezone.localdate()
    return (
        _closed(partnership)
        .filter(retention_review_on__gt=today, retention_review_on__lte=today + timedelta(days=days))
        .count()
    )


def review_case(partnership: Partnership, case_id: int) -> Case:
    """A closed (or erased) case of the partnership; 404 for anything else, another partnership's above all."""
    case = (
        Case.objects.filter(partnership=partnership, pk=case_id, status=CaseStatus.CLOSED)
        .select_related("owning_agency")
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def erasure_of(case: Case) -> RetentionDecision | None:
    """The decision that erased the case's personal data, or None while it still holds it."""
    return (
        RetentionDecision.objects.filter(case=case, decision=RetentionChoice.ERASE).select_related("decided_by").first()
    )


def decisions(partnership: Partnership) -> QuerySet[RetentionDecision]:
    """The register, newest first."""
    return RetentionDecision.objects.filter(partnership=partnership).select_related(
        "case", "decided_by", "decided_by_agency"
    )


def latest_keep_date(today: date | None = None) -> date:
    return add_months(today or timezone.localdate(), 12 * MAX_KEEP_YEARS)


def is_due(case: Case, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return case.is_closed and case.retention_review_on is not None and case.retention_review_on <= today


def live_orders(case: Case) -> QuerySet[Intervention]:
    """Orders, notices and warnings on the case that are still in force (no end date counts as in force)."""
    return Intervention.objects.filter(
        case=case, kind__in=[str(k) for k in ENFORCEABLE], status=InterventionStatus.ACTIVE
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


@dataclass
class ErasurePlan:
    """What erasing a case would remove (ids), worked out from the database as it is now."""

    case: Case
    report_ids: list[int] = field(default_factory=list)
    person_ids: set[int] = field(default_factory=set)  # people who go
    kept_people: int = 0  # people on the case who stay, being on another case or report
    address_ids: set[int] = field(default_factory=set)  # addresses that go
    counts: dict[str, int] = field(default_factory=dict)


def _plan(case: Case) -> ErasurePlan:
    plan = ErasurePlan(case=case)
    plan.report_ids = list(Report.objects.filter(case=case).values_list("pk", flat=True))
    on_case = set(CaseParty.objects.filter(case=case).values_list("person_id", flat=True))
    candidates = on_case | _report_people(plan.report_ids)
    # Still needed: on another case, or named on a report that is not this case's.
    elsewhere = set(
        CaseParty.objects.filter(person_id__in=candidates).exclude(case=case).values_list("person_id", flat=True)
    )
    elsewhere |= set(
        Report.objects.filter(reporter_id__in=candidates)
        .exclude(pk__in=plan.report_ids)
        .values_list("reporter_id", flat=True)
    )
    for through in (Report.victims.through, Report.subjects.through):
        elsewhere |= set(
            through.objects.filter(person_id__in=candidates)
            .exclude(report_id__in=plan.report_ids)
            .values_list("person_id", flat=True)
        )
    plan.person_ids = candidates - elsewhere
    plan.kept_people = len(candidates & elsewhere)

    addresses = set(CasePlace.objects.filter(case=case).values_list("address_id", flat=True))
    addresses |= set(
        Report.objects.filter(pk__in=plan.report_ids, place__isnull=False).values_list("place_id", flat=True)
    )
    addresses |= set(
        Person.objects.filter(pk__in=plan.person_ids, address__isnull=False).values_list("address_id", flat=True)
    )
    # Still needed: another case's place, another report's place, a remaining person's address, another case's
    # intervention.
    used = set(
        CasePlace.objects.filter(address_id__in=addresses).exclude(case=case).values_list("address_id", flat=True)
    )
    used |= set(
        Report.objects.filter(place_id__in=addresses).exclude(pk__in=plan.report_ids).values_list("place_id", flat=True)
    )
    used |= set(
        Person.objects.filter(address_id__in=addresses)
        .exclude(pk__in=plan.person_ids)
        .values_list("address_id", flat=True)
    )
    used |= set(
        Intervention.objects.filter(address_id__in=addresses).exclude(case=case).values_list("address_id", flat=True)
    )
    plan.address_ids = addresses - used
    plan.counts = {
        "parties": CaseParty.objects.filter(case=case).count(),
        "people": len(plan.person_ids),
        "people_kept": plan.kept_people,
        "addresses": len(plan.address_ids),
        "notes": CaseNote.objects.filter(case=case).count(),
        "documents": CaseDocument.objects.filter(case=case).count(),
        "chronology": ChronologyEntry.objects.filter(case=case).count(),
        "reports": len(plan.report_ids),
        "interventions": Intervention.objects.filter(case=case).count(),
        "risk_assessments": RiskAssessment.objects.filter(case=case).count(),
    }
    return plan


def _report_people(report_ids: list[int]) -> set[int]:
    """Everyone named on these reports: reporter, victims, subjects."""
    if not report_ids:
        return set()
    people = set(Report.objects.filter(pk__in=report_ids, reporter__isnull=False).values_list("reporter_id", flat=True))
    for through in (Report.victims.through, Report.subjects.through):
        people |= set(through.objects.filter(report_id__in=report_ids).values_list("person_id", flat=True))
    return people


def erasure_preview(case: Case) -> dict[str, int]:
    """How many records of each kind erasing the case would remove (numbers only), for the decision page."""
    return _plan(case).counts


def open_requests_about(person_ids: set[int]) -> bool:
    return SubjectAccessRequest.objects.filter(person_id__in=person_ids, status__in=OPEN_SAR_STATUSES).exists()


def refusal(case: Case) -> str:
    """Why the case cannot be erased now, or "" when it can."""
    orders = list(live_orders(case))
    if orders:
        names = ", ".join(sorted({o.get_kind_display() for o in orders}))
        return (
            f"Case {case.reference} has {len(orders)} order, notice or warning still in force ({names}). It cannot be "
            "erased until it has ended: ask the owning agency to record it as ended, or keep the case for now."
        )
    on_case = set(CaseParty.objects.filter(case=case).values_list("person_id", flat=True))
    on_case |= _report_people(list(Report.objects.filter(case=case).values_list("pk", flat=True)))
    if open_requests_about(on_case):
        return (
            f"A subject access request about someone on case {case.reference} is still open. Answer it before "
            "erasing: data must not be erased while a request for it is open."
        )
    return ""


# --- writes -----------------------------------------------------------------------------------------------------------


def _dpo_agency(actor: User, partnership: Partnership) -> Agency | None:
    membership = (
        Membership.objects.filter(user=actor, is_active=True, agency__partnership=partnership)
        .select_related("agency")
        .order_by("agency__name")
        .first()
    )
    return membership.agency if membership is not None else None


def _locked(partnership: Partnership, case: Case, today: date) -> Case:
    """The case row, locked for the decision, checked again inside the transaction (a double click decides once)."""
    locked = Case.objects.select_for_update().filter(partnership=partnership, pk=case.pk).first()
    if locked is None:
        raise Http404("No such case")
    if RetentionDecision.objects.filter(case=locked, decision=RetentionChoice.ERASE).exists():
        raise RetentionError(f"The personal data on case {locked.reference} has already been erased")
    if not is_due(locked, today):
        when = f" until {locked.retention_review_on:%-d %B %Y}" if locked.retention_review_on else ""
        raise RetentionError(f"Case {locked.reference} is not due for a retention review{when}")
    return locked


def _log(case: Case, actor: User, detail: str, agency: Agency | None, request: HttpRequest | None) -> None:
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=case.partnership,
        agency=agency,
        object_type="case",
        object_id=case.pk,
        purpose=PURPOSE,
        detail=detail,
        request=request,
    )


def keep_case(
    *,
    partnership: Partnership,
    case: Case,
    actor: User,
    next_review_on: date | None,
    reason: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> RetentionDecision:
    """Keep the case for now: its next review date, a line in its chronology, the register and the access log."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if next_review_on is None:
        raise RetentionError("Enter the date of the next retention review", field="next_review_on")
    if next_review_on <= today:
        raise RetentionError("The next review date must be in the future", field="next_review_on")
    latest = latest_keep_date(today)
    if next_review_on > latest:
        raise RetentionError(
            f"The next review date must be at most {MAX_KEEP_YEARS} years ahead: on or before {latest:%-d %B %Y}",
            field="next_review_on",
        )
    if not reason:
        raise RetentionError("Enter why the case is still needed", field="reason")
    agency = _dpo_agency(actor, partnership)
    with transaction.atomic():
        locked = _locked(partnership, case, today)
        was_on = locked.retention_review_on
        Case.objects.filter(pk=locked.pk).update(
            retention_review_on=next_review_on, version=F("version") + 1, updated_at=timezone.now()
        )
        fresh = Case.objects.get(pk=locked.pk)
        fresh._change_reason = "retention review: kept"  # type: ignore[attr-defined]
        fresh.save(update_fields=["updated_at"])  # one line in the case history
        decision = RetentionDecision.objects.create(
            partnership=partnership,
            case=locked,
            decision=RetentionChoice.KEEP,
            reason=reason,
            review_was_on=was_on,
            next_review_on=next_review_on,
            decided_by=actor,
            decided_by_agency=agency,
        )
        add_chronology_entry(
            locked,
            ChronologyKind.OTHER,
            f"Retention review: the case is kept until its next review on {next_review_on:%-d %B %Y}. Reason: {reason}",
            actor,
            source=decision,
            agency=agency,
        )
        _log(locked, actor, f"Retention review: kept, next review {next_review_on.isoformat()}", agency, request)
    case.retention_review_on = next_review_on
    return decision


def erase_case(
    *,
    partnership: Partnership,
    case: Case,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> RetentionDecision:
    """Erase the case's personal data (see the module notes), all or nothing, and register the decision."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise RetentionError("Enter why the personal data can be erased", field="reason")
    agency = _dpo_agency(actor, partnership)
    files: list[Path] = []
    with transaction.atomic():
        locked = _locked(partnership, case, today)
        problem = refusal(locked)
        if problem:
            raise RetentionError(problem)
        plan = _plan(locked)
        was_on = locked.retention_review_on
        files = _erase(locked, plan)
        decision = RetentionDecision.objects.create(
            partnership=partnership,
            case=locked,
            decision=RetentionChoice.ERASE,
            reason=reason,
            review_was_on=was_on,
            erased=plan.counts,
            decided_by=actor,
            decided_by_agency=agency,
        )
        add_chronology_entry(
            locked,
            ChronologyKind.OTHER,
            f"Personal data erased at retention review (decision {decision.pk} in the DPO's register)",
            actor,
            source=decision,
            agency=agency,
        )
        _log(locked, actor, "Retention review: personal data erased", agency, request)
        transaction.on_commit(lambda: _remove_files(files))
    case.summary, case.closure_reason_told, case.retention_review_on = "", "", None
    return decision


def _erase(case: Case, plan: ErasurePlan) -> list[Path]:
    """The deletions and blankings, inside the caller's transaction. Returns the stored files to remove."""
    # Interventions stay as counts; what identifies someone goes. Their subject is a party (PROTECT): unhook first.
    interventions = Intervention.objects.filter(case=case)
    interventions.update(subject=None, subject_key="", place="", address=None, notes="")
    Intervention.objects.filter(subject__case=case).update(subject=None)  # another case's, should any point here
    Breach.objects.filter(intervention__case=case).update(action_taken=ERASED)
    CaseTask.objects.filter(case=case, source=TaskSource.MANUAL).update(title=ERASED)
    CaseTask.objects.filter(case=case).update(done_note="")
    RiskAssessment.objects.filter(case=case).delete()  # about the parties, which go

    documents = list(CaseDocument.objects.filter(case=case))
    files = [d.path for d in documents]
    CaseDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()

    note_ids = list(CaseNote.objects.filter(case=case).values_list("pk", flat=True))
    CaseNote.objects.filter(pk__in=note_ids).delete()
    CaseNote.history.filter(id__in=note_ids).delete()

    ChronologyEntry.objects.filter(case=case).update(summary=ERASED)
    CaseParty.objects.filter(case=case).delete()
    place_ids = list(CasePlace.objects.filter(case=case).values_list("pk", flat=True))
    CasePlace.objects.filter(pk__in=place_ids).delete()
    CaseLink.objects.filter(Q(case=case) | Q(linked_case=case)).delete()

    share_ids = list(CaseAgency.objects.filter(case=case).values_list("pk", flat=True))
    for shares in (CaseAgency.objects.filter(pk__in=share_ids), CaseAgency.history.filter(id__in=share_ids)):
        shares.update(reason=ERASED)
        shares.exclude(removed_reason="").update(removed_reason=ERASED)
    ConsentChange.objects.filter(case=case).exclude(reason="").update(reason=ERASED)

    reports = Report.objects.filter(pk__in=plan.report_ids)
    for report in reports:
        report.victims.clear()
        report.subjects.clear()
    reports.update(description=ERASED, reporter=None, place=None)
    Report.history.filter(id__in=plan.report_ids).update(description=ERASED, reporter=None, place=None)

    # People and places nothing else points at. A finished subject access request keeps its register entry (the
    # name as written in the request) but no longer points at the person.
    SubjectAccessRequest.objects.filter(person_id__in=plan.person_ids).update(person=None)
    Person.objects.filter(pk__in=plan.person_ids).delete()
    Person.history.filter(id__in=plan.person_ids).delete()
    Address.objects.filter(pk__in=plan.address_ids).delete()
    Address.history.filter(id__in=plan.address_ids).delete()

    Case.objects.filter(pk=case.pk).update(
        summary="",
        closure_reason_told="",
        retention_review_on=None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    Case.history.filter(id=case.pk).update(summary="", closure_reason_told="")
    fresh = Case.objects.get(pk=case.pk)
    fresh._change_reason = "retention review: personal data erased"  # type: ignore[attr-defined]
    fresh.save(update_fields=["updated_at"])
    return files


def _remove_files(files: list[Path]) -> None:
    for path in files:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the rows are gone; an operator must remove what is left (logged by name, not content)
            logger.exception("Could not remove an erased document's file %s", path.name)
