"""Every write to cases, people, places and reports, in one transaction each, with the access log.

Signatures other apps rely on:

* ``add_chronology_entry(case, kind, summary, actor, source=None, agency=None, at=None) -> ChronologyEntry``:
  append one line to a case's timeline. ``kind`` is a ``ChronologyKind`` value (other apps: "risk",
  "intervention", "task", "meeting", "case_review", "document", "other"); ``source`` is a saved model instance
  (its ``app_label.model_name`` and pk are kept, so the entry can link back) or ``(type, id)``; ``agency`` defaults
  to the actor's agency on the case. It also raises the case's ``updated_at`` (not its ``version``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from safer.cases.models import Case, ChronologyEntry, ReferenceCounter
from safer.core.models import Agency, Membership, Partnership, User


def allocate_reference(partnership: Partnership, prefix: str, year: int | None = None) -> str:
    """The next reference in a series, e.g. "ASB-2026-00042": the counter row is locked, so two at once differ."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            partnership=partnership, prefix=prefix, year=year
        )
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return f"{prefix}-{year}-{counter.last_number:05d}"


def actor_agency(actor: User | None, case: Case) -> Agency | None:
    """The agency the actor works for on this case: the owner if they belong to it, else an added agency."""
    if actor is None or not actor.pk:
        return None
    agency_ids = set(
        Membership.objects.filter(user=actor, is_active=True, agency__partnership_id=case.partnership_id).values_list(
            "agency_id", flat=True
        )
    )
    if case.owning_agency_id in agency_ids:
        return case.owning_agency
    share = case.shares.filter(agency_id__in=agency_ids, removed_at__isnull=True).select_related("agency").first()
    if share is not None:
        return share.agency
    return Agency.objects.filter(pk__in=agency_ids).order_by("name").first()


def add_chronology_entry(
    case: Case,
    kind: str,
    summary: str,
    actor: User | None,
    source: models.Model | tuple[str, str | int] | None = None,
    agency: Agency | None = None,
    at: datetime | None = None,
) -> ChronologyEntry:
    source_type, source_id = "", ""
    if isinstance(source, models.Model):
        source_type, source_id = source._meta.label_lower, str(source.pk)
    elif source is not None:
        source_type, source_id = source[0], str(source[1])
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            case=case,
            at=at or timezone.now(),
            kind=kind,
            summary=summary,
            author=actor if actor is not None and actor.pk else None,
            agency=agency or actor_agency(actor, case),
            source_type=source_type,
            source_id=source_id,
        )
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return entry
