"""The partnership admin's pages: people, invitations, roles, agencies."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safer.core import selectors, services
from safer.core.forms import AgencyForm, InviteForm, RolesForm
from safer.core.http import PartnershipRequest
from safer.core.models import Role
from safer.core.permissions import require_area

ROLE_LABELS = dict(Role.choices)


@require_area("people")
def people(request: PartnershipRequest) -> HttpResponse:
    return render(
        request,
        "core/people/list.html",
        {
            "people": selectors.people_in(request.partnership),
            "invitations": selectors.pending_invitations(request.partnership),
            "agencies": selectors.agencies_in(request.partnership),
            "role_labels": ROLE_LABELS,
        },
    )


@require_area("people")
@require_http_methods(["GET", "POST"])
def invite(request: PartnershipRequest) -> HttpResponse:
    agencies = list(selectors.agencies_in(request.partnership))
    form = InviteForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        agency = selectors.agency_in(request.partnership, int(form.cleaned_data["agency"]))
        try:
            invitation, _link = services.invite_user(
                partnership=request.partnership,
                agency=agency,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                invited_by=request.user,
                request=request,
            )
        except services.ServiceError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}")
            return HttpResponseRedirect(reverse("core:people"))
    return render(request, "core/people/invite.html", {"form": form, "page_error": bool(form.errors)})


@require_area("people")
@require_POST
def revoke_invitation(request: PartnershipRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.pending_invitations(request.partnership).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation")
    services.revoke_invitation(invitation=invitation, actor=request.user, request=request)
    messages.success(request, f"Invitation to {invitation.email} withdrawn")
    return HttpResponseRedirect(reverse("core:people"))


@require_area("people")
@require_http_methods(["GET", "POST"])
def person(request: PartnershipRequest, user_id: int) -> HttpResponse:
    row = selectors.person_in(request.partnership, user_id)
    form = RolesForm(request.POST if request.method == "POST" else None, initial={"roles": row.roles})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_roles(
                partnership=request.partnership,
                user=row.user,
                roles=form.cleaned_data["roles"],
                actor=request.user,
                request=request,
            )
        except services.ServiceError as exc:
            form.add_error("roles", str(exc))
        else:
            messages.success(request, f"Roles changed for {row.user.full_name}")
            return HttpResponseRedirect(reverse("core:person", args=[user_id]))
    return render(
        request,
        "core/people/person.html",
        {
            "row": row,
            "form": form,
            "role_labels": ROLE_LABELS,
            "is_self": row.user.pk == request.user.pk,
            "page_error": bool(form.errors),
        },
    )


@require_area("people")
@require_POST
def disable_person(request: PartnershipRequest, user_id: int) -> HttpResponse:
    row = selectors.person_in(request.partnership, user_id)
    try:
        services.disable_user(partnership=request.partnership, user=row.user, actor=request.user, request=request)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{row.user.full_name} has been disabled and signed out")
    return HttpResponseRedirect(reverse("core:person", args=[user_id]))


@require_area("people")
@require_POST
def enable_person(request: PartnershipRequest, user_id: int) -> HttpResponse:
    row = selectors.person_in(request.partnership, user_id)
    services.enable_user(partnership=request.partnership, user=row.user, actor=request.user, request=request)
    messages.success(request, f"{row.user.full_name} can sign in again")
    return HttpResponseRedirect(reverse("core:person", args=[user_id]))


@require_area("people")
@require_POST
def reset_two_factor(request: PartnershipRequest, user_id: int) -> HttpResponse:
    row = selectors.person_in(request.partnership, user_id)
    services.reset_two_factor(partnership=request.partnership, user=row.user, actor=request.user, request=request)
    messages.success(request, f"{row.user.full_name} will set up two-factor authentication again at their next sign-in")
    return HttpResponseRedirect(reverse("core:person", args=[user_id]))


@require_area("people")
@require_http_methods(["GET", "POST"])
def add_agency(request: PartnershipRequest) -> HttpResponse:
    form = AgencyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.add_agency(
                partnership=request.partnership,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                actor=request.user,
            )
        except services.ServiceError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"{agency.name} added to the partnership")
            return HttpResponseRedirect(reverse("core:people"))
    return render(request, "core/people/add_agency.html", {"form": form, "page_error": bool(form.errors)})
