"""GET /api/me: who the token belongs to, with their partnerships, agencies and roles."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from safer.api.schemas import AUTH_ERRORS
from safer.core import selectors
from safer.core.models import AgencyKind, Role, User

router = Router(tags=["me"])


class AgencyOut(Schema):
    id: int
    name: str
    kind: AgencyKind


class PartnershipOut(Schema):
    id: int
    name: str
    lad_codes: list[str]
    roles: list[Role]
    agencies: list[AgencyOut]


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    partnerships: list[PartnershipOut]


@router.get(
    "/me",
    response={200: MeOut, **AUTH_ERRORS},
    operation_id="get_me",
    summary="The current user and their agencies",
    description="The token's owner and, for each partnership they work in, its local authority district codes, "
    "their roles there and the agencies they work for in it. Nothing of any other partnership.",
)
def me(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        partnerships=[
            PartnershipOut(
                id=context.partnership.pk,
                name=context.partnership.name,
                lad_codes=list(context.partnership.lad_codes),
                roles=[Role(role) for role in sorted(context.roles)],
                agencies=[
                    AgencyOut(id=agency.pk, name=agency.name, kind=AgencyKind(agency.kind))
                    for agency in context.agencies
                ],
            )
            for context in selectors.memberships_summary(user)
        ],
    )
