"""Every write of risk assessments, interventions and case tasks: atomic, checked, logged.

Each write leaves one ``AccessEvent`` (type and id, never personal data) and, for what happens on a case, one
chronology entry on that case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from safer.core.audit import record_access
from safer.core.models import AccessAction, Agency, Partnership, User
from safer.interventions import casefacts, defaults, powers, risk
from safer.interventions.models import (
    AssessedRole,
    Band,
    Breach,
    CaseTask,
    InstrumentStatus,
    Intervention,
    InterventionStatus,
    Notification,
    Outcome,
    RiskAnswer,
    RiskAssessment,
    RiskInstrument,
    RiskQuestion,
    Section,
    TaskSource,
)


class DuplicateSubmissionError(Exception):
    """The same form was sent twice (a double click, a reload): the first one stands, nothing more is saved."""

    def __init__(self, existing: Any) -> None:
        super().__init__("That was already saved")
        self.existing = existing


def _once(model: Any, key: uuid.UUID | None) -> None:
    """Refuse a second save of the same form: ``key`` comes from a hidden field, new each time a form is shown."""
    if key is not None:
        existing = model.objects.filter(submission_key=key).first()
        if existing is not None:
            raise DuplicateSubmissionError(existing)


def _create_once[M: Model](model: type[M], key: uuid.UUID | None, **fields: Any) -> M:
    """Create the row; if the same form was saved at the same moment elsewhere, the other one stands."""
    try:
        with transaction.atomic():
            row = model(submission_key=key, **fields)
            row.save(force_insert=True)
            return row
    except IntegrityError:
        _once(model, key)
        raise


class InterventionsError(Exception):
    """A refusal, with the form field each message belongs to ("" for the whole form)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def _refuse(name: str, message: str) -> InterventionsError:
    return InterventionsError([(name, message)])


def _open(case: Any) -> None:
    """Closed cases take no new entries (the cases app's rule): reopen first."""
    if case.is_closed:
        raise _refuse("", f"Case {case.reference} is closed. Reopen it first, or open a new case")


# --- Instruments ----------------------------------------------------------------------------------------------


def _create_instrument(
    partnership: Partnership, spec: defaults.Instrument, actor: User | None, version: int = 1
) -> RiskInstrument:
    instrument = RiskInstrument.objects.create(
        partnership=partnership,
        key=spec.key,
        version=version,
        name=spec.name,
        assesses=spec.assesses,
        description=spec.description,
        source_note=defaults.LOCAL_NOTE,
        medium_from=spec.medium_from,
        high_from=spec.high_from,
        referral_from=spec.referral_from,
        review_days_standard=spec.review_days[0],
        review_days_medium=spec.review_days[1],
        review_days_high=spec.review_days[2],
        created_by=actor,
    )
    for order, q in enumerate(spec.questions, start=1):
        question = RiskQuestion.objects.create(
            instrument=instrument, order=order, section=q.section, text=q.text, hint=q.hint, weight=q.weight
        )
        for answer_order, (label, points) in enumerate(q.answers, start=1):
            RiskAnswer.objects.create(question=question, order=answer_order, label=label, score=points)
    return instrument


@transaction.atomic
def ensure_default_instruments(partnership: Partnership, actor: User | None = None) -> list[RiskInstrument]:
    """Give a partnership the local-configuration example instruments it does not have yet (idempotent)."""
    made = []
    for spec in defaults.DEFAULTS:
        if RiskInstrument.objects.filter(partnership=partnership, key=spec.key).exists():
            continue
        instrument = _create_instrument(partnership, spec, actor)
        publish_instrument(instrument, actor=actor)
        made.append(instrument)
    return made


