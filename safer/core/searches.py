"""Searches of personal data kept on the server, so that names, addresses and dates of birth never travel in a URL.

A URL is written down by every web server's access log, every proxy and the browser's history. So a form that
searches for people posts its criteria; the view keeps them here, in the person's session (in the database, gone
when the session ends), under a short random id, and redirects to ``?search=<id>``. Paging, reloading and the back
button work on that address, and it says nothing about who was looked for.

A search id is good for an hour (``LIFETIME``), for the person who made it and the page it was made on (its
``kind``): anyone else, or the same id on another page, gets a fresh empty form. A session keeps its last ``KEPT``
searches.

    search_id = searches.keep(request, "cases-match", request.POST, form.fields)
    return HttpResponseRedirect(searches.url(reverse("cases:match"), search_id))
    ...
    criteria = searches.recall(request, "cases-match")  # a QueryDict to bind the form to, or None
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from typing import TypedDict

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, QueryDict
from django.utils.http import urlencode

PARAM = "search"
SESSION_KEY = "searches"
LIFETIME = 3600  # seconds
KEPT = 20


class Kept(TypedDict):
    kind: str
    user: int
    at: float
    data: dict[str, list[str]]


def keep_in(
    session: SessionBase,
    *,
    user_id: int,
    kind: str,
    data: QueryDict,
    fields: Iterable[str],
    now: float | None = None,
) -> str:
    """Keep the values of ``fields`` from ``data`` (a form's POST) in ``session``; the new search's id."""
    now = time.time() if now is None else now
    kept: dict[str, Kept] = {
        key: entry for key, entry in session.get(SESSION_KEY, {}).items() if now - entry["at"] < LIFETIME
    }
    search_id = secrets.token_urlsafe(9)
    kept[search_id] = {
        "kind": kind,
        "user": user_id,
        "at": now,
        "data": {name: data.getlist(name) for name in fields if name in data},
    }
    newest = sorted(kept.items(), key=lambda item: item[1]["at"])[-KEPT:]
    session[SESSION_KEY] = dict(newest)
    return search_id


def recall_from(
    session: SessionBase, *, user_id: int, kind: str, search_id: str, now: float | None = None
) -> QueryDict | None:
    """The criteria kept under ``search_id`` for this person and page, or None (unknown, expired or not theirs)."""
    now = time.time() if now is None else now
    entry: Kept | None = session.get(SESSION_KEY, {}).get(search_id)
    if entry is None or entry["kind"] != kind or entry["user"] != user_id or now - entry["at"] >= LIFETIME:
        return None
    return QueryDict(urlencode(entry["data"], doseq=True))


def keep(request: HttpRequest, kind: str, data: QueryDict, fields: Iterable[str]) -> str:
    """``keep_in`` for the signed-in person making ``request``."""
    assert request.user.pk is not None, "searches are kept for a signed-in person"
    return keep_in(request.session, user_id=int(request.user.pk), kind=kind, data=data, fields=fields)


def recall(request: HttpRequest, kind: str) -> QueryDict | None:
    """The criteria of the search named by ``?search=`` on this page, for the person asking; None when there is none."""
    search_id = request.GET.get(PARAM, "")
    if not search_id or request.user.pk is None:
        return None
    return recall_from(request.session, user_id=int(request.user.pk), kind=kind, search_id=search_id)


def ended(request: HttpRequest, criteria: QueryDict | None) -> bool:
    """True when the page was asked for a search it no longer has (expired, or not this person's)."""
    return criteria is None and bool(request.GET.get(PARAM))


def url(path: str, search_id: str, **params: str | int) -> str:
    """``path?search=<id>`` (and any other, non-personal, parameters such as a page number)."""
    return f"{path}?{urlencode({PARAM: search_id, **params})}"


__all__ = ["KEPT", "LIFETIME", "PARAM", "ended", "keep", "keep_in", "recall", "recall_from", "url"]
