"""Plans and performance pages: thin views over ``selectors`` (reads) and ``services`` (writes).

Everyone with a plans role (manager or board, partnership admin, analyst) sees and changes plans and measures. A
partner without a plans role may open only the figure-entry pages of measures their agency reports. Anything of
another partnership is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safer.core.http import PartnershipRequest
from safer.core.models import Agency
from safer.core.permissions import can, require_area
from safer.core.services import ServiceError
from safer.intelligence.charts import line_chart
from safer.plans import forms, rag, selectors, services
from safer.plans.models import (
    Frequency,
    Measure,
    MeasureSource,
    MeasureValue,
    Plan,
    Priority,
    RagOverride,
    SeriousViolenceReview,
    TagKind,
    Target,
    TargetKind,
)


def _apply(form: Any, exc: ServiceError) -> None:
    """Put a service's messages by their fields (or above the form)."""
    errors = exc.errors if isinstance(exc, services.InputError) else {"__all__": str(exc)}
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


def _ctx(form: Any, **extra: Any) -> dict[str, Any]:
    return {"form": form, "page_error": bool(form.errors), **extra}


# ---- home and plans ------------------------------------------------------------------------------------------------


@require_area("plans")
@require_GET
def home(request: PartnershipRequest) -> HttpResponse:
    plans = list(selectors.plans_of(request.partnership))
    return render(
        request,
        "plans/home.html",
        {
            "plans": plans,
            "measures": selectors.measures_of(request.partnership).count(),
            "reviews": selectors.reviews_of(request.partnership)[:3],
        },
    )


def _plan_data(form: forms.PlanForm) -> services.PlanData:
    d = form.cleaned_data
    return services.PlanData(d["title"], d["period_start"], d["period_end"], d["vision"], d["mission"], d["principles"])


@require_area("plans")
@require_http_methods(["GET", "POST"])
def plan_new(request: PartnershipRequest) -> HttpResponse:
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                partnership=request.partnership, data=_plan_data(form), actor=request.user, request=request
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"{plan} created. Now add its priorities")
            return HttpResponseRedirect(reverse("plans:plan", args=[plan.pk]))
    return render(request, "plans/plan_form.html", _ctx(form, plan=None))


@require_area("plans")
@require_http_methods(["GET", "POST"])
def plan_edit(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of(request.partnership, plan_id)
    if plan.is_published:
        messages.info(request, f"{plan} is published, so it cannot change. Start a new version to change it")
        return HttpResponseRedirect(reverse("plans:plan", args=[plan.pk]))
    initial = {k: getattr(plan, k) for k in ("title", "period_start", "period_end", "vision", "mission", "principles")}
    form = forms.PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(plan=plan, data=_plan_data(form), actor=request.user, request=request)
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "Plan saved")
            return HttpResponseRedirect(reverse("plans:plan", args=[plan.pk]))
    return render(request, "plans/plan_form.html", _ctx(form, plan=plan))