@transaction.atomic
def publish_instrument(
    instrument: RiskInstrument, *, actor: User | None, request: HttpRequest | None = None
) -> RiskInstrument:
    """Put a draft version in use; the version it replaces is retired (kept, with its assessments)."""
    if instrument.frozen:
        raise _refuse("", "That version is already published")
    questions = list(instrument.questions.prefetch_related("answers"))
    if not questions:
        raise _refuse("", "An instrument needs at least one question")
    problem = risk.cutoff_problem(instrument.high_from, questions)
    if problem is not None:
        raise InterventionsError([problem])
    RiskInstrument.objects.filter(
        partnership=instrument.partnership, key=instrument.key, status=InstrumentStatus.PUBLISHED
    ).update(status=InstrumentStatus.RETIRED)
    now = timezone.now()
    RiskInstrument.objects.filter(pk=instrument.pk).update(status=InstrumentStatus.PUBLISHED, published_at=now)
    instrument.refresh_from_db()
    if actor is None:  # defaults made by the system, not a person's change
        return instrument
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=instrument.partnership,
        object_type="risk_instrument",
        object_id=instrument.pk,
        detail=f"published version {instrument.version}",
        request=request,
    )
    return instrument


@dataclass(frozen=True)
class InstrumentChanges:
    medium_from: int
    high_from: int
    referral_from: int | None
    review_days_standard: int | None
    review_days_medium: int | None
    review_days_high: int | None
    weights: dict[int, int]  # question id of the current version -> new weight


@transaction.atomic
def new_version(
    instrument: RiskInstrument,
    changes: InstrumentChanges,
    *,
    actor: User,
    request: HttpRequest | None = None,
) -> RiskInstrument:
    """Editing a published instrument: copy it, with the changes, as the next version, and publish that.

    Assessments already made keep pointing at the version they were scored with.
    """
    if changes.high_from <= changes.medium_from:
        raise _refuse("high_from", "The high cut-off must be above the medium cut-off")
    draft = RiskInstrument.objects.filter(
        partnership=instrument.partnership, key=instrument.key, status=InstrumentStatus.DRAFT
    ).first()
    if draft is not None:  # one next version at a time
        raise _refuse("", f"Version {draft.version} is being drafted: make this change in the draft, then publish it")
    copy = _copy_version(instrument, changes, actor=actor)
    return publish_instrument(copy, actor=actor, request=request)


def _copy_version(instrument: RiskInstrument, changes: InstrumentChanges | None, *, actor: User) -> RiskInstrument:
    """The next version of an instrument as a draft: its questions and answers copied, with the changes."""
    latest = RiskInstrument.objects.filter(partnership=instrument.partnership, key=instrument.key).order_by("-version")
    version = latest.values_list("version", flat=True).first() or instrument.version
    settings_from: Any = changes or instrument
    copy = RiskInstrument.objects.create(
        partnership=instrument.partnership,
        key=instrument.key,
        version=version + 1,
        name=instrument.name,
        assesses=instrument.assesses,
        description=instrument.description,
        source_note=instrument.source_note,
        medium_from=settings_from.medium_from,
        high_from=settings_from.high_from,
        referral_from=settings_from.referral_from,
        review_days_standard=settings_from.review_days_standard,
        review_days_medium=settings_from.review_days_medium,
        review_days_high=settings_from.review_days_high,
        created_by=actor,
    )
    weights = changes.weights if changes is not None else {}
    for question in instrument.questions.prefetch_related("answers"):
        new_question = RiskQuestion.objects.create(
            instrument=copy,
            order=question.order,
            section=question.section,
            text=question.text,
            hint=question.hint,
            weight=weights.get(question.pk, question.weight),
        )
        for answer in question.answers.all():
            RiskAnswer.objects.create(question=new_question, order=answer.order, label=answer.label, score=answer.score)
    return copy


def _instrument_changed(instrument: RiskInstrument, detail: str, actor: User, request: HttpRequest | None) -> None:
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=instrument.partnership,
        object_type="risk_instrument",
        object_id=instrument.pk,
        detail=detail,
        request=request,
    )


def _draft_only(draft: RiskInstrument) -> None:
    if draft.status != InstrumentStatus.DRAFT or draft.frozen:
        raise _refuse("", "Only a draft version can be changed: make a draft of the version in use first")


@transaction.atomic
def start_draft(instrument: RiskInstrument, *, actor: User, request: HttpRequest | None = None) -> RiskInstrument:
    """A draft of the next version, to add, remove or reorder questions before publishing it. The draft already
    open for this instrument, if there is one."""
    existing = (
        RiskInstrument.objects.filter(
            partnership=instrument.partnership, key=instrument.key, status=InstrumentStatus.DRAFT
        )
        .order_by("-version")
        .first()
    )
    if existing is not None:
        return existing
    draft = _copy_version(instrument, None, actor=actor)
    _instrument_changed(draft, f"draft version {draft.version}", actor, request)
    return draft


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    hint: str
    section: str
    weight: int
    answers: list[tuple[str, int]]  # (label, score) in order


