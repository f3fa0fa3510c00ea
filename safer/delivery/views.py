"""The delivery plan pages: plans and their actions by priority with RAG, the action form, opening a quarter,
the owner's returns, the chair's review, compliance, equality impact, documents and the Excel import.

Who may do what is in :mod:`safer.delivery.selectors`; every write goes through :mod:`safer.delivery.services`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safer.core import services as core_services
from safer.core.audit import record_access
from safer.core.http import PartnershipRequest
from safer.core.jobs import recover_interrupted
from safer.core.models import AccessAction, Job
from safer.core.selectors import agencies_in
from safer.core.services import ServiceError
from safer.core.views.jobs import job_file_response, job_json
from safer.delivery import documents, figures, forms, selectors, services, tasks
from safer.delivery.models import (
    RAG_MEANING,
    DeliveryImport,
    DeliveryPlan,
    FundingSource,
    MonitoringQuarter,
    ProtectedCharacteristic,
    ReturnStatus,
    TacticalAction,
)
from safer.plans.models import Plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _put_errors(form: Any, exc: services.InputError) -> None:
    for name, message in exc.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _plans_choices(request: PartnershipRequest) -> list[tuple[int, str]]:
    return [(p.pk, str(p)) for p in Plan.objects.filter(partnership=request.partnership).order_by("-pk")]


def _quarter(request: PartnershipRequest, dp: DeliveryPlan) -> int:
    """The quarter asked for (?q=), else the latest opened, else Q1."""
    raw = request.GET.get("q", "")
    if raw in {"1", "2", "3", "4"}:
        return int(raw)
    latest = MonitoringQuarter.objects.filter(delivery_plan=dp).order_by("-quarter").first()
    return latest.quarter if latest else 1


# Home and delivery plans ---------------------------------------------------------------------------------


@require_GET
def home(request: PartnershipRequest) -> HttpResponse:
    mine = list(selectors.my_returns(request).exclude(status=ReturnStatus.AGREED)[:50])
    if not selectors.can_view(request):
        if not mine and not selectors.actions_in(request).exists():
            selectors.require_view(request)
        return render(request, "delivery/home.html", {"plans": [], "mine": mine, "can_view": False})
    plans = list(selectors.delivery_plans(request))
    rows = []
    for dp in plans:
        opened = list(MonitoringQuarter.objects.filter(delivery_plan=dp).values_list("quarter", flat=True))
        waiting = selectors.returns_in(request).filter(action__delivery_plan=dp, status=ReturnStatus.SUBMITTED).count()
        rows.append({"dp": dp, "quarters": opened, "actions": dp.actions.count(), "waiting": waiting})
    return render(
        request,
        "delivery/home.html",
        {
            "plans": rows,
            "mine": mine,
            "can_view": True,
            "can_manage": selectors.can_manage(request),
        },
    )


@require_http_methods(["GET", "POST"])
def create_plan(request: PartnershipRequest) -> HttpResponse:
    selectors.require_manage(request)
    choices = _plans_choices(request)
    form = forms.DeliveryPlanForm(request.POST or None, plans=choices)
    if request.method == "POST" and form.is_valid():
        plan = Plan.objects.filter(partnership=request.partnership, pk=form.cleaned_data["plan"]).first()
        if plan is None:
            form.add_error("plan", "Select a strategic plan of your partnership")
        else:
            try:
                dp = services.create_delivery_plan(
                    partnership=request.partnership,
                    plan=plan,
                    financial_year=form.cleaned_data["financial_year"],
                    title=form.cleaned_data["title"],
                    actor=request.user,
                    request=request,
                )
            except services.InputError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, f"{dp.title} created. Add its tactical actions")
                return HttpResponseRedirect(reverse("delivery:plan", args=[dp.pk]))
    return render(
        request, "delivery/plan_form.html", {"form": form, "has_plans": bool(choices), "page_error": bool(form.errors)}
    )


@require_GET
def plan(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    dp = selectors.delivery_plan_of(request, plan_id)
    quarter = _quarter(request, dp)
    actions = selectors.actions_in(request).filter(delivery_plan=dp).prefetch_related("priorities")
    figs = figures.plan_figures(dp, quarter, actions)
    groups = documents.by_priority(figs)
    unassigned = [a for a in figs.actions if not a.action.priorities.exists()]
    opened = list(MonitoringQuarter.objects.filter(delivery_plan=dp).order_by("quarter"))
    return render(
        request,
        "delivery/plan.html",
        {
            "dp": dp,
            "figures": figs,
            "groups": groups,
            "unassigned": unassigned,
            "quarter": quarter,
            "opened": opened,
            "opened_numbers": [q.quarter for q in opened],
            "counts": figs.rag_counts(),
            "can_manage": selectors.can_manage(request),
            "can_chair": selectors.can_chair(request),
            "can_view": selectors.can_view(request),
            "money": figures.money,
            "sources": figures.SOURCES,
            "priority_label": documents.priority_label,
            "rag_meaning": RAG_MEANING,
            "eia": selectors.equality_impacts(dp).filter(action__isnull=True).first(),
        },
    )


@require_POST
def publish(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_manage(request)
    dp = selectors.delivery_plan_of(request, plan_id)
    try:
        services.publish_delivery_plan(delivery_plan=dp, actor=request.user, request=request)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{dp.title} published. It is now frozen: open a quarter to start monitoring")
    return HttpResponseRedirect(reverse("delivery:plan", args=[dp.pk]))


@require_POST
def new_version(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_manage(request)
    dp = selectors.delivery_plan_of(request, plan_id)
    try:
        copy = services.new_version(delivery_plan=dp, actor=request.user, request=request)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("delivery:plan", args=[dp.pk]))
    messages.success(request, f"Version {copy.version} started as a draft copy of version {dp.version}")
    return HttpResponseRedirect(reverse("delivery:plan", args=[copy.pk]))


# Tactical actions ----------------------------------------------------------------------------------------


def _action_form(
    request: PartnershipRequest, dp: DeliveryPlan, data: Any, initial: dict[str, Any] | None = None
) -> forms.ActionForm:
    priorities = [(p.pk, documents.priority_label(p)) for p in services.priorities_of(dp.plan)]
    agencies = [(a.pk, a.name) for a in agencies_in(request.partnership)]
    owners = [(u.pk, f"{u.full_name} ({u.email})") for u in services.owners_in(request.partnership)]
    tags = [(t.pk, f"{t.name} ({t.get_kind_display().lower()})") for t in services.tags_of(dp.plan)]
    groups = [(g.pk, g.name) for g in services.groups_in(request.partnership)]
    return forms.ActionForm(
        data, initial=initial, priorities=priorities, pillars=tags, groups=groups, agencies=agencies, owners=owners
    )


def _action_input(form: forms.ActionForm) -> services.ActionInput:
    data = form.cleaned_data

    def as_int(value: str) -> int | None:
        return int(value) if value and value.isdigit() else None

    return services.ActionInput(
        reference=data["reference"],
        title=data["title"],
        description=data["description"],
        priority_ids=[int(v) for v in data["priorities"]],
        pillar_ids=[int(v) for v in data["pillars"]],
        lead_agency_id=as_int(data["lead_agency"]),
        owner_id=as_int(data["owner"]),
        partner_agency_ids=[int(v) for v in data["partner_agencies"]],
        other_partners=data["other_partners"],
        task_group_id=as_int(data["task_group"]),
        sara_stage=data["sara_stage"] or "scanning",
        scanning=data["scanning"],
        analysis=data["analysis"],
        response=data["response"],
        assessment=data["assessment"],
        local_need=data["local_need"],
        provider=data["provider"],
        sla=data["sla"],
        budgets={source: data[field] for source, field in forms.BUDGET_FIELDS.items()},
    )


def _save_action(request: PartnershipRequest, dp: DeliveryPlan, action: TacticalAction | None) -> HttpResponse:
    if dp.is_frozen:
        messages.error(
            request, f"{dp.title} is published, so its actions cannot change. Start a new version to change it"
        )
        return HttpResponseRedirect(
            reverse("delivery:action", args=[action.pk]) if action else reverse("delivery:plan", args=[dp.pk])
        )
    initial = None
    if action is not None and request.method == "GET":
        budgets = {
            source: sum((line.amount for line in action.budget_lines.all() if line.source == source), 0)
            for source in FundingSource.values
        }
        initial = {
            **{
                f: getattr(action, f)
                for f in (
                    "reference",
                    "title",
                    "description",
                    "other_partners",
                    "sara_stage",
                    "scanning",
                    "analysis",
                    "response",
                    "assessment",
                    "local_need",
                    "provider",
                    "sla",
                )
            },
            "priorities": [str(p.pk) for p in action.priorities.all()],
            "pillars": [str(t.pk) for t in action.pillars.all()],
            "task_group": str(action.task_group_id or ""),
            "lead_agency": str(action.lead_agency_id),
            "owner": str(action.owner_id),
            "partner_agencies": [str(a.pk) for a in action.partner_agencies.all()],
            **{
                field: (f"{budgets[source]:.2f}" if budgets[source] else "")
                for source, field in forms.BUDGET_FIELDS.items()
            },
        }
    form = _action_form(request, dp, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_action(
                delivery_plan=dp, data=_action_input(form), action=action, actor=request.user, request=request
            )
        except services.InputError as exc:
            renamed = {forms.BUDGET_FIELDS.get(k.removeprefix("budget_"), k): v for k, v in exc.errors.items()}
            _put_errors(form, services.InputError(renamed))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Action {saved.reference} {'added' if action is None else 'saved'}")
            return HttpResponseRedirect(reverse("delivery:action", args=[saved.pk]))
    return render(
        request,
        "delivery/action_form.html",
        {"form": form, "dp": dp, "action": action, "page_error": bool(form.errors)},
    )


@require_http_methods(["GET", "POST"])
def create_action(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_manage(request)
    dp = selectors.delivery_plan_of(request, plan_id)
    return _save_action(request, dp, None)


@require_http_methods(["GET", "POST"])
def edit_action(request: PartnershipRequest, action_id: int) -> HttpResponse:
    action = selectors.editable_action(request, action_id)
    return _save_action(request, action.delivery_plan, action)


@require_GET
def action(request: PartnershipRequest, action_id: int) -> HttpResponse:
    item = selectors.action_of(request, action_id)
    dp = item.delivery_plan
    quarter = _quarter(request, dp)
    figs = figures.plan_figures(dp, quarter, [item]).actions[0]
    may_edit = selectors.can_manage(request) or item.owner_id == request.user.pk
    return render(
        request,
        "delivery/action.html",
        {
            "action": item,
            "dp": dp,
            "f": figs,
            "quarter": quarter,
            "may_edit": may_edit,
            "money": figures.money,
            "number": figures.number,
            "priority_label": documents.priority_label,
            "returns": sorted(figs.returns.values(), key=lambda r: r.quarter),
            "eia": getattr(item, "equality_impact", None) if hasattr(item, "equality_impact") else None,
            "links": list(item.compliance_links.select_related("objective", "objective__partner_plan")),
            "history": selectors.change_history(item),
            "can_view": selectors.can_view(request),
        },
    )


@require_http_methods(["GET", "POST"])
def add_measure(request: PartnershipRequest, action_id: int) -> HttpResponse:
    item = selectors.editable_action(request, action_id)
    strategic = [(m.pk, m.name) for m in services.feedable_measures(request.partnership)]
    form = forms.MeasureForm(
        request.POST or None,
        initial={"kind": "quantitative", "direction": "up", "accumulation": "sum"},
        strategic=strategic,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_measure(
                action=item,
                title=data["title"],
                kind=data["kind"],
                unit=data["unit"],
                target=data["target"],
                direction=data["direction"],
                accumulation=data["accumulation"],
                feeds_id=int(data["feeds"]) if data["feeds"] else None,
                actor=request.user,
                request=request,
            )
        except services.InputError as exc:
            _put_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Measure added")
            return HttpResponseRedirect(reverse("delivery:action", args=[item.pk]))
    return render(
        request, "delivery/measure_form.html", {"form": form, "action": item, "page_error": bool(form.errors)}
    )


@require_http_methods(["GET", "POST"])
def add_milestone(request: PartnershipRequest, action_id: int) -> HttpResponse:
    item = selectors.editable_action(request, action_id)
    form = forms.MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_milestone(
                action=item,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                actor=request.user,
                request=request,
            )
        except services.InputError as exc:
            _put_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Milestone added")
            return HttpResponseRedirect(reverse("delivery:action", args=[item.pk]))
    return render(
        request, "delivery/milestone_form.html", {"form": form, "action": item, "page_error": bool(form.errors)}
    )


@require_POST
def milestone_done(request: PartnershipRequest, action_id: int, milestone_id: int) -> HttpResponse:
    item = selectors.editable_action(request, action_id)
    milestone = item.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone")
    done = request.POST.get("done") == "yes"
    services.set_milestone_done(milestone=milestone, done=done, actor=request.user, request=request)
    messages.success(request, f"Milestone marked {'done' if done else 'not done'}")
    return HttpResponseRedirect(reverse("delivery:action", args=[item.pk]))


# Quarterly monitoring -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def open_quarter(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_manage(request)
    dp = selectors.delivery_plan_of(request, plan_id)
    opened = set(MonitoringQuarter.objects.filter(delivery_plan=dp).values_list("quarter", flat=True))
    form = forms.OpenQuarterForm(request.POST or None, initial={"quarter": str(min({1, 2, 3, 4} - opened, default=4))})
    if request.method == "POST" and form.is_valid():
        try:
            q = services.open_quarter(
                delivery_plan=dp,
                quarter=int(form.cleaned_data["quarter"]),
                due_on=form.cleaned_data["due_on"],
                actor=request.user,
                request=request,
            )
        except services.InputError as exc:
            _put_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            count = dp.actions.count()
            messages.success(
                request,
                f"Q{q.quarter} opened: {count} action owner{'s' if count != 1 else ''} tasked with a return, "
                f"due {q.due_on:%-d %B %Y}",
            )
            return HttpResponseRedirect(reverse("delivery:plan", args=[dp.pk]) + f"?q={q.quarter}")
    return render(
        request,
        "delivery/open_quarter.html",
        {"form": form, "dp": dp, "opened": sorted(opened), "page_error": bool(form.errors)},
    )


@require_GET
def my_returns(request: PartnershipRequest) -> HttpResponse:
    returns = list(selectors.my_returns(request))
    return render(request, "delivery/my_returns.html", {"returns": returns})


@require_http_methods(["GET", "POST"])
def submit_return(request: PartnershipRequest, return_id: int) -> HttpResponse:
    ret = selectors.own_return(request, return_id)
    action_obj = ret.action
    dp = action_obj.delivery_plan
    measures = list(action_obj.measures.all())
    lines = list(action_obj.budget_lines.all())
    before = services.previous_rag(ret)
    if ret.status == ReturnStatus.AGREED:
        messages.info(request, f"The Q{ret.quarter} return was agreed by the chair, so it can no longer change")
        return HttpResponseRedirect(reverse("delivery:action", args=[action_obj.pk]) + f"?q={ret.quarter}")
    initial: dict[str, Any] = {
        "progress": ret.progress,
        "proposed_rag": ret.proposed_rag or before,
        "rag_reason": ret.rag_reason,
        "barriers": ret.barriers,
        "mitigations": ret.mitigations,
    }
    for reading in ret.readings.all():
        initial[f"measure_{reading.measure_id}"] = (
            reading.text if reading.text else (f"{reading.value:g}" if reading.value is not None else "")
        )
    for spend in ret.spends.all():
        initial[f"spend_{spend.budget_line_id}"] = f"{spend.amount:.2f}"
    form = forms.ReturnForm(request.POST or None, initial=initial, measures=measures, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.submit_return(
                quarterly_return=ret,
                data=services.ReturnInput(
                    progress=data["progress"],
                    proposed_rag=data["proposed_rag"],
                    rag_reason=data["rag_reason"],
                    barriers=data["barriers"],
                    mitigations=data["mitigations"],
                    readings={m.pk: data[f"measure_{m.pk}"] for m in measures},
                    spends={line.pk: data[f"spend_{line.pk}"] for line in lines},
                ),
                actor=request.user,
                request=request,
            )
        except services.InputError as exc:
            _put_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            # One banner: the confirmation, then any flag (spend over budget is allowed, and said plainly).
            messages.success(
                request,
                " ".join(
                    [
                        f"Your Q{ret.quarter} return for action {action_obj.reference} was submitted to the chair.",
                        *[w + "." for w in done.warnings],
                    ]
                ),
            )
            return HttpResponseRedirect(reverse("delivery:my-returns"))
    ytd = figures.plan_figures(dp, ret.quarter, [action_obj]).actions[0]
    return render(
        request,
        "delivery/return_form.html",
        {
            "form": form,
            "ret": ret,
            "action": action_obj,
            "dp": dp,
            "before": before,
            "f": ytd,
            "money": figures.money,
            "rag_meaning": RAG_MEANING,
            "page_error": bool(form.errors),
        },
    )


@require_GET
def review(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_chair(request)
    dp = selectors.delivery_plan_of(request, plan_id)
    quarter = _quarter(request, dp)
    figs = figures.plan_figures(dp, quarter)
    return render(
        request, "delivery/review.html", {"dp": dp, "figures": figs, "quarter": quarter, "money": figures.money}
    )


@require_http_methods(["GET", "POST"])
def review_return(request: PartnershipRequest, return_id: int) -> HttpResponse:
    selectors.require_chair(request)
    ret = selectors.return_of(request, return_id)
    action_obj = ret.action
    dp = action_obj.delivery_plan
    form = forms.AgreeForm(
        request.POST or None,
        initial={"agreed_rag": ret.agreed_rag or ret.proposed_rag, "chair_comment": ret.chair_comment},
    )
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision", "agree")
        try:
            if decision == "send_back":
                services.return_to_owner(
                    quarterly_return=ret,
                    comment=form.cleaned_data["chair_comment"],
                    actor=request.user,
                    request=request,
                )
                done = f"Action {action_obj.reference}'s Q{ret.quarter} return sent back to {ret.owner.full_name}"
            else:
                services.agree_return(
                    quarterly_return=ret,
                    agreed_rag=form.cleaned_data["agreed_rag"],
                    comment=form.cleaned_data["chair_comment"],
                    actor=request.user,
                    request=request,
                )
                done = f"Action {action_obj.reference}'s Q{ret.quarter} return agreed"
        except services.InputError as exc:
            _put_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("delivery:review", args=[dp.pk]) + f"?q={ret.quarter}")
    f = figures.plan_figures(dp, ret.quarter, [action_obj]).actions[0]
    return render(
        request,
        "delivery/review_return.html",
        {
            "form": form,
            "ret": ret,
            "action": action_obj,
            "dp": dp,
            "f": f,
            "money": figures.money,
            "number": figures.number,
            "before": services.previous_rag(ret),
            "page_error": bool(form.errors),
        },
    )


# Compliance and equality ---------------------------------------------------------------------------------


@require_GET
def compliance(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_view(request)
    dp = selectors.delivery_plan_of(request, plan_id)
    actions = sorted(dp.actions.prefetch_related("compliance_links"), key=lambda a: a.sort_key)
    objectives = list(services.objectives_of(request.partnership, dp.plan))
    linked = {(link.action_id, link.objective_id) for a in actions for link in a.compliance_links.all()}
    uncovered = [o for o in objectives if not any((a.pk, o.pk) in linked for a in actions)]
    unlinked = [a for a in actions if not any((a.pk, o.pk) in linked for o in objectives)]
    return render(
        request,
        "delivery/compliance.html",
        {
            "dp": dp,
            "actions": actions,
            "objectives": objectives,
            "linked": linked,
            "uncovered": uncovered,
            "unlinked": unlinked,
            "can_manage": selectors.can_manage(request),
        },
    )


@require_http_methods(["GET", "POST"])
def action_compliance(request: PartnershipRequest, action_id: int) -> HttpResponse:
    selectors.require_manage(request)
    item = selectors.action_of(request, action_id)
    objectives = [
        (o.pk, f"{o.partner_plan}: {o}") for o in services.objectives_of(request.partnership, item.delivery_plan.plan)
    ]
    current = [str(pk) for pk in item.compliance_links.values_list("objective_id", flat=True)]
    form = forms.ComplianceForm(request.POST or None, initial={"objectives": current}, objectives=objectives)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.set_compliance(
                action=item,
                objective_ids=[int(v) for v in form.cleaned_data["objectives"]],
                actor=request.user,
                request=request,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Action {item.reference} linked to {n} partner plan objective{'s' if n != 1 else ''}"
            )
            return HttpResponseRedirect(reverse("delivery:compliance", args=[item.delivery_plan_id]))
    return render(
        request, "delivery/action_compliance.html", {"form": form, "action": item, "page_error": bool(form.errors)}
    )


def _equality(request: PartnershipRequest, dp: DeliveryPlan, item: TacticalAction | None) -> HttpResponse:
    existing = selectors.equality_impacts(dp).filter(action=item).first()
    initial = (
        {
            "characteristics": existing.characteristics,
            "impacts": existing.impacts,
            "mitigations": existing.mitigations,
            "outcome": existing.outcome,
        }
        if existing
        else {"outcome": "no_change"}
    )
    form = forms.EqualityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_equality_impact(
                delivery_plan=dp,
                action=item,
                characteristics=data["characteristics"],
                impacts=data["impacts"],
                mitigations=data["mitigations"],
                outcome=data["outcome"],
                actor=request.user,
                request=request,
            )
        except services.InputError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, "Equality impact assessment saved")
            return HttpResponseRedirect(
                reverse("delivery:action", args=[item.pk]) if item else reverse("delivery:plan", args=[dp.pk])
            )
    return render(
        request,
        "delivery/equality_form.html",
        {
            "form": form,
            "dp": dp,
            "action": item,
            "existing": existing,
            "labels": dict(ProtectedCharacteristic.choices),
            "page_error": bool(form.errors),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_equality(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_manage(request)
    return _equality(request, selectors.delivery_plan_of(request, plan_id), None)


@require_http_methods(["GET", "POST"])
def action_equality(request: PartnershipRequest, action_id: int) -> HttpResponse:
    item = selectors.editable_action(request, action_id)
    return _equality(request, item.delivery_plan, item)


# Documents ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def documents_page(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    selectors.require_view(request)
    dp = selectors.delivery_plan_of(request, plan_id)
    quarter = _quarter(request, dp)
    if request.method == "POST":
        slug = request.POST.get("document", "")
        kind = tasks.DOCUMENTS.get(slug)
        q = request.POST.get("quarter", str(quarter))
        if kind is None or q not in {"1", "2", "3", "4"}:
            messages.error(request, "Select a document and a quarter")
            return HttpResponseRedirect(reverse("delivery:documents", args=[dp.pk]))
        job = core_services.create_job(
            partnership=request.partnership,
            user=request.user,
            kind=f"delivery_{slug}",
            title=f"{kind.title}: {dp.title}" + (f", Q{q}" if kind.needs_quarter else ""),
            parameters={"document": slug, "delivery_plan": dp.pk, "quarter": int(q)},
        )
        record_access(
            action=AccessAction.EXPORT,
            actor=request.user,
            object_type="delivery_plan",
            object_id=dp.pk,
            detail=f"{slug} requested",
            request=request,
        )
        result = tasks.build_document.enqueue(str(job.pk))
        core_services.record_task_id(job=job, task_result_id=result.id)
        return HttpResponseRedirect(reverse("delivery:job", args=[job.pk]))
    return render(request, "delivery/documents.html", {"dp": dp, "quarter": quarter, "kinds": tasks.DOCUMENTS.values()})


def _delivery_job(request: PartnershipRequest, job_id: uuid.UUID) -> Job:
    job = Job.objects.filter(
        pk=job_id, partnership=request.partnership, created_by=request.user, kind__startswith="delivery_"
    ).first()
    if job is None:
        raise Http404("No such job")
    plan_id = job.parameters.get("delivery_plan")
    if plan_id is not None:
        selectors.delivery_plan_of(request, int(plan_id))  # still allowed to see the plan?
    return job


@require_GET
def job(request: PartnershipRequest, job_id: uuid.UUID) -> HttpResponse:
    recover_interrupted()  # a build or import whose process was killed reads as failed, not running for ever
    item = _delivery_job(request, job_id)
    imported = DeliveryImport.objects.filter(job=item).select_related("delivery_plan").first()
    return render(request, "delivery/job.html", {"job": item, "status": job_json(item), "imported": imported})


@require_GET
def download(request: PartnershipRequest, job_id: uuid.UUID) -> FileResponse:
    item = _delivery_job(request, job_id)
    selectors.require_view(request)
    return job_file_response(request, item)


# Import ---------------------------------------------------------------------------------------------


@require_GET
def import_template(request: PartnershipRequest) -> HttpResponse:
    selectors.require_manage(request)
    content = documents.plan_workbook([], "Delivery plan import template")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="delivery-plan-template.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def import_plan(request: PartnershipRequest) -> HttpResponse:
    selectors.require_manage(request)
    choices = _plans_choices(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None, plans=choices)
    if request.method == "POST" and form.is_valid():
        plan_obj = Plan.objects.filter(partnership=request.partnership, pk=form.cleaned_data["plan"]).first()
        year = form.cleaned_data["financial_year"].strip()
        upload = form.cleaned_data["file"]
        if plan_obj is None:
            form.add_error("plan", "Select a strategic plan of your partnership")
        elif not upload.name.lower().endswith(".xlsx"):
            form.add_error("file", "The file must be an Excel workbook (.xlsx), like the template")
        else:
            try:
                from safer.delivery.models import validate_financial_year

                validate_financial_year(year)
            except Exception:
                form.add_error("financial_year", "Enter the financial year like 2024-25")
            else:
                if DeliveryPlan.objects.filter(partnership=request.partnership, financial_year=year).exists():
                    form.add_error(
                        "financial_year",
                        f"There is already a delivery plan for {year}. Choose another year, or add actions to it",
                    )
        if not form.errors:
            assert plan_obj is not None
            job_obj = core_services.create_job(
                partnership=request.partnership,
                user=request.user,
                kind="delivery_import",
                title=f"Import delivery plan {year} from {upload.name}"[:200],
                parameters={},
            )
            stored = tasks.importer_dir() / f"{job_obj.pk}.xlsx"
            with stored.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            DeliveryImport.objects.create(
                partnership=request.partnership,
                job=job_obj,
                file_name=upload.name[:200],
                stored_file=stored.name,
                plan=plan_obj,
                financial_year=year,
                created_by=request.user,
            )
            record_access(
                action=AccessAction.CREATE,
                actor=request.user,
                object_type="delivery_import",
                object_id=str(job_obj.pk),
                detail="Delivery plan upload",
                request=request,
            )
            result = tasks.import_plan.enqueue(str(job_obj.pk))
            core_services.record_task_id(job=job_obj, task_result_id=result.id)
            return HttpResponseRedirect(reverse("delivery:job", args=[job_obj.pk]))
    return render(
        request, "delivery/import.html", {"form": form, "has_plans": bool(choices), "page_error": bool(form.errors)}
    )
