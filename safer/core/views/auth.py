"""Sign in, two-factor authentication, sign out, invitations, lockout."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from safer.core import selectors, services
from safer.core.audit import record_account_event
from safer.core.forms import SetPasswordForm, SignInForm, TokenForm
from safer.core.models import AccessAction, User


def safe_next(request: HttpRequest, default: str = "core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def after_password(request: HttpRequest, user: User) -> HttpResponse:
    """Where a person goes once their password is accepted: the second factor, unless switched off."""
    nxt = safe_next(request)
    if settings.MFA_DISABLED:
        return HttpResponseRedirect(nxt)
    step = "core:two-factor-verify" if selectors.has_confirmed_totp(user) else "core:two-factor-setup"
    return HttpResponseRedirect(reverse(step) + "?next=" + nxt)


REASONS = {
    "expired": "You were signed out because your session ended. Sign in again to carry on.",
    "signed-out": "You have signed out.",
}


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
        return after_password(request, form.user)
    reason = REASONS.get(request.GET.get("reason", ""), "")
    return render(
        request,
        "core/auth/sign_in.html",
        {"form": form, "next": safe_next(request), "reason": reason, "page_error": bool(form.errors)},
        status=200,
    )


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None) -> HttpResponse:
    """Shown instead of the sign-in page once too many wrong passwords came from this address for this account."""
    username = str((credentials or {}).get("username", "")) if isinstance(credentials, dict) else ""
    account = User.objects.filter(email__iexact=username).first() if username else None
    record_account_event(action=AccessAction.LOCKED_OUT, account=account, actor=None, request=request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/auth/locked_out.html", {"minutes": minutes}, status=429)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("core:sign-in") + "?reason=signed-out")


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        return HttpResponseRedirect(reverse("core:two-factor-setup"))
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                form.add_error("token", wait_message(info))
                break
            if device.verify_token(token):
                django_otp.login(request, device)
                return HttpResponseRedirect(safe_next(request))
        else:
            record_account_event(action=AccessAction.MFA_FAILED, account=user, actor=user, request=request)
            form.add_error("token", "Enter the current security code: the one you entered is wrong or has expired")
    return render(
        request,
        "core/auth/two_factor_verify.html",
        {"form": form, "next": safe_next(request), "page_error": bool(form.errors)},
    )


def wait_message(info: dict[str, Any] | None) -> str:
    """django-otp doubles the wait after each wrong code; say how long, in words."""
    locked_until = (info or {}).get("locked_until")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 60
    unit = "second" if seconds == 1 else "seconds"
    return f"Wait {seconds} {unit} before entering another code: too many codes were wrong"


def qr_data_uri(device: TOTPDevice) -> str:
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if selectors.has_confirmed_totp(user):
        return HttpResponseRedirect(reverse("core:two-factor-verify"))
    device = services.start_totp_enrolment(user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.confirm_totp_enrolment(
                user=user, device=device, token=form.cleaned_data["token"], request=request
            )
        except services.ServiceError as exc:
            form.add_error("token", str(exc))
        else:
            if confirmed:
                device.refresh_from_db()
                django_otp.login(request, device)
                return HttpResponseRedirect(safe_next(request))
            form.add_error("token", "Enter the code your app shows now: the one you entered does not match")
    secret = b32encode(device.bin_key).decode("ascii")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "core/auth/two_factor_setup.html",
        {
            "form": form,
            "qr": qr_data_uri(device),
            "secret": grouped,
            "next": safe_next(request),
            "page_error": bool(form.errors),
        },
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "core/auth/invitation_invalid.html", status=404)
    existing = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    form = SetPasswordForm(
        request.POST if request.method == "POST" else None, email=invitation.email, full_name=invitation.full_name
    )
    if existing is not None:
        # Someone who already has an account joins with a click; their password is unchanged.
        if request.method == "POST":
            services.accept_invitation(token=token, password="")
            return HttpResponseRedirect(reverse("core:sign-in") + "?next=" + reverse("core:home"))
        return render(request, "core/auth/accept_existing.html", {"invitation": invitation})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token=token, password=form.cleaned_data["password"])
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return after_password(request, user)
    return render(
        request,
        "core/auth/accept_invitation.html",
        {"form": form, "invitation": invitation, "page_error": bool(form.errors)},
    )