def question_problems(spec: QuestionSpec) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not spec.text.strip():
        problems.append(("text", "Enter the question text"))
    elif len(spec.text.strip()) > 300:
        problems.append(("text", "The question text must be 300 characters or fewer"))
    if spec.section not in Section.values:
        problems.append(("section", "Select the part of the instrument the question is in"))
    if spec.weight < 0:
        problems.append(("weight", "The question weight must be a whole number, 0 or more"))
    labelled = [(label.strip(), score) for label, score in spec.answers if label.strip()]
    if len(labelled) < 2:
        problems.append(("answer_1_label", "Enter at least two answers, each with a label and a score"))
    for n, (_, score) in enumerate(spec.answers, start=1):
        if score < 0:
            problems.append((f"answer_{n}_score", f"The score of answer {n} must be a whole number, 0 or more"))
    return problems


@transaction.atomic
def add_question(
    draft: RiskInstrument, spec: QuestionSpec, *, actor: User, request: HttpRequest | None = None
) -> RiskQuestion:
    """A new question at the end of a draft version, with its answers and their scores."""
    _draft_only(draft)
    problems = question_problems(spec)
    if problems:
        raise InterventionsError(problems)
    last = draft.questions.order_by("-order").values_list("order", flat=True).first() or 0
    question = RiskQuestion.objects.create(
        instrument=draft,
        order=last + 1,
        section=spec.section,
        text=spec.text.strip(),
        hint=spec.hint.strip(),
        weight=spec.weight,
    )
    labelled = [(label.strip(), score) for label, score in spec.answers if label.strip()]
    for order, (label, score) in enumerate(labelled, start=1):
        RiskAnswer.objects.create(question=question, order=order, label=label[:200], score=score)
    _instrument_changed(draft, f"question {question.order} added to draft", actor, request)
    return question


def _renumber(draft: RiskInstrument, ordered: list[RiskQuestion]) -> None:
    """Give the questions orders 1, 2, 3... in the order given (two passes: the order is unique)."""
    offset = 10_000
    for n, question in enumerate(ordered, start=1):
        RiskQuestion.objects.filter(pk=question.pk).update(order=offset + n)
    for n, question in enumerate(ordered, start=1):
        RiskQuestion.objects.filter(pk=question.pk).update(order=n)


@transaction.atomic
def remove_question(
    draft: RiskInstrument, question_id: int, *, actor: User, request: HttpRequest | None = None
) -> None:
    _draft_only(draft)
    question = draft.questions.filter(pk=question_id).first()
    if question is None:
        raise _refuse("", "That question is not in this draft")
    question.delete()
    _renumber(draft, list(draft.questions.order_by("order")))
    _instrument_changed(draft, f"question {question.order} removed from draft", actor, request)


@transaction.atomic
def move_question(
    draft: RiskInstrument, question_id: int, direction: str, *, actor: User, request: HttpRequest | None = None
) -> None:
    """Move a question of a draft one place up or down."""
    _draft_only(draft)
    questions = list(draft.questions.order_by("order"))
    index = next((i for i, q in enumerate(questions) if q.pk == question_id), None)
    if index is None:
        raise _refuse("", "That question is not in this draft")
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    _renumber(draft, questions)
    _instrument_changed(draft, "questions reordered in draft", actor, request)


@transaction.atomic
def update_draft(
    draft: RiskInstrument, changes: InstrumentChanges, *, actor: User, request: HttpRequest | None = None
) -> RiskInstrument:
    """Cut-offs, review intervals and question weights of a draft version."""
    _draft_only(draft)
    if changes.high_from <= changes.medium_from:
        raise _refuse("high_from", "The high cut-off must be above the medium cut-off")
    RiskInstrument.objects.filter(pk=draft.pk).update(
        medium_from=changes.medium_from,
        high_from=changes.high_from,
        referral_from=changes.referral_from,
        review_days_standard=changes.review_days_standard,
        review_days_medium=changes.review_days_medium,
        review_days_high=changes.review_days_high,
    )
    for pk, weight in changes.weights.items():
        draft.questions.filter(pk=pk).update(weight=weight)
    draft.refresh_from_db()
    problem = risk.cutoff_problem(draft.high_from, list(draft.questions.prefetch_related("answers")))
    if problem is not None:
        raise InterventionsError([problem])
    _instrument_changed(draft, "draft settings changed", actor, request)
    return draft


