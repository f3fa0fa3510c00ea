"""A person's own account: API tokens and which partnership they are working in."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safer.core import selectors, services
from safer.core.forms import ApiTokenForm, SwitchPartnershipForm
from safer.core.http import PartnershipRequest
from safer.core.middleware import CurrentPartnershipMiddleware


@require_http_methods(["GET", "POST"])
def account(request: PartnershipRequest) -> HttpResponse:
    partnerships = [(str(p.pk), p.name) for p in selectors.partnerships_for(request.user)]
    switch = SwitchPartnershipForm(
        request.POST if request.method == "POST" else None,
        partnerships=partnerships,
        initial={"partnership": str(request.partnership.pk) if request.partnership else ""},
    )
    if request.method == "POST" and switch.is_valid():
        try:
            chosen = services.choose_partnership(
                user=request.user, partnership_id=int(switch.cleaned_data["partnership"])
            )
        except services.InputError as exc:
            for name, message in exc.errors.items():
                switch.add_error(name if name in switch.fields else None, message)
        else:
            request.session[CurrentPartnershipMiddleware.SESSION_KEY] = chosen.pk
            messages.success(request, "You are now working in " + chosen.name)
            return HttpResponseRedirect(reverse("core:home"))
    return render(
        request,
        "core/account/account.html",
        {
            "switch": switch,
            "partnerships": partnerships,
            "tokens": selectors.tokens_of(request.user),
            "page_error": bool(switch.errors),
        },
    )


@require_http_methods(["GET", "POST"])
def new_token(request: PartnershipRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token, secret = services.create_api_token(user=request.user, name=form.cleaned_data["name"], request=request)
        # The secret is rendered once, in this response, and is not stored anywhere.
        response = render(request, "core/account/token_created.html", {"token": token, "secret": secret})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "core/account/new_token.html", {"form": form, "page_error": bool(form.errors)})


@require_POST
def revoke_token(request: PartnershipRequest, token_id: int) -> HttpResponse:
    token = selectors.token_of(request.user, token_id)
    services.revoke_api_token(token=token, actor=request.user, request=request)
    messages.success(request, f"Token '{token.name}' revoked: it no longer works")
    return HttpResponseRedirect(reverse("core:account"))
