"""Thin views: risk assessments and interventions of a case, the case's tasks, "my work", the partnership's
counts by step, and the instruments in use.

Every case page goes through ``casefacts.case_for`` (a 404 for anyone whose agency cannot see the case) and
writes one ``AccessEvent`` for the view of personal data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safer.core.http import PartnershipRequest
from safer.core.permissions import can, require_area
from safer.core.waiting import waiting_for
from safer.interventions import casefacts, selectors, services
from safer.interventions import risk as risk_rules
from safer.interventions.forms import (
    AssessmentForm,
    BreachForm,
    ExtendForm,
    InstrumentForm,
    InterventionForm,
    OutcomeForm,
    QuestionForm,
    TaskForm,
)
from safer.interventions.models import AssessedRole, Band, InstrumentStatus, Section
from safer.interventions.powers import POWERS, STEPS, PowerKind

ALREADY_SAVED = "That was already saved: the second click (or reload) saved nothing more"


def _errors_to(form: Any, exc: services.InterventionsError) -> None:
    for name, message in exc.problems:
        form.add_error(name if name in form.fields else None, message)


def _base(request: PartnershipRequest, case: Any, tab: str) -> dict[str, Any]:
    return {
        "case": case,
        "case_reference": casefacts.case_reference(case),
        "case_url": casefacts.case_url(case),
        "tab": tab,
    }


# --- Risk -----------------------------------------------------------------------------------------------------


@require_area("cases")
@require_GET
def risk(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = casefacts.case_for(request, case_id)
    if asked := casefacts.ask_purpose(request, case):
        return asked
    services.ensure_default_instruments(request.partnership)
    casefacts.viewed(request, case, "risk assessments")
    assessments = list(selectors.assessments_of(case))
    return render(
        request,
        "interventions/risk.html",
        {
            **_base(request, case, "risk"),
            "assessments": assessments,
            "labels": {a.pk: casefacts.party_label(a.party) for a in assessments},
            "instruments": list(selectors.instruments_in_use(request.partnership)),
        },
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def risk_new(request: PartnershipRequest, case_id: int, instrument_id: int) -> HttpResponse:
    case = casefacts.case_for(request, case_id)
    if asked := casefacts.ask_purpose(request, case):
        return asked
    instrument = selectors.instrument_in_use(request.partnership, instrument_id)
    parties = casefacts.parties_choices(case, role=instrument.assesses)
    form = AssessmentForm(request.POST or None, instrument=instrument, parties=parties, initial={"band": ""})
    if request.method == "POST" and form.is_valid():
        party = casefacts.party_on(case, int(form.cleaned_data["party"]))
        try:
            assessment = services.assess(
                case=case,
                party=party,
                instrument=instrument,
                chosen=form.chosen(),
                band=form.cleaned_data["band"] or "",
                raised_reason=form.cleaned_data["raised_reason"] or "",
                actor=request.user,
                request=request,
                submission_key=form.key(),
            )
        except services.DuplicateSubmissionError:
            messages.info(request, ALREADY_SAVED)
            return HttpResponseRedirect(reverse("interventions:risk", args=[case.pk]))
        except services.InterventionsError as exc:
            _errors_to(form, exc)
        else:
            text = f"Risk assessment saved: score {assessment.score}, band {assessment.get_band_display().lower()}"
            if assessment.tasks.filter(source="high_risk_contact").exists():
                text += ". A task to contact the victim within 24 hours has been set"
            messages.success(request, text)
            return HttpResponseRedirect(reverse("interventions:risk", args=[case.pk]))
    # The page (blank, or with the refusal) shows the case's people: one access-log line.
    casefacts.viewed(request, case, "risk assessment form")
    return render(
        request,
        "interventions/risk_form.html",
        {
            **_base(request, case, "risk"),
            "form": form,
            "instrument": instrument,
            "no_parties": not parties,
            "role_label": AssessedRole(instrument.assesses).label.lower(),
            "sections": Section,
            "page_error": bool(form.errors),
        },
    )


# --- Interventions --------------------------------------------------------------------------------------------


@require_area("cases")
@require_GET
def interventions(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = casefacts.case_for(request, case_id)
    if asked := casefacts.ask_purpose(request, case):
        return asked
    casefacts.viewed(request, case, "interventions")
    rows = list(selectors.interventions_of(case))
    return render(
        request,
        "interventions/interventions.html",
        {
            **_base(request, case, "interventions"),
            "interventions": rows,
            "labels": {i.pk: casefacts.party_label(i.subject) if i.subject else "" for i in rows},
            "places_url": casefacts.address_url(case),
            "steps": STEPS,
            "powers": POWERS.values(),
        },
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def intervention_new(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = casefacts.case_for(request, case_id)
    if asked := casefacts.ask_purpose(request, case):
        return asked
    parties = casefacts.parties_with_roles(case)
    form = InterventionForm(
        request.POST or None,
        parties=parties,
        places=casefacts.place_choices(case),
        initial={"kind": request.GET.get("kind", ""), "place": ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = casefacts.party_on(case, int(data["subject"])) if data["subject"] else None
        try:
            done = services.record_intervention(
                case=case,
                kind=data["kind"],
                subject=subject,
                place=form.place_text(),
                address_id=form.address_id(),
                issued_at=data["issued_at"],
                expires_at=data["expires_at"],
                step=data["step"],
                notes=data["notes"] or "",
                subject_reason=data["subject_reason"] or "",
                agency=request.agencies[0] if request.agencies else None,
                actor=request.user,
                request=request,
                submission_key=form.key(),
            )
        except services.DuplicateSubmissionError:
            messages.info(request, ALREADY_SAVED)
            return HttpResponseRedirect(reverse("interventions:interventions", args=[case.pk]))
        except services.InterventionsError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, f"{done.get_kind_display()} recorded at step {done.step}")
            return HttpResponseRedirect(reverse("interventions:interventions", args=[case.pk]))
    # The page (blank, or with the refusal) shows the case's people: one access-log line.
    casefacts.viewed(request, case, "intervention form")
    return render(
        request,
        "interventions/intervention_form.html",
        {
            **_base(request, case, "interventions"),
            "form": form,
            "powers": POWERS.values(),
            "page_error": bool(form.errors),
        },
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def intervention(request: PartnershipRequest, case_id: int, intervention_id: int) -> HttpResponse:
    case = casefacts.case_for(request, case_id)
    if asked := casefacts.ask_purpose(request, case):
        return asked
    item = selectors.intervention_of(case, intervention_id)
    action = request.POST.get("action", "")
    outcome_form = OutcomeForm(
        request.POST if action == "outcome" else None, initial={"status": item.status, "outcome": item.outcome}
    )
    breach_form = BreachForm(request.POST if action == "breach" else None, prefix="breach")
    extend_form = ExtendForm(request.POST if action == "extend" else None, prefix="extend")
    here = reverse("interventions:intervention", args=[case.pk, item.pk])
    if request.method == "POST":
        try:
            if action == "outcome" and outcome_form.is_valid():
                services.set_outcome(
                    item,
                    status=outcome_form.cleaned_data["status"],
                    outcome=outcome_form.cleaned_data["outcome"] or "",
                    actor=request.user,
                    request=request,
                )
                messages.success(request, "Status and outcome saved")
                return HttpResponseRedirect(here)
            if action == "breach" and breach_form.is_valid():
                services.record_breach(
                    item,
                    occurred_on=breach_form.cleaned_data["occurred_on"],
                    action_taken=breach_form.cleaned_data["action_taken"],
                    actor=request.user,
                    request=request,
                    submission_key=breach_form.key(),
                )
                messages.success(request, "Breach recorded")
                return HttpResponseRedirect(here)
            if action == "extend" and extend_form.is_valid():
                services.extend_closure_order(
                    item, new_expiry=extend_form.cleaned_data["new_expiry"], actor=request.user, request=request
                )
                messages.success(request, "Closure order extended")
                return HttpResponseRedirect(here)
        except services.DuplicateSubmissionError:
            messages.info(request, ALREADY_SAVED)
            return HttpResponseRedirect(here)
        except services.InterventionsError as exc:
            target = {"outcome": outcome_form, "breach": breach_form, "extend": extend_form}[action]
            for name, message in exc.problems:
                field_name = {"new_expiry": "new_expiry", "expires_at": "new_expiry"}.get(name, name)
                target.add_error(field_name if field_name in target.fields else None, message)
    # The page (blank, or with the refusal) shows the case's people: one access-log line.
    casefacts.viewed(request, case, "intervention")
    forms_with_errors = [f for f in (outcome_form, breach_form, extend_form) if f.errors]
    return render(
        request,
        "interventions/intervention.html",
        {
            **_base(request, case, "interventions"),
            "item": item,
            "subject_label": casefacts.party_label(item.subject) if item.subject else "",
            "places_url": casefacts.address_url(case),
            "outcome_form": outcome_form,
            "breach_form": breach_form,
            "extend_form": extend_form if item.kind == PowerKind.CLOSURE_ORDER else None,
            "error_form": forms_with_errors[0] if forms_with_errors else None,
            "page_error": bool(forms_with_errors),
        },
    )


# --- Tasks ----------------------------------------------------------------------------------------------------


@require_area("cases")
@require_http_methods(["GET", "POST"])
def tasks(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = casefacts.case_for(request, case_id)
    if asked := casefacts.ask_purpose(request, case):
        return asked
    owners = casefacts.owner_choices(case)
    form = TaskForm(request.POST or None, owners=owners, initial={"owner": str(request.user.pk)})
    if request.method == "POST" and form.is_valid():
        owner = casefacts.owner_of(case, int(form.cleaned_data["owner"]))
        try:
            services.create_task(
                case=case,
                title=form.cleaned_data["title"],
                owner=owner,
                due_at=form.cleaned_data["due_at"],
                actor=request.user,
                request=request,
                submission_key=form.key(),
            )
        except services.DuplicateSubmissionError:
            messages.info(request, ALREADY_SAVED)
            return HttpResponseRedirect(reverse("interventions:tasks", args=[case.pk]))
        except services.InterventionsError as exc:
            _errors_to(form, exc)
        else:
            who = "you" if owner.pk == request.user.pk else (owner.full_name or owner.email)
            messages.success(request, f"Task set for {who}")
            return HttpResponseRedirect(reverse("interventions:tasks", args=[case.pk]))
    # The page (blank, or with the refusal) shows the case's people: one access-log line.
    casefacts.viewed(request, case, "tasks")
    return render(
        request,
        "interventions/tasks.html",
        {
            **_base(request, case, "tasks"),
            "form": form,
            "tasks": list(selectors.tasks_of(case)),
            "page_error": bool(form.errors),
        },
    )


@require_area("cases")
@require_POST
def task_done(request: PartnershipRequest, case_id: int, task_id: int) -> HttpResponse:
    case = casefacts.case_for(request, case_id)
    if asked := casefacts.ask_purpose(request, case):
        return asked
    task = selectors.task_on(case, task_id)
    try:
        services.complete_task(task, actor=request.user, request=request)
    except services.InterventionsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Task done: {task.title}")
    back = request.POST.get("next", "")
    if back == "my-work":
        return HttpResponseRedirect(reverse("interventions:my-work"))
    return HttpResponseRedirect(reverse("interventions:tasks", args=[case.pk]))


@require_area("cases")
@require_http_methods(["GET", "POST"])
def my_work(request: PartnershipRequest) -> HttpResponse:
    if request.method == "POST":
        count = services.mark_notifications_read(request.user, request.partnership)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read")
        return HttpResponseRedirect(reverse("interventions:my-work"))
    visible = casefacts.visible_cases(request)
    open_tasks = list(selectors.open_tasks_for(request.user, request.partnership, visible))
    reviews = selectors.reviews_due_for(request.user, request.partnership, visible)
    casefacts.viewed_list(request, "my work")
    return render(
        request,
        "interventions/my_work.html",
        {
            "tasks": open_tasks,
            "overdue": sum(1 for t in open_tasks if t.overdue),
            "reviews": reviews,
            "references": {
                c.pk: casefacts.case_reference(c) for c in [t.case for t in open_tasks] + [r.case for r in reviews]
            },
            "notifications": list(selectors.notifications_for(request.user, request.partnership)),
            "unread": selectors.unread_count(request.user, request.partnership),
            "waiting": waiting_for(request),
            "today": timezone.localdate(),
        },
    )


# --- The partnership's counts and instruments -----------------------------------------------------------------


@require_GET
def powers(request: PartnershipRequest) -> HttpResponse:
    """Counts only (no names), so managers and analysts (the ``plans`` area) see them as well as caseworkers."""
    if not (can(request, "cases") or can(request, "plans")):
        raise PermissionDenied("This needs the caseworker, meeting chair, manager, analyst or partnership admin role")
    return render(
        request,
        "interventions/powers.html",
        {
            "counts": selectors.powers_counts(request.partnership),
            "outcome_columns": OUTCOME_COLUMNS,
            "powers": POWERS.values(),
        },
    )


OUTCOME_COLUMNS = [
    ("resolved", "Resolved"),
    ("escalated", "Moved to the next step"),
    ("nfa", "No further action"),
    ("", "Not yet known"),
]


def _require_configure(request: PartnershipRequest) -> None:
    if not can(request, "people"):
        raise PermissionDenied("Changing risk instruments needs the partnership admin role")


@require_GET
def instruments(request: PartnershipRequest) -> HttpResponse:
    """Caseworkers read the instruments; partnership admins read and change them."""
    if not (can(request, "cases") or can(request, "people")):
        raise PermissionDenied("This needs the caseworker, meeting chair or partnership admin role")
    services.ensure_default_instruments(request.partnership)
    return render(
        request,
        "interventions/instruments.html",
        {
            "instruments": list(
                selectors.instrument_versions(request.partnership).prefetch_related("questions__answers")
            ),
            "in_use": InstrumentStatus.PUBLISHED,
            "draft_status": InstrumentStatus.DRAFT,
            "bands": Band,
            "can_configure": can(request, "people"),
        },
    )


@require_http_methods(["GET", "POST"])
def instrument_edit(request: PartnershipRequest, instrument_id: int) -> HttpResponse:
    _require_configure(request)
    instrument = selectors.instrument_in_use(request.partnership, instrument_id)
    questions = list(instrument.questions.all())
    form = InstrumentForm(request.POST or None, instrument=instrument, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.new_version(instrument, form.changes(), actor=request.user, request=request)
        except services.InterventionsError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, f"{made.name} version {made.version} is now in use")
            return HttpResponseRedirect(reverse("interventions:instruments"))
    return render(
        request,
        "interventions/instrument_form.html",
        {"form": form, "instrument": instrument, "page_error": bool(form.errors)},
    )


@require_POST
def instrument_draft_start(request: PartnershipRequest, instrument_id: int) -> HttpResponse:
    """Make (or reopen) the draft of the next version, where questions can be added, removed and reordered."""
    _require_configure(request)
    instrument = selectors.instrument_in_use(request.partnership, instrument_id)
    draft = services.start_draft(instrument, actor=request.user, request=request)
    return HttpResponseRedirect(reverse("interventions:instrument-draft", args=[draft.pk]))


DRAFT_ACTIONS = {"settings", "add", "remove", "up", "down", "publish"}


@require_http_methods(["GET", "POST"])
def instrument_draft(request: PartnershipRequest, instrument_id: int) -> HttpResponse:
    _require_configure(request)
    draft = selectors.instrument_draft(request.partnership, instrument_id)
    action = request.POST.get("action", "")
    questions = list(draft.questions.prefetch_related("answers"))
    settings_form = InstrumentForm(
        request.POST if action in {"settings", "publish"} else None, instrument=draft, questions=questions
    )
    question_form = QuestionForm(request.POST if action == "add" else None, initial={"section": "matrix", "weight": 1})
    here = reverse("interventions:instrument-draft", args=[draft.pk])
    if request.method == "POST" and action in DRAFT_ACTIONS:
        try:
            if action == "add" and question_form.is_valid():
                added = services.add_question(draft, question_form.spec(), actor=request.user, request=request)
                messages.success(request, f"Question {added.order} added to the draft")
                return HttpResponseRedirect(here)
            if action in {"remove", "up", "down"}:
                question_id = int(request.POST.get("question", "0") or 0)
                if action == "remove":
                    services.remove_question(draft, question_id, actor=request.user, request=request)
                    messages.success(request, "Question removed from the draft")
                else:
                    services.move_question(draft, question_id, action, actor=request.user, request=request)
                    messages.success(request, f"Question moved {action}")
                return HttpResponseRedirect(here)
            if action in {"settings", "publish"} and settings_form.is_valid():
                services.update_draft(draft, settings_form.changes(), actor=request.user, request=request)
                if action == "settings":
                    messages.success(request, "Cut-offs, reviews and weights saved in the draft")
                    return HttpResponseRedirect(here)
                made = services.publish_instrument(draft, actor=request.user, request=request)
                messages.success(
                    request,
                    f"{made.name} version {made.version} is now in use. The version it replaces is kept, "
                    "with the assessments scored on it",
                )
                return HttpResponseRedirect(reverse("interventions:instruments"))
        except services.InterventionsError as exc:
            target = question_form if action == "add" else settings_form
            _errors_to(target, exc)
    forms_with_errors = [f for f in (question_form, settings_form) if f.errors]
    return render(
        request,
        "interventions/instrument_draft.html",
        {
            "draft": draft,
            "questions": questions,
            "highest_total": risk_rules.highest_total(questions),
            "question_form": question_form,
            "settings_form": settings_form,
            "error_form": forms_with_errors[0] if forms_with_errors else None,
            "page_error": bool(forms_with_errors),
        },
    )