# --- Risk assessments -----------------------------------------------------------------------------------------


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(17, 0)))


@transaction.atomic
def assess(
    *,
    case: Any,
    party: Any,
    instrument: RiskInstrument,
    chosen: dict[int, int | None],
    band: str = "",
    raised_reason: str = "",
    actor: User,
    request: HttpRequest | None = None,
    submission_key: uuid.UUID | None = None,
) -> RiskAssessment:
    """Score and record one assessment of a party on a case, with its review date, tasks and chronology entry."""
    _once(RiskAssessment, submission_key)
    _open(case)
    if party.case_id != case.pk:
        raise _refuse("party", "Select a person on this case")
    if instrument.partnership_id != case.partnership_id or instrument.status != InstrumentStatus.PUBLISHED:
        raise _refuse("instrument", "Select an instrument in use in this partnership")
    role = casefacts.party_role(party)
    if role != instrument.assesses:
        wanted = AssessedRole(instrument.assesses).label.lower()
        raise _refuse("party", f"The {instrument.name} is for a {wanted}: select a {wanted} on this case")
    questions = list(instrument.questions.prefetch_related("answers"))
    scored = risk.score(instrument, questions, chosen)
    if scored.problems:
        raise InterventionsError(scored.problems)
    scored_band = instrument.band_for(scored.score)
    chosen_band = band or scored_band
    problem = risk.judgement_problem(scored_band, chosen_band, raised_reason)
    if problem is not None:
        raise InterventionsError([problem])
    now = timezone.now()
    days = instrument.review_days(chosen_band)
    assessment = _create_once(
        RiskAssessment,
        submission_key,
        partnership_id=case.partnership_id,
        case=case,
        party=party,
        instrument=instrument,
        assessed_as=role,
        answers=scored.answers,
        screening_only=scored.screening_only,
        score=scored.score,
        scored_band=scored_band,
        band=chosen_band,
        raised_reason=raised_reason.strip() if chosen_band != scored_band else "",
        referral_prompted=instrument.referral_from is not None and scored.score >= instrument.referral_from,
        next_review_on=(timezone.localdate(now) + timedelta(days=days)) if days else None,
        assessed_at=now,
        assessed_by=actor,
    )
    # The previous assessment's review is done by this one.
    for task in CaseTask.objects.filter(
        assessment__party=party, source=TaskSource.RISK_REVIEW, done_at__isnull=True
    ).select_for_update():
        CaseTask.objects.filter(pk=task.pk).update(
            done_at=now, done_by=actor, done_note=f"Reassessed (assessment {assessment.pk})"
        )
    owner = casefacts.case_officer(case) or actor
    if chosen_band == Band.HIGH and role == AssessedRole.VICTIM:
        create_task(
            case=case,
            title="Contact the high-risk victim (within 24 hours)",
            owner=owner,
            due_at=now + timedelta(hours=24),
            source=TaskSource.HIGH_RISK_CONTACT,
            assessment=assessment,
            actor=actor,
            request=request,
            chronology=False,
            log=False,
        )
    if assessment.next_review_on is not None:
        create_task(
            case=case,
            title=f"Review the {Band(chosen_band).label.lower()} risk assessment ({days}-day review)",
            owner=owner,
            due_at=_end_of_day(assessment.next_review_on),
            source=TaskSource.RISK_REVIEW,
            assessment=assessment,
            actor=actor,
            request=request,
            chronology=False,
            log=False,
        )
    text = (
        f"Risk assessment ({instrument.name}, version {instrument.version}) of the "
        f"{AssessedRole(role).label.lower()}: score {scored.score}, band {Band(chosen_band).label.lower()}"
    )
    if chosen_band != scored_band:
        text += f" (raised by professional judgement from {Band(scored_band).label.lower()})"
    if assessment.referral_prompted:
        text += "; referral to victim support prompted"
    casefacts.add_chronology(case=case, kind="risk", text=text, actor=actor, source=assessment)
    record_access(
        action=AccessAction.CREATE,
        actor=actor,
        partnership=instrument.partnership,
        object_type="risk_assessment",
        object_id=assessment.pk,
        detail=f"case {case.pk}",
        request=request,
    )
    return assessment


