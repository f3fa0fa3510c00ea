"""Sign-in successes and failures go to the access log (never with the password or the name typed)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from safer.core.audit import record_account_event
from safer.core.middleware import LOGIN_TIME_KEY
from safer.core.models import AccessAction, User


@receiver(user_logged_in)
def on_signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    from safer.core.services import remember_session

    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = time.time()
        if request.session.session_key is None:
            request.session.save()
        if request.session.session_key:
            remember_session(user, request.session.session_key)
    record_account_event(action=AccessAction.SIGN_IN, account=user, actor=user, request=request)


@receiver(user_logged_out)
def on_signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_account_event(action=AccessAction.SIGN_OUT, account=user, actor=user, request=request)


@receiver(user_login_failed)
def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))
    user = User.objects.filter(email__iexact=username).first() if username else None
    record_account_event(action=AccessAction.SIGN_IN_FAILED, account=user, actor=None, request=request)
