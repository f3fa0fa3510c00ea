"""What the access log's records are called, for the data protection officer: "case ASB-2026-0007" and "Margaret
Hughes", not "case 6" and "person 1"; and which records a name or a case reference means, so that "who looked at
Margaret Hughes's case last week, and why" is one search.

The log is core's, but the records are other apps': each app says, in its ``AppConfig.ready``, how to name its own
record types and how to find them (the way ``safer.core.jobs.register_job_page`` works), so core imports nothing above
it. Only the DPO's pages use this; everyone else's pages name records their own way.

    records.register_record_kind("case", noun="case", labels=case_labels, find=cases_for)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q

from safer.core.models import AccessEvent, Partnership

# (partnership, object ids as the log holds them) → a label for each id found
Labeller = Callable[[Partnership, list[str]], dict[str, str]]
# (partnership, a name or reference as typed) → ids of this type's records it means
Finder = Callable[[Partnership, str], list[str]]


@dataclass(frozen=True)
class RecordKind:
    object_type: str
    noun: str
    labels: Labeller | None = None
    find: Finder | None = None


_KINDS: dict[str, RecordKind] = {}


def register_record_kind(
    object_type: str, *, noun: str, labels: Labeller | None = None, find: Finder | None = None
) -> None:
    _KINDS[object_type] = RecordKind(object_type, noun, labels, find)


def noun(object_type: str) -> str:
    """ "case document" for ``case_document``; a registered type's own noun."""
    kind = _KINDS.get(object_type)
    return kind.noun if kind else object_type.replace("_", " ")


def labels_for(partnership: Partnership, events: Iterable[AccessEvent]) -> dict[tuple[str, str], str]:
    """A readable name for each event's record, where its app gives one ("case ASB-2026-0007", "Margaret Hughes")."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_id and event.object_type in _KINDS:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    found: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        labeller = _KINDS[object_type].labels
        if labeller is None:
            continue
        for object_id, label in labeller(partnership, sorted(ids)).items():
            found[(object_type, object_id)] = label
    return found


def find_all(partnership: Partnership, text: str) -> dict[str, list[str]]:
    """The records a name or reference means, by type: a person by name, the cases and reports they are in, a case
    or report by its reference. Empty when nothing is found."""
    text = text.strip()
    found: dict[str, list[str]] = {}
    if not text:
        return found
    for kind in _KINDS.values():
        ids = kind.find(partnership, text) if kind.find is not None else []
        if ids:
            found[kind.object_type] = ids
    return found


def about(records: dict[str, list[str]]) -> Q:
    """The events about these records (nothing, for none)."""
    condition = Q(pk__in=[])
    for object_type, ids in records.items():
        condition |= Q(object_type=object_type, object_id__in=ids)
    return condition
