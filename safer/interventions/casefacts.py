"""Everything this app needs to know about cases, in one place: the cases app owns them.

Scoping (``case_for`` gives a 404 to anyone whose agency cannot see the case), the parties and their roles,
dates of birth, the case reference, the officer, who may be given a task, and the chronology.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from safer.cases import selectors as case_selectors
from safer.cases import services as case_services
from safer.cases.models import Address, Case, CaseParty, CasePlace, ChronologyKind, PartyKind, PartyRole
from safer.cases.views import PURPOSES_KEY
from safer.core.audit import record_access
from safer.core.http import PartnershipRequest
from safer.core.models import AccessAction, Partnership, Role, User


class RoleRefusedError(Exception):
    """The cases app refused to give a party a role (its message says why)."""


def case_for(request: PartnershipRequest, case_id: int) -> Case:
    case: Case = case_selectors.case_for(request, case_id)
    return case


def visible_cases(request: PartnershipRequest) -> QuerySet[Case]:
    return case_selectors.visible_cases(request)


def _purpose(request: PartnershipRequest, case: Case) -> str | None:
    purposes: dict[str, str] = request.session.get(PURPOSES_KEY, {})
    return purposes.get(str(case.pk))


def ask_purpose(request: PartnershipRequest, case: Case) -> HttpResponse | None:
    """For an agency the case was shared with: the cases app's purpose question first, once per session, then
    back here. None when no question is needed (the owning agency, or a purpose already given)."""
    if case_selectors.shared_with(request, case) is None or _purpose(request, case) is not None:
        return None
    back = request.get_full_path() if request.method == "GET" else request.path
    return HttpResponseRedirect(reverse("cases:purpose", args=[case.pk]) + "?" + urlencode({"next": back}))


def viewed(request: PartnershipRequest, case: Case, what: str) -> None:
    """One access-log line for a view of a case's personal data on one of these pages, with the purpose given."""
    record_access(
        action=AccessAction.VIEW,
        actor=request.user,
        partnership=request.partnership,
        object_type="case",
        object_id=case.pk,
        purpose=_purpose(request, case) or "",
        detail=what,
        request=request,
    )


def viewed_list(request: PartnershipRequest, what: str) -> None:
    record_access(
        action=AccessAction.VIEW,
        actor=request.user,
        partnership=request.partnership,
        object_type="work_list",
        object_id=request.user.pk,
        detail=what,
        request=request,
    )


def case_reference(case: Case) -> str:
    return case.reference


def case_url(case: Case) -> str:
    try:
        return reverse("cases:case", args=[case.pk])
    except NoReverseMatch:
        return ""


def case_officer(case: Case) -> User | None:
    return case.officer


def party_role(party: CaseParty) -> str:
    role = str(party.role)
    return "perpetrator" if role in {"subject", "perpetrator"} else role


def party_is_subject(party: CaseParty) -> bool:
    """Is this party the subject of the behaviour (the only role a power may be given to)?"""
    return party_role(party) == "perpetrator"


def party_role_label(party: CaseParty) -> str:
    """The role in a sentence: "the victim", "a witness", "another party"."""
    words: dict[str, str] = {
        PartyRole.VICTIM.value: "the victim",
        PartyRole.COMPLAINANT.value: "a complainant",
        PartyRole.WITNESS.value: "a witness",
        PartyRole.SUBJECT.value: "a subject",
    }
    return words.get(str(party.role), "another party")


def subject_party_of(case: Case, party: CaseParty) -> CaseParty | None:
    """The same person's subject role on this case, if they have one."""
    return (
        CaseParty.objects.filter(case=case, person_id=party.person_id, role__in=[PartyRole.SUBJECT, "perpetrator"])
        .select_related("person")
        .first()
    )


def give_subject_role(
    case: Case, party: CaseParty, reason: str, actor: User, request: HttpRequest | None = None
) -> CaseParty:
    """Make a party (a victim, say, after a counter-allegation) a subject of the case too, with the reason, through
    the cases app (one chronology line). Raises ``RoleRefusedError`` with the cases app's message when refused."""
    try:
        added: CaseParty = case_services.add_party(
            case=case, person=party.person, role=PartyRole.SUBJECT, reason=reason, actor=actor, request=request
        )
    except case_services.CaseError as exc:
        raise RoleRefusedError(str(exc)) from exc
    return added


