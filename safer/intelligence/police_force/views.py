"""Which police force's files make the area's figures: the analyst says so, or it is learnt from a plain own file."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safer.core.http import PartnershipRequest
from safer.core.permissions import require_area
from safer.intelligence import selectors, services
from safer.intelligence.police_force.forms import HomeForceForm


@require_area("intelligence_import")
@require_http_methods(["GET", "POST"])
def home_force(request: PartnershipRequest) -> HttpResponse:
    current = selectors.home_force(request.partnership)
    form = HomeForceForm(request.POST or None, initial={"force": current.force if current else ""})
    if request.method == "POST" and form.is_valid():
        services.set_home_force(partnership=request.partnership, force=form.cleaned_data["force"], actor=request.user)
        return HttpResponseRedirect(reverse("intelligence:overview"))
    return render(request, "intelligence/home_force.html", {"form": form, "current": current})