# --- Interventions --------------------------------------------------------------------------------------------


def _earlier_warnings(case: Any, key: str, exclude: int | None = None) -> tuple[powers.Warning, ...]:
    rows = Intervention.objects.filter(partnership_id=case.partnership_id, kind=powers.PowerKind.CPW, subject_key=key)
    if exclude:
        rows = rows.exclude(pk=exclude)
    return tuple(
        powers.Warning(
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            withdrawn=row.status == InterventionStatus.WITHDRAWN,
        )
        for row in rows
    )


def _closure_notices(case: Any, address_id: int) -> tuple[powers.ClosureNotice, ...]:
    """Closure notices on the same premises, on any case of the partnership."""
    rows = Intervention.objects.filter(
        partnership_id=case.partnership_id, kind=powers.PowerKind.CLOSURE_NOTICE, address_id=address_id
    )
    return tuple(
        powers.ClosureNotice(issued_at=row.issued_at, withdrawn=row.status == InterventionStatus.WITHDRAWN)
        for row in rows
    )


def _recorded(
    case: Any, source: Model, text: str, *, action: str, detail: str, actor: User, request: HttpRequest | None
) -> None:
    """A change to an intervention or breach: one chronology line on the case and one access-log line for it."""
    casefacts.add_chronology(case=case, kind="intervention", text=text, actor=actor, source=source)
    record_access(
        action=action,
        actor=actor,
        partnership=case.partnership,
        object_type=source._meta.model_name or "",
        object_id=source.pk,
        detail=detail,
        request=request,
    )


@transaction.atomic
def record_intervention(
    *,
    case: Any,
    kind: str,
    subject: Any | None,
    place: str,
    issued_at: datetime,
    expires_at: datetime | None,
    address_id: int | None = None,
    step: int | None = None,
    notes: str = "",
    subject_reason: str = "",
    agency: Agency | None = None,
    actor: User,
    request: HttpRequest | None = None,
    submission_key: uuid.UUID | None = None,
) -> Intervention:
    """Record one action of the stepped approach after checking every rule of the power (``powers.check``).

    The subject must be a subject of the case. A party in another role (the victim after a counter-allegation)
    is given the subject role first when ``subject_reason`` says why; without one the register refuses."""
    _once(Intervention, submission_key)
    _open(case)
    try:
        power = powers.POWERS[powers.PowerKind(kind)]
    except ValueError as exc:
        raise _refuse("kind", "Select the kind of action from the list") from exc
    if subject is not None and subject.case_id != case.pk:
        raise _refuse("subject", "Select a person or business on this case")
    # Powers are given to the subject of the behaviour: a victim, complainant or witness only once given the
    # subject role, with the reason (kept in the chronology by the cases app).
    target, role_problem = subject, None
    if subject is not None and not casefacts.party_is_subject(subject):
        target = casefacts.subject_party_of(case, subject)
        if target is None and not subject_reason.strip():
            name = casefacts.party_label(subject)
            role_problem = (
                "subject",
                f"{name} is on this case as {casefacts.party_role_label(subject)}, not as a subject: a power is "
                f"given to the subject of the behaviour. Select a subject, or give {name} the subject role by "
                "saying why in 'Why they are now a subject'",
            )
    key = casefacts.party_key(subject) if subject is not None else ""
    address = None
    if address_id is not None:
        address = casefacts.address_on(case, address_id)
        if address is None:
            raise _refuse("place", "Select one of this case's places, or enter another place")
        place = casefacts.address_label(address)
    proposed = powers.Proposed(
        kind=power.kind,
        issued_at=issued_at,
        expires_at=expires_at,
        has_subject=subject is not None,
        subject_is_person=subject is not None and casefacts.party_is_person(subject),
        date_of_birth=casefacts.party_date_of_birth(subject) if subject is not None else None,
        has_place=bool(place.strip()),
        has_premises=address is not None,
        earlier_warnings=_earlier_warnings(case, key) if power.kind is powers.PowerKind.CPN and key else (),
        closure_notices=_closure_notices(case, address.pk)
        if power.kind is powers.PowerKind.CLOSURE_ORDER and address is not None
        else (),
    )
    problems = powers.check(proposed, now=timezone.now())
    if role_problem is not None:
        problems.items.insert(0, role_problem)
    if step is not None and step not in powers.STEPS:
        problems.add("step", "Select a step from 1 to 4")
    if problems:
        raise InterventionsError(problems.items)
    if subject is not None and target is None:
        try:
            target = casefacts.give_subject_role(case, subject, subject_reason, actor, request)
        except casefacts.RoleRefusedError as exc:
            raise _refuse("subject_reason", str(exc)) from exc
    intervention = _create_once(
        Intervention,
        submission_key,
        partnership_id=case.partnership_id,
        case=case,
        kind=power.kind.value,
        step=step or power.step,
        subject=target,
        subject_key=key,
        place=place.strip(),
        address=address,
        issued_at=issued_at,
        expires_at=expires_at,
        notes=notes.strip(),
        issuing_agency=agency,
        recorded_by=actor,
    )
    until = f", until {timezone.localtime(expires_at):%-d %B %Y %H:%M}" if expires_at else ""
    text = f"{power.label} issued (step {intervention.step}){until}"
    _recorded(
        case, intervention, text, action=AccessAction.CREATE, detail=f"case {case.pk}", actor=actor, request=request
    )
    return intervention