def party_is_person(party: CaseParty) -> bool:
    return party.person.kind == PartyKind.PERSON


def party_date_of_birth(party: CaseParty) -> date | None:
    return party.person.date_of_birth


def party_key(party: CaseParty) -> str:
    """The same person or business across cases (a CPW on one case counts for a CPN on another)."""
    return f"person:{party.person_id}"


def party_label(party: CaseParty | None) -> str:
    if party is None:
        return ""
    return party.person.display_name


def parties_of(case: Case, role: str | None) -> list[CaseParty]:
    parties = list(CaseParty.objects.filter(case=case).select_related("person").order_by("pk"))
    if role is None:
        return parties
    return [p for p in parties if party_role(p) == role]


def parties_choices(case: Case, role: str | None) -> list[tuple[str, str]]:
    return [(str(p.pk), party_label(p)) for p in parties_of(case, role)]


def parties_with_roles(case: Case) -> list[tuple[str, str]]:
    """Every party, subjects first, each named with their role ("Violet Tamworth (victim)"): the same person may be
    on a case twice."""
    labels = dict(PartyRole.choices)
    parties = sorted(parties_of(case, None), key=lambda p: (not party_is_subject(p), p.pk))
    return [(str(p.pk), f"{party_label(p)} ({labels.get(str(p.role), str(p.role)).lower()})") for p in parties]


def party_on(case: Case, party_id: int) -> CaseParty:
    try:
        return CaseParty.objects.select_related("person").get(case=case, pk=party_id)
    except CaseParty.DoesNotExist as exc:
        raise Http404("No such party") from exc


def _case_agencies(case: Case) -> set[int]:
    return {case.owning_agency_id, *case.shares.filter(removed_at__isnull=True).values_list("agency_id", flat=True)}


def place_labels(case: Case) -> list[str]:
    """The places already on the case, offered for place-based powers."""
    return [label for _, label in place_choices(case)]


def _place_label(place: CasePlace) -> str:
    label = place.address.one_line
    return f"{label} ({place.description})" if place.description else label


def place_choices(case: Case) -> list[tuple[str, str]]:
    """The case's places as (address id, label), offered as radios for place-based powers."""
    places = CasePlace.objects.filter(case=case).select_related("address").order_by("added_at", "pk")
    return [(str(p.address_id), _place_label(p)) for p in places]


def address_on(case: Case, address_id: int) -> Address | None:
    """The address when it is one of the case's places, else None."""
    place = CasePlace.objects.filter(case=case, address_id=address_id).select_related("address").first()
    return place.address if place is not None else None


def address_label(address: Address) -> str:
    return address.one_line


def address_url(case: Case) -> str:
    """Where the case's places are shown (the cases app has no page of its own for one address)."""
    url = case_url(case)
    return f"{url}#places" if url else ""


def user_can_see_case(user: User, case: Case) -> bool:
    return user.memberships.filter(agency_id__in=_case_agencies(case), is_active=True).exists()


def owner_choices(case: Case) -> list[tuple[str, str]]:
    agencies = _case_agencies(case)
    people = (
        User.objects.filter(
            memberships__agency_id__in=agencies,
            memberships__is_active=True,
            role_grants__partnership_id=case.partnership_id,
            role_grants__role__in=[Role.CASEWORKER, Role.MEETING_CHAIR],
        )
        .distinct()
        .order_by("full_name")
    )
    return [(str(u.pk), u.full_name or u.email) for u in people]


def owner_of(case: Case, user_id: int) -> User:
    if str(user_id) not in {pk for pk, _ in owner_choices(case)}:
        raise Http404("No such person")
    return User.objects.get(pk=user_id)


CHRONOLOGY_KINDS = {
    "risk": ChronologyKind.RISK,
    "intervention": ChronologyKind.INTERVENTION,
    "task": ChronologyKind.TASK,
}


def add_chronology(*, case: Case, kind: str, text: str, actor: User, source: Model | None = None) -> None:
    """One line on the case's timeline (what happened, never more personal data than the case already holds)."""
    case_services.add_chronology_entry(case, CHRONOLOGY_KINDS[kind], text, actor, source=source)


def demo_cases(partnership: Partnership) -> list[Case]:
    return list(Case.objects.filter(partnership=partnership).order_by("pk"))


def any_caseworker(partnership: Partnership) -> User | None:
    return User.objects.filter(role_grants__partnership=partnership, role_grants__role=Role.CASEWORKER).first()
