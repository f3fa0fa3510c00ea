"""Searches kept on the server (``safer.core.searches``): for an hour, for their person and page, the last few only."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import QueryDict

from safer.core import searches

pytestmark = pytest.mark.django_db

NOW = 1_800_000_000.0
FIELDS = ("name", "postcode")


def kept(session: SessionStore, at: float = NOW) -> str:
    posted = QueryDict("name=Margaret+Hughes&postcode=LE18+4PA&csrfmiddlewaretoken=abc")
    return searches.keep_in(session, user_id=7, kind="match", data=posted, fields=FIELDS, now=at)


def test_a_search_comes_back_for_its_person_and_page_within_the_hour() -> None:
    session = SessionStore()
    search_id = kept(session)
    session.save()
    again = SessionStore(session_key=session.session_key)  # as the next request reads it, from the database
    found = searches.recall_from(again, user_id=7, kind="match", search_id=search_id, now=NOW + 3599)
    assert found is not None
    assert found.dict() == {"name": "Margaret Hughes", "postcode": "LE18 4PA"}  # the form's fields only
    assert searches.recall_from(again, user_id=8, kind="match", search_id=search_id, now=NOW) is None
    assert searches.recall_from(again, user_id=7, kind="list", search_id=search_id, now=NOW) is None
    assert searches.recall_from(again, user_id=7, kind="match", search_id=search_id, now=NOW + 3600) is None
    assert searches.recall_from(again, user_id=7, kind="match", search_id="made-up", now=NOW) is None


def test_a_session_keeps_only_its_latest_searches_and_forgets_expired_ones() -> None:
    session = SessionStore()
    first = kept(session, at=NOW)
    ids = [kept(session, at=NOW + n) for n in range(1, searches.KEPT + 1)]
    assert len(set(ids)) == searches.KEPT and all(len(i) >= 12 for i in ids)
    assert searches.recall_from(session, user_id=7, kind="match", search_id=first, now=NOW + 30) is None
    assert searches.recall_from(session, user_id=7, kind="match", search_id=ids[0], now=NOW + 30) is not None
    kept(session, at=NOW + searches.LIFETIME + 100)  # the others have expired: only the new one is kept
    assert len(session[searches.SESSION_KEY]) == 1