@transaction.atomic
def set_outcome(
    intervention: Intervention, *, status: str, outcome: str, actor: User, request: HttpRequest | None = None
) -> Intervention:
    if status not in InterventionStatus.values:
        raise _refuse("status", "Select a status from the list")
    if outcome not in Outcome.values:
        raise _refuse("outcome", "Select an outcome from the list")
    Intervention.objects.filter(pk=intervention.pk).update(status=status, outcome=outcome)
    intervention.refresh_from_db()
    text = (
        f"{intervention.get_kind_display()}: {intervention.get_status_display().lower()}, outcome "
        f"{intervention.get_outcome_display().lower()}"
    )
    _recorded(
        intervention.case,
        intervention,
        text,
        action=AccessAction.CHANGE,
        detail="status and outcome",
        actor=actor,
        request=request,
    )
    return intervention


@transaction.atomic
def extend_closure_order(
    intervention: Intervention, *, new_expiry: datetime, actor: User, request: HttpRequest | None = None
) -> Intervention:
    if intervention.kind != powers.PowerKind.CLOSURE_ORDER or intervention.expires_at is None:
        raise _refuse("expires_at", "Only a closure order can be extended")
    problem = powers.closure_extension_problem(intervention.issued_at, intervention.expires_at, new_expiry)
    if problem:
        raise _refuse("expires_at", problem)
    Intervention.objects.filter(pk=intervention.pk).update(expires_at=new_expiry, extended_at=timezone.now())
    intervention.refresh_from_db()
    text = f"Closure order extended to {timezone.localtime(new_expiry):%-d %B %Y}"
    _recorded(
        intervention.case,
        intervention,
        text,
        action=AccessAction.CHANGE,
        detail="extended",
        actor=actor,
        request=request,
    )
    return intervention


@transaction.atomic
def record_breach(
    intervention: Intervention,
    *,
    occurred_on: date,
    action_taken: str,
    actor: User,
    request: HttpRequest | None = None,
    submission_key: uuid.UUID | None = None,
) -> Breach:
    _once(Breach, submission_key)
    _open(intervention.case)
    problems: list[tuple[str, str]] = []
    if occurred_on > timezone.localdate():
        problems.append(("occurred_on", "The date of the breach must be today or in the past"))
    elif occurred_on < timezone.localtime(intervention.issued_at).date():
        problems.append(("occurred_on", "The date of the breach must be on or after the date it was issued"))
    if not action_taken.strip():
        problems.append(("action_taken", "Enter the action taken about the breach"))
    if problems:
        raise InterventionsError(problems)
    breach = _create_once(
        Breach,
        submission_key,
        intervention=intervention,
        occurred_on=occurred_on,
        action_taken=action_taken.strip(),
        recorded_by=actor,
    )
    text = f"Breach of the {intervention.power.name} on {occurred_on:%-d %B %Y} recorded"
    detail = f"intervention {intervention.pk}"
    _recorded(intervention.case, breach, text, action=AccessAction.CREATE, detail=detail, actor=actor, request=request)
    return breach


