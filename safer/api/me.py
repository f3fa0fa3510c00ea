"""GET /api/me: who the token belongs to, with their partnerships, agencies and roles."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from safer.api.schemas import AUTH_ERRORS
from safer.core import selectors
from safer.core.models import User

router = Router(tags=["me"])


class AgencyOut(Schema):
    id: int
    name: str
    kind: str


class PartnershipOut(Schema):
    id: int
    name: str
    lad_codes: list[str]
    roles: list[str]
    agencies: list[AgencyOut]


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    partnerships: list[PartnershipOut]


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="The current user and their agencies")
def me(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]
    memberships = selectors.memberships_summary(user)
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        partnerships=[
            PartnershipOut(
                id=p.partnership.pk,
                name=p.partnership.name,
                lad_codes=list(p.partnership.lad_codes),
                roles=sorted(p.roles),
                agencies=[AgencyOut(id=a.pk, name=a.name, kind=a.kind) for a in p.agencies],
            )
            for p in memberships
        ],
    )
