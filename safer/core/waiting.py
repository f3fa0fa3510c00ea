"""Work waiting for the signed-in person, gathered from every app for their Home and My work pages.

Each app that gives people work says, in its ``AppConfig.ready``, how to find what waits for one person (a quarterly
return to submit, returns to agree), so core imports nothing above it (the shape of ``core.jobs.register_job_page``):

    waiting.register_waiting(returns_waiting)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Waiting:
    """One piece of work waiting: what it is, and the page where it is done."""

    text: str
    href: str
    due: str = ""  # when it is due, as a person reads it, if it has a date


Source = Callable[[HttpRequest], list[Waiting]]
_SOURCES: list[Source] = []


def register_waiting(source: Source) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def waiting_for(request: HttpRequest) -> list[Waiting]:
    """What waits for this person in the partnership they are working in, from every app."""
    if getattr(request, "partnership", None) is None:
        return []
    return [item for source in _SOURCES for item in source(request)]