@require_area("plans")
@require_GET
def plan(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_of(request.partnership, plan_id)
    tags = list(selectors.tags_of(found))
    return render(
        request,
        "plans/plan.html",
        {
            "plan": found,
            "priorities": list(selectors.priorities_of(found).prefetch_related("measures")),
            "tag_groups": [(label, [t for t in tags if t.kind == kind]) for kind, label in TagKind.choices],
            "partner_plans": list(found.partner_plans.prefetch_related("objectives")),
            "later": Plan.objects.filter(copied_from=found).first(),
        },
    )


@require_area("plans")
@require_POST
def plan_publish(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_of(request.partnership, plan_id)
    try:
        services.publish_plan(plan=found, actor=request.user, request=request)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{found} published. It is now frozen: changes start a new version")
    return HttpResponseRedirect(reverse("plans:plan", args=[found.pk]))


@require_area("plans")
@require_POST
def plan_copy(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_of(request.partnership, plan_id)
    copy = services.copy_plan(plan=found, actor=request.user, request=request)
    messages.success(request, f"Version {copy.version} started as a draft copy of version {found.version}")
    return HttpResponseRedirect(reverse("plans:plan", args=[copy.pk]))


@require_area("plans")
@require_http_methods(["GET", "POST"])
def plan_tags(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_of(request.partnership, plan_id)
    tags = list(selectors.tags_of(found))
    initial = {
        field: ", ".join(t.name for t in tags if t.kind == kind)
        for field, kind in (("key_areas", TagKind.KEY_AREA), ("pillars", TagKind.PILLAR), ("themes", TagKind.THEME))
    }
    form = forms.TagsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_tags(plan=found, actor=request.user, request=request, **form.cleaned_data)
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "Key areas, pillars and themes saved")
            return HttpResponseRedirect(reverse("plans:plan", args=[found.pk]))
    return render(request, "plans/tags_form.html", _ctx(form, plan=found))


@require_area("plans")
@require_http_methods(["GET", "POST"])
def plan_align(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_of(request.partnership, plan_id)
    choices = [(p.pk, f"{p.title} ({p.owner})") for p in selectors.partner_plans_of(request.partnership)]
    form = forms.AlignForm(
        request.POST or None,
        initial={"partner_plans": [str(pk) for pk in found.partner_plans.values_list("pk", flat=True)]},
        choices=choices,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_partner_plans(
                plan=found,
                ids=[int(i) for i in form.cleaned_data["partner_plans"]],
                actor=request.user,
                request=request,
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "Partner plans saved")
            return HttpResponseRedirect(reverse("plans:plan", args=[found.pk]))
    return render(request, "plans/align_form.html", _ctx(form, plan=found))


# ---- priorities ----------------------------------------------------------------------------------------------------


def _priority_form(request: PartnershipRequest, plan: Plan, priority: Priority | None) -> HttpResponse:
    tags = [(t.pk, f"{t.name} ({t.get_kind_display().lower()})") for t in selectors.tags_of(plan)]
    groups = [(g.pk, g.name) for g in selectors.groups_of(request.partnership)]
    initial: dict[str, Any] = {}
    if priority is not None:
        initial = {
            "code": priority.code,
            "title": priority.title,
            "description": priority.description,
            "order": priority.order,
            "tags": [str(t.pk) for t in priority.tags.all()],
            "groups": [str(g.pk) for g in priority.delivery_groups.all()],
        }
    form = forms.PriorityForm(request.POST or None, initial=initial, tags=tags, groups=groups)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.PriorityData(
            d["code"],
            d["title"],
            d["description"],
            d["order"] or 0,
            [int(i) for i in d["tags"]],
            [int(i) for i in d["groups"]],
        )
        try:
            saved = services.save_priority(plan=plan, data=data, priority=priority, actor=request.user, request=request)
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Priority {saved} saved")
            return HttpResponseRedirect(reverse("plans:plan", args=[plan.pk]))
    return render(request, "plans/priority_form.html", _ctx(form, plan=plan, priority=priority))


@require_area("plans")
@require_http_methods(["GET", "POST"])
def priority_new(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_of(request.partnership, plan_id)
    if found.is_published:
        messages.info(request, f"{found} is published, so it cannot change. Start a new version to change it")
        return HttpResponseRedirect(reverse("plans:plan", args=[found.pk]))
    return _priority_form(request, found, None)


@require_area("plans")
@require_http_methods(["GET", "POST"])
def priority_edit(request: PartnershipRequest, priority_id: int) -> HttpResponse:
    found = selectors.priority_of(request.partnership, priority_id)
    if found.plan.is_published:
        messages.info(request, f"{found.plan} is published, so it cannot change. Start a new version to change it")
        return HttpResponseRedirect(reverse("plans:plan", args=[found.plan_id]))
    return _priority_form(request, found.plan, found)


# ---- delivery groups and partner plans ------------------------------------------------------------------------------


@require_area("plans")
@require_http_methods(["GET", "POST"])
def groups(request: PartnershipRequest) -> HttpResponse:
    group_id = request.GET.get("edit")
    group = selectors.group_of(request.partnership, int(group_id)) if group_id and group_id.isdigit() else None
    initial = (
        {"name": group.name, "chair": group.chair, "reports_to": group.reports_to, "remit": group.remit}
        if group
        else {}
    )
    form = forms.GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_group(
                partnership=request.partnership,
                group=group,
                actor=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Group {saved.name} saved")
            return HttpResponseRedirect(reverse("plans:groups"))
    return render(
        request, "plans/groups.html", _ctx(form, groups=selectors.groups_of(request.partnership), group=group)
    )


@require_area("plans")
@require_http_methods(["GET", "POST"])
def partner_plans(request: PartnershipRequest) -> HttpResponse:
    edit_id = request.GET.get("edit")
    found = selectors.partner_plan_of(request.partnership, int(edit_id)) if edit_id and edit_id.isdigit() else None
    initial = {}
    if found is not None:
        initial = {
            "owner": found.owner,
            "title": found.title,
            "period": found.period,
            "objectives": "\n".join(f"{o.code}. {o.text}" if o.code else o.text for o in found.objectives.all()),
        }
    form = forms.PartnerPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_partner_plan(
                partnership=request.partnership,
                partner_plan=found,
                actor=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"{saved.title} saved")
            return HttpResponseRedirect(reverse("plans:partner-plans"))
    return render(
        request,
        "plans/partner_plans.html",
        _ctx(form, partner_plans=selectors.partner_plans_of(request.partnership), editing=found),
    )


# ---- Serious Violence Duty reviews --------------------------------------------------------------------------------


@require_area("plans")
@require_GET
def reviews(request: PartnershipRequest) -> HttpResponse:
    return render(request, "plans/reviews.html", {"reviews": selectors.reviews_of(request.partnership)})


@require_area("plans")
@require_GET
def review(request: PartnershipRequest, review_id: int) -> HttpResponse:
    found = selectors.review_of(request.partnership, review_id)
    return render(
        request, "plans/review.html", {"review": found, "history": found.history.select_related("history_user")[:20]}
    )


def _review_form(request: PartnershipRequest, found: SeriousViolenceReview | None) -> HttpResponse:
    plans = [(p.pk, str(p)) for p in selectors.plans_of(request.partnership)]
    initial: dict[str, Any] = {}
    if found is not None:
        initial = {
            f: getattr(found, f)
            for f in (
                "title",
                "reviewed_on",
                "local_definition",
                "needs_assessment",
                "priorities",
                "performance_framework",
                "next_review_on",
            )
        }
        initial["plan"] = found.plan_id or ""
    form = forms.ReviewForm(request.POST or None, initial=initial, plans=plans)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["plan"] = selectors.plan_of(request.partnership, int(fields["plan"])) if fields["plan"] else None
        try:
            saved = services.save_review(
                partnership=request.partnership, fields=fields, review=found, actor=request.user, request=request
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "Review saved")
            return HttpResponseRedirect(reverse("plans:review", args=[saved.pk]))
    return render(request, "plans/review_form.html", _ctx(form, review=found))


@require_area("plans")
@require_http_methods(["GET", "POST"])
def review_new(request: PartnershipRequest) -> HttpResponse:
    return _review_form(request, None)


@require_area("plans")
@require_http_methods(["GET", "POST"])
def review_edit(request: PartnershipRequest, review_id: int) -> HttpResponse:
    return _review_form(request, selectors.review_of(request.partnership, review_id))


# ---- measures ------------------------------------------------------------------------------------------------------


@require_area("plans")
@require_GET
def measures(request: PartnershipRequest) -> HttpResponse:
    found = list(selectors.measures_of(request.partnership).prefetch_related("components"))
    return render(
        request,
        "plans/measures.html",
        {"statuses": [selectors.measure_status(m) for m in found]},
    )


def _measure_form(request: PartnershipRequest, measure: Measure | None) -> HttpResponse:
    from safer.intelligence import priority as intelligence_priority
    from safer.intelligence import selectors as intelligence

    partnership = request.partnership
    priorities = [
        (p.pk, f"{p} ({p.plan.period_label}, version {p.plan.version})")
        for p in Priority.objects.filter(plan__partnership=partnership).select_related("plan")
    ]
    areas = [(a.pk, a.name) for a in intelligence_priority.areas_of(partnership)]
    agencies = [(a.pk, a.name) for a in Agency.objects.filter(partnership=partnership)]
    others = selectors.measures_of(partnership).exclude(source=MeasureSource.COMPOSITE)
    if measure is not None:
        others = others.exclude(pk=measure.pk)
    initial: dict[str, Any] = {
        "priority": request.GET.get("priority", ""),
        "frequency": Frequency.QUARTERLY,
        "polarity": "down",
        "unit": "count",
        "source": MeasureSource.PARTNER,
        "gap_compare": "rest",
    }
    if measure is not None:
        initial = {
            f: getattr(measure, f)
            for f in ("name", "definition", "geography", "frequency", "polarity", "unit", "source", "dataset")
        }
        initial.update(
            priority=measure.priority_id or "",
            priority_area=measure.priority_area_id or "",
            gap_compare=measure.gap_compare or "rest",
            owner_agency=measure.owner_agency_id or "",
            components=[str(pk) for pk in measure.components.values_list("pk", flat=True)],
        )
    form = forms.MeasureForm(
        request.POST or None,
        initial=initial,
        priorities=priorities,
        datasets=[(d.slug, d.name) for d in intelligence.datasets()],
        areas=areas,
        agencies=agencies,
        measures=[(m.pk, m.name) for m in others],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {
            "name": d["name"],
            "definition": d["definition"],
            "geography": d["geography"],
            "frequency": d["frequency"],
            "polarity": d["polarity"],
            "unit": d["unit"],
            "source": d["source"],
            "dataset": d["dataset"],
            "priority": selectors.priority_of(partnership, int(d["priority"])),
            "priority_area": intelligence_priority.area_of(partnership, int(d["priority_area"]))
            if d["priority_area"]
            else None,
            "gap_compare": d["gap_compare"] or "rest",
            "owner_agency": Agency.objects.get(partnership=partnership, pk=int(d["owner_agency"]))
            if d["owner_agency"]
            else None,
        }
        try:
            saved = services.save_measure(
                partnership=partnership,
                fields=fields,
                components=[int(i) for i in d["components"]],
                measure=measure,
                actor=request.user,
                request=request,
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Measure {saved.name} saved")
            return HttpResponseRedirect(reverse("plans:measure", args=[saved.pk]))
    return render(request, "plans/measure_form.html", _ctx(form, measure=measure))


@require_area("plans")
@require_http_methods(["GET", "POST"])
def measure_new(request: PartnershipRequest) -> HttpResponse:
    if not Priority.objects.filter(plan__partnership=request.partnership).exists():
        messages.info(request, "Add a plan and its priorities first: every measure belongs to a priority")
        return HttpResponseRedirect(reverse("plans:home"))
    return _measure_form(request, None)


@require_area("plans")
@require_http_methods(["GET", "POST"])
def measure_edit(request: PartnershipRequest, measure_id: int) -> HttpResponse:
    return _measure_form(request, selectors.measure_of(request.partnership, measure_id))


def chart_for(status: selectors.Status) -> str:
    """Actual against trajectory, oldest first, plotted at each period's start (so April starts are labelled)."""
    points = [f for f in status.figures if f.value is not None or f.expected is not None]
    if len(points) < 2 or status.measure.source == MeasureSource.COMPOSITE:
        return ""
    series: list[tuple[str, list[tuple[date, float | None]]]] = [("Actual", [(f.start, f.value) for f in points])]
    if status.trajectory is not None:
        series.append(("Trajectory", [(f.start, f.expected) for f in points]))
    return line_chart(f"{status.measure.name}: actual against trajectory", series)


@require_area("plans")
@require_GET
def measure(request: PartnershipRequest, measure_id: int) -> HttpResponse:
    found = selectors.measure_of(request.partnership, measure_id)
    status = selectors.measure_status(found)
    return render(
        request,
        "plans/measure.html",
        {
            "measure": found,
            "status": status,
            "chart": chart_for(status),
            "rag_meanings": rag.RAG_MEANINGS,
            "can_enter": found.source == MeasureSource.PARTNER,
        },
    )


# ---- targets -------------------------------------------------------------------------------------------------------


def _target_data(form: forms.TargetForm) -> services.TargetData:
    d = form.cleaned_data
    return services.TargetData(
        kind=d["kind"],
        wording=d["wording"],
        baseline_start=d["baseline_start"],
        baseline_end=d["baseline_end"],
        baseline_value=d["baseline_value"],
        percent_change=d["percent_change"],
        target_value=d["target_value"],
        required_count=d["required_count"],
        required_fraction=d["required_fraction"],
        target_date=d["target_date"],
        amber_tolerance=d["amber_tolerance"] if d["amber_tolerance"] is not None else Decimal(5),
        trajectory=d["trajectory"],
    )


@require_area("plans")
@require_http_methods(["GET", "POST"])
def target_edit(request: PartnershipRequest, measure_id: int) -> HttpResponse:
    found = selectors.measure_of(request.partnership, measure_id)
    target = selectors.current_target(found)
    initial: dict[str, Any] = {
        "kind": TargetKind.COMPOSITE if found.source == MeasureSource.COMPOSITE else "",
        "amber_tolerance": "5",
    }
    if target is not None:
        initial = {
            f: getattr(target, f)
            for f in (
                "kind",
                "wording",
                "baseline_start",
                "baseline_end",
                "target_date",
                "required_count",
            )
        }
        for f in ("baseline_value", "percent_change", "target_value", "required_fraction", "amber_tolerance"):
            value = getattr(target, f)
            initial[f] = "" if value is None else f"{value.normalize():f}"
        initial["trajectory"] = "\n".join(f"{p.on:%d/%m/%Y} {p.value.normalize():f}" for p in target.trajectory.all())
    form = forms.TargetForm(request.POST or None, initial=initial)
    zero_baseline = False
    if request.method == "POST" and form.is_valid():
        try:
            services.save_target(
                measure=found,
                data=_target_data(form),
                target=target,
                actor=request.user,
                request=request,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            _apply(form, exc)
            zero_baseline = (
                isinstance(exc, services.InputError) and exc.errors.get("percent_change") == services.ZERO_BASELINE
            )
        else:
            messages.success(request, "Target saved")
            return HttpResponseRedirect(reverse("plans:measure", args=[found.pk]))
    return render(
        request,
        "plans/target_form.html",
        _ctx(form, measure=found, target=target, zero_baseline=zero_baseline),
    )


@require_area("plans")
@require_GET
def history(request: PartnershipRequest, measure_id: int) -> HttpResponse:
    """Who changed the measure's targets, trajectories and RAGs, and when (django-simple-history)."""
    found = selectors.measure_of(request.partnership, measure_id)
    target_ids = list(Target.objects.filter(measure=found).values_list("pk", flat=True))
    targets = Target.history.filter(id__in=target_ids).select_related("history_user").order_by("-history_date")
    rags = RagOverride.history.filter(measure_id=found.pk).select_related("history_user").order_by("-history_date")
    values = MeasureValue.history.filter(measure_id=found.pk).select_related("history_user").order_by("-history_date")
    return render(
        request,
        "plans/history.html",
        {
            "measure": found,
            "targets": [(h, h.prev_record) for h in targets[:100]],
            "rags": rags[:100],
            "values": values[:100],
        },
    )


# ---- figures and RAG -------------------------------------------------------------------------------------------------


def _entry_allowed(request: PartnershipRequest) -> bool:
    return can(request, "plans") or bool(request.agencies)


def _entry_measure(request: PartnershipRequest, measure_id: int) -> Measure:
    found = selectors.measures_for_entry(request.partnership, request.agencies, can(request, "plans")).filter(
        pk=measure_id
    )
    measure = found.first()
    if measure is None:
        raise Http404("No such measure")
    return measure


def _entry_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: PartnershipRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _entry_allowed(request):
            raise PermissionDenied("Entering figures needs a plans role, or membership of the reporting agency")
        return view(request, *args, **kwargs)

    return wrapped


@_entry_view
@require_GET
def entry(request: PartnershipRequest) -> HttpResponse:
    """The measures this person reports figures for, with the last figure each has."""
    found = selectors.measures_for_entry(request.partnership, request.agencies, can(request, "plans"))
    rows = []
    for m in found:
        last = m.values.order_by("-period_end").select_related("entered_by").first()
        rows.append((m, last))
    return render(request, "plans/entry.html", {"rows": rows, "plans_role": can(request, "plans")})


@_entry_view
@require_http_methods(["GET", "POST"])
def value_new(request: PartnershipRequest, measure_id: int) -> HttpResponse:
    found = _entry_measure(request, measure_id)
    form = forms.ValueForm(request.POST or None, periods=selectors.entry_periods(found))
    if request.method == "POST" and form.is_valid():
        start, end = form.period_dates()
        try:
            value = services.enter_value(
                measure=found,
                period_start=start,
                period_end=end,
                raw_value=form.cleaned_data["value"],
                source_note=form.cleaned_data["source_note"],
                actor=request.user,
                request=request,
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, f"Figure for {selectors.period_label(value.period_start, value.period_end)} saved"
            )
            if can(request, "plans"):
                return HttpResponseRedirect(reverse("plans:measure", args=[found.pk]))
            return HttpResponseRedirect(reverse("plans:entry"))
    return render(request, "plans/value_form.html", _ctx(form, measure=found))


@require_area("plans")
@require_http_methods(["GET", "POST"])
def rag_set(request: PartnershipRequest, measure_id: int) -> HttpResponse:
    found = selectors.measure_of(request.partnership, measure_id)
    status = selectors.measure_status(found)
    latest = status.latest
    if latest is None:
        messages.info(request, "There is no figure to rate yet")
        return HttpResponseRedirect(reverse("plans:measure", args=[found.pk]))
    initial = {"rag": status.override.rag if status.override else "computed"}
    form = forms.RagForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rag(
                measure=found,
                period_end=latest.end,
                rag_value=form.cleaned_data["rag"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except ServiceError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "RAG saved")
            return HttpResponseRedirect(reverse("plans:measure", args=[found.pk]))
    return render(request, "plans/rag_form.html", _ctx(form, measure=found, status=status, latest=latest))


# ---- the board -----------------------------------------------------------------------------------------------------


@require_area("plans")
@require_GET
def board(request: PartnershipRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_of(request.partnership, plan_id)
    rows = selectors.board(request.partnership, found)
    charts = {s.measure.pk: chart_for(s) for row in rows for s in row.statuses}
    totals = dict.fromkeys((rag.GREEN, rag.AMBER, rag.RED, rag.GREY), 0)
    for row in rows:
        for key, n in row.counts.items():
            totals[key] += n
    return render(
        request,
        "plans/board.html",
        {"plan": found, "rows": rows, "charts": charts, "totals": totals, "rag_meanings": rag.RAG_MEANINGS},
    )
