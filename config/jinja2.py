"""The Jinja2 environment for pages: GOV.UK Frontend macros plus the project's helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def uk_datetime(value: Any, fmt: str = "%-d %B %Y %H:%M") -> str:
    """Render an aware datetime in UK local time, the way GOV.UK writes dates."""
    if value is None:
        return ""
    return str(timezone.localtime(value).strftime(fmt))


def uk_date(value: Any) -> str:
    if value is None:
        return ""
    return str(value.strftime("%-d %B %Y"))


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader(
        [
            options["loader"],
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    # GOV.UK's template.html calls macros without parameters, as Nunjucks allows.
    options["undefined"] = ChainableUndefined
    # HTML is escaped; plain-text e-mails are not (they would show "&amp;").
    options["autoescape"] = select_autoescape(["html", "xml"], default_for_string=True)
    env = Environment(**options)  # noqa: S701 - select_autoescape is set just above
    env.globals.update(
        static=static,
        static_url=settings.STATIC_URL,
        url=url,
        get_messages=get_messages,
    )
    env.filters.update(uk_datetime=uk_datetime, uk_date=uk_date)
    return env
