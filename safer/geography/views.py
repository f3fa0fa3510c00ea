"""The community profile: population by ward and age, deprivation and population by LSOA, for the partnership."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from safer.core.http import PartnershipRequest
from safer.core.permissions import require_area
from safer.geography import selectors


@require_area("intelligence")
def profile(request: PartnershipRequest) -> HttpResponse:
    return render(
        request,
        "geography/profile.html",
        {"profile": selectors.community_profile(request.partnership)},
    )
