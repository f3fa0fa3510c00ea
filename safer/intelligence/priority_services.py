"""Writes for priority neighbourhoods: define, change and delete a priority area, atomic and in the access log.

A priority area is a named set of the partnership's LSOAs. Choosing a ward adds all of its LSOAs; the set is what is
kept (and what the figures use), so a later change to the ward lookup does not change an area already defined. The
access log names the area by id and says how many LSOAs it has: nothing personal is involved.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest

from safer.core.audit import record_access
from safer.core.models import AccessAction, Partnership, User
from safer.core.services import ServiceError
from safer.geography import selectors as geography
from safer.geography.models import Lsoa
from safer.intelligence.models import PriorityArea

OBJECT_TYPE = "priority_area"
NAME_MAX = 120


class AreaNameError(ServiceError):
    """The name is empty, too long or already used in the partnership."""


def _lsoas(partnership: Partnership, lsoa_codes: Iterable[str], ward_codes: Iterable[str]) -> list[Lsoa]:
    """The partnership's LSOAs chosen directly or through whole wards; refuses codes that are not the partnership's."""
    codes = {c.strip() for c in lsoa_codes if c.strip()}
    wards = {c.strip() for c in ward_codes if c.strip()}
    known_wards = set(geography.wards_in(partnership).filter(code__in=wards).values_list("code", flat=True))
    if wards - known_wards:
        raise ServiceError(f"{', '.join(sorted(wards - known_wards))} is not a ward of {partnership.name}")
    area = geography.lsoas_in(partnership)
    found = list(area.filter(code__in=codes))
    if codes - {lsoa.code for lsoa in found}:
        raise ServiceError(
            f"{', '.join(sorted(codes - {lsoa.code for lsoa in found}))} is not an LSOA of {partnership.name}"
        )
    if wards:
        found += list(area.filter(ward__code__in=wards))
    unique = {lsoa.pk: lsoa for lsoa in found}
    if not unique:
        raise ServiceError("Select at least one LSOA or ward")
    return sorted(unique.values(), key=lambda lsoa: lsoa.code)


def _name(partnership: Partnership, name: str, exclude: int | None = None) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AreaNameError("Enter a name for the priority area")
    if len(cleaned) > NAME_MAX:
        raise AreaNameError(f"The name must be {NAME_MAX} characters or fewer")
    taken = PriorityArea.objects.filter(partnership=partnership, name__iexact=cleaned)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise AreaNameError(f"There is already a priority area called {cleaned}. Enter a different name")
    return cleaned


@transaction.atomic
def create_priority_area(
    *,
    partnership: Partnership,
    name: str,
    description: str = "",
    lsoa_codes: Iterable[str] = (),
    ward_codes: Iterable[str] = (),
    actor: User | None,
    request: HttpRequest | None = None,
) -> PriorityArea:
    cleaned = _name(partnership, name)
    lsoas = _lsoas(partnership, lsoa_codes, ward_codes)
    area = PriorityArea.objects.create(
        partnership=partnership, name=cleaned, description=description.strip(), created_by=actor
    )
    area.lsoas.set(lsoas)
    record_access(
        action=AccessAction.CREATE,
        actor=actor,
        partnership=partnership,
        object_type=OBJECT_TYPE,
        object_id=area.pk,
        detail=f"Priority area defined with {len(lsoas)} LSOAs",
        request=request,
    )
    return area


@transaction.atomic
def update_priority_area(
    *,
    area: PriorityArea,
    name: str,
    description: str = "",
    lsoa_codes: Iterable[str] = (),
    ward_codes: Iterable[str] = (),
    actor: User | None,
    request: HttpRequest | None = None,
) -> PriorityArea:
    partnership = area.partnership
    cleaned = _name(partnership, name, exclude=area.pk)
    lsoas = _lsoas(partnership, lsoa_codes, ward_codes)
    before = set(area.lsoas.values_list("pk", flat=True))
    area.name = cleaned
    area.description = description.strip()
    area.save(update_fields=["name", "description"])
    area.lsoas.set(lsoas)
    after = {lsoa.pk for lsoa in lsoas}
    added, removed = len(after - before), len(before - after)
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=partnership,
        object_type=OBJECT_TYPE,
        object_id=area.pk,
        detail=f"Priority area changed: {len(after)} LSOAs ({added} added, {removed} removed)",
        request=request,
    )
    return area


@transaction.atomic
def delete_priority_area(*, area: PriorityArea, actor: User | None, request: HttpRequest | None = None) -> None:
    area_id, partnership = area.pk, area.partnership
    area.delete()
    record_access(
        action=AccessAction.CHANGE,
        actor=actor,
        partnership=partnership,
        object_type=OBJECT_TYPE,
        object_id=area_id,
        detail="Priority area deleted",
        request=request,
    )