# --- Tasks and notifications ----------------------------------------------------------------------------------


def create_task(
    *,
    case: Any,
    title: str,
    owner: User,
    due_at: datetime,
    actor: User,
    source: str = TaskSource.MANUAL,
    assessment: RiskAssessment | None = None,
    request: HttpRequest | None = None,
    chronology: bool = True,
    log: bool = True,
    submission_key: uuid.UUID | None = None,
) -> CaseTask:
    """A task on a case. Assigned to someone else, they get an in-app notification and an e-mail that names only
    the case reference."""
    with transaction.atomic():
        _once(CaseTask, submission_key)
        _open(case)
        problems: list[tuple[str, str]] = []
        if not title.strip():
            problems.append(("title", "Enter what needs doing"))
        if not casefacts.user_can_see_case(owner, case):
            problems.append(("owner", "Select someone whose agency can see this case"))
        if source == TaskSource.MANUAL and due_at < timezone.now() - timedelta(minutes=5):
            problems.append(("due_at", "The due date must be in the future"))
        if problems:
            raise InterventionsError(problems)
        task = _create_once(
            CaseTask,
            submission_key,
            partnership_id=case.partnership_id,
            case=case,
            title=title.strip()[:200],
            owner=owner,
            due_at=due_at,
            source=source,
            assessment=assessment,
            created_by=actor,
        )
        reference = casefacts.case_reference(case)
        if owner.pk != actor.pk:
            Notification.objects.create(
                user=owner,
                partnership_id=case.partnership_id,
                task=task,
                text=f"A task on case {reference} was assigned to you, "
                f"due {timezone.localtime(due_at):%-d %B %Y %H:%M}",
            )
            _email_assignment(owner, reference, due_at, case.partnership.name)
        if chronology:
            casefacts.add_chronology(
                case=case,
                kind="task",
                text=f"Task set, due {timezone.localtime(due_at):%-d %B %Y}",
                actor=actor,
                source=task,
            )
        if not log:  # set by another write (an assessment), which logs itself
            return task
        record_access(
            action=AccessAction.CREATE,
            actor=actor,
            partnership=case.partnership,
            object_type="case_task",
            object_id=task.pk,
            detail=f"case {case.pk}",
            request=request,
        )
        return task


def _email_assignment(owner: User, reference: str, due_at: datetime, partnership_name: str) -> None:
    link = settings.SITE_URL + reverse("interventions:my-work")
    body = (
        f"A task on case {reference} has been assigned to you in {partnership_name}.\n"
        f"It is due {timezone.localtime(due_at):%-d %B %Y at %H:%M}.\n\n"
        f"Sign in to see it under My work: {link}\n\n"
        "This e-mail does not contain any personal details. Do not reply to it."
    )
    email = owner.email
    transaction.on_commit(
        lambda: send_mail(
            subject=f"Task assigned on case {reference}",
            message=body,
            from_email=None,
            recipient_list=[email],
        )
    )


@transaction.atomic
def complete_task(task: CaseTask, *, actor: User, note: str = "", request: HttpRequest | None = None) -> CaseTask:
    if task.done_at is not None:
        raise _refuse("", "That task is already done")
    CaseTask.objects.filter(pk=task.pk).update(done_at=timezone.now(), done_by=actor, done_note=note.strip()[:300])
    task.refresh_from_db()
    casefacts.add_chronology(case=task.case, kind="task", text="Task done", actor=actor, source=task)
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=task.case.partnership,
        object_type="case_task",
        object_id=task.pk,
        detail="done",
        request=request,
    )
    return task


def mark_notifications_read(user: User, partnership: Partnership) -> int:
    return Notification.objects.filter(user=user, partnership=partnership, read_at__isnull=True).update(
        read_at=timezone.now()
    )
