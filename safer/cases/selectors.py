"""Every read of cases, people, places and reports, scoped to the person asking.

Signatures other apps rely on (``scope`` is an ``HttpRequest`` after the middleware, or a
``safer.core.selectors.WorkingContext``: anything with ``.partnership`` and ``.agencies``):

* ``visible_cases(scope) -> QuerySet[Case]``: cases of ``scope.partnership`` that one of ``scope.agencies`` owns or
  has been added to (not removed from). Empty when there is no partnership.
* ``case_for(scope, case_id) -> Case``: one of those cases; ``Http404`` for anyone else (another partnership, an
  agency it was not shared with, a missing id). It does not write the access log: the page that shows the case
  writes its one ``AccessEvent`` (``safer.core.audit.record_access``, object_type "case").
* ``can_see_sensitive(scope, case) -> bool``: whether sensitive notes of the case may be read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safer.cases.models import (
    POSTCODE_RE,
    Address,
    Case,
    CaseAgency,
    CaseNote,
    CaseParty,
    CasePlace,
    CaseStatus,
    PartyRole,
    Person,
    Report,
    Sensitivity,
    name_key,
    normalise_postcode,
)
from safer.core.models import Agency, Partnership, Role, User


class Scope(Protocol):
    partnership: Partnership | None
    agencies: list[Agency]


def _partnership(scope: Any) -> Partnership | None:
    return getattr(scope, "partnership", None)


def _agencies(scope: Any) -> list[Agency]:
    return list(getattr(scope, "agencies", None) or [])


def visible_cases(scope: Any) -> QuerySet[Case]:
    partnership = _partnership(scope)
    if partnership is None:
        return Case.objects.none()
    return Case.objects.visible_to(partnership, _agencies(scope))


def case_for(scope: Any, case_id: int | str) -> Case:
    try:
        pk = int(case_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such case") from exc
    case = visible_cases(scope).select_related("owning_agency", "officer").filter(pk=pk).first()
    if case is None:
        raise Http404("No such case")
    return case


def _has_case_role(scope: Any) -> bool:
    return bool(getattr(scope, "roles", frozenset()) & {Role.CASEWORKER, Role.MEETING_CHAIR})


def can_see_sensitive(scope: Any, case: Case) -> bool:
    """Every sensitive note of a case: caseworkers and meeting chairs of the owning agency.

    The rule for sensitive notes: they are read by caseworkers and meeting chairs of the case's owning agency, and
    of the agency that wrote the note; everyone else on the case sees only how many are hidden.
    """
    return _has_case_role(scope) and any(a.pk == case.owning_agency_id for a in _agencies(scope))


def notes_for(scope: Any, case: Case) -> tuple[list[CaseNote], int]:
    """The notes the person may read, newest first, and how many sensitive notes are hidden from them."""
    notes = list(case.notes.select_related("author", "agency"))
    if can_see_sensitive(scope, case):
        return notes, 0
    agency_ids = {a.pk for a in _agencies(scope)} if _has_case_role(scope) else set()
    shown = [n for n in notes if n.sensitivity == Sensitivity.NORMAL or n.agency_id in agency_ids]
    return shown, len(notes) - len(shown)


# --- reports, people and places the person may see -----------------------------------------------------------------

REPEAT_WINDOW_DAYS = 183  # "in 6 months"


def _agency_ids(scope: Any, partnership: Partnership) -> list[int]:
    return [a.pk for a in _agencies(scope) if a.partnership_id == partnership.pk]


def _case_visible(agency_ids: list[int], case_field: str) -> Q:
    """The row's case (``case_field`` names its id column) is one these agencies own or were added to.

    Written as a join and a correlated EXISTS, so checking a few rows never lists every visible case."""
    return Q(**{f"{case_field.removesuffix('_id')}__owning_agency_id__in": agency_ids}) | Q(
        Exists(
            CaseAgency.objects.filter(case_id=OuterRef(case_field), agency_id__in=agency_ids, removed_at__isnull=True)
        )
    )


def visible_reports(scope: Any) -> QuerySet[Report]:
    """Reports received by one of the person's agencies, or joined to a case they may see."""
    partnership = _partnership(scope)
    if partnership is None:
        return Report.objects.none()
    agency_ids = _agency_ids(scope, partnership)
    return Report.objects.filter(partnership=partnership).filter(
        Q(receiving_agency_id__in=agency_ids) | _case_visible(agency_ids, "case_id")
    )


def visible_people(scope: Any) -> QuerySet[Person]:
    """People (and businesses, groups) the person's agencies recorded, or who are on a report or case they may see.

    Checked per person with EXISTS, so a filter on a few people (a page, the candidates of a match) stays cheap."""
    partnership = _partnership(scope)
    if partnership is None:
        return Person.objects.none()
    agency_ids = _agency_ids(scope, partnership)
    reports = visible_reports(scope)
    return Person.objects.filter(partnership=partnership).filter(
        Q(created_by_agency_id__in=agency_ids)
        | Exists(CaseParty.objects.filter(_case_visible(agency_ids, "case_id"), person_id=OuterRef("pk")))
        | Exists(reports.filter(reporter_id=OuterRef("pk")))
        | Exists(reports.filter(victims=OuterRef("pk")))
        | Exists(reports.filter(subjects=OuterRef("pk")))
    )


def visible_addresses(scope: Any) -> QuerySet[Address]:
    partnership = _partnership(scope)
    if partnership is None:
        return Address.objects.none()
    agency_ids = _agency_ids(scope, partnership)
    return Address.objects.filter(partnership=partnership).filter(
        Q(created_by_agency_id__in=agency_ids)
        | Exists(CasePlace.objects.filter(_case_visible(agency_ids, "case_id"), address_id=OuterRef("pk")))
        | Exists(visible_reports(scope).filter(place_id=OuterRef("pk")))
    )


def report_for(scope: Any, report_id: int | str) -> Report:
    try:
        pk = int(report_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such report") from exc
    report = (
        visible_reports(scope)
        .select_related("receiving_agency", "reporter", "place", "case", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404("No such report")
    return report


def person_for(scope: Any, person_id: int | str) -> Person:
    try:
        pk = int(person_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such person") from exc
    person = visible_people(scope).select_related("address").filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


# --- repeat counts -------------------------------------------------------------------------------------------------


def _since(days: int = REPEAT_WINDOW_DAYS) -> datetime:
    return timezone.now() - timedelta(days=days)


def person_report_count(scope: Any, person: Person, days: int = REPEAT_WINDOW_DAYS) -> int:
    """Reports in the window naming the person as reporter or victim, across the agencies the person may see."""
    return (
        visible_reports(scope)
        .filter(received_at__gte=_since(days))
        .filter(Q(reporter=person) | Q(victims=person))
        .values("pk")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class RoleCounts:
    """Reports in the window naming one person, by the role they take on each report (as ``report_people`` gives
    it: a reporter who is also a victim counts as the victim)."""

    victim: int = 0
    reporter: int = 0  # reported it without being named as a victim
    subject: int = 0
    total: int = 0  # reports naming them in any role

    @property
    def label(self) -> str:
        """What a caseworker reads: "subject of 3 reports in 6 months", "victim on 1 report, subject of 2 reports
        in 6 months", "no reports in 6 months"."""
        parts = [
            f"{role} {n} {'report' if n == 1 else 'reports'}"
            for role, n in (("victim on", self.victim), ("reporter of", self.reporter), ("subject of", self.subject))
            if n
        ]
        return (", ".join(parts) if parts else "no reports") + " in 6 months"


def person_repeats(scope: Any, person: Person, days: int = REPEAT_WINDOW_DAYS) -> RoleCounts:
    """Reports in the window naming the person in any role (reporter, victim, subject), counted by role, across the
    agencies the person asking may see. One query."""
    as_victim = Exists(Report.victims.through.objects.filter(report_id=OuterRef("pk"), person_id=person.pk))
    as_subject = Exists(Report.subjects.through.objects.filter(report_id=OuterRef("pk"), person_id=person.pk))
    rows = (
        visible_reports(scope)
        .filter(received_at__gte=_since(days))
        .annotate(as_victim=as_victim, as_subject=as_subject)
        .filter(Q(reporter=person) | Q(as_victim=True) | Q(as_subject=True))
    )
    counted = rows.aggregate(
        total=Count("pk"),
        victim=Count("pk", filter=Q(as_victim=True)),
        reporter=Count("pk", filter=Q(reporter=person, as_victim=False)),
        subject=Count("pk", filter=Q(as_subject=True)),
    )
    return RoleCounts(
        victim=counted["victim"], reporter=counted["reporter"], subject=counted["subject"], total=counted["total"]
    )


def place_report_count(scope: Any, address: Address, days: int = REPEAT_WINDOW_DAYS) -> int:
    return visible_reports(scope).filter(received_at__gte=_since(days), place=address).count()


@dataclass(frozen=True)
class CaseCounts:
    reports_on_case: int  # all reports on the case within the window
    victim_counts: list[tuple[Person, int]]  # each victim: reports naming them, across visible agencies
    place_counts: list[tuple[Address, int]]
    # Everyone on the case (victims first, then subjects, then the others), with their role on the case ("victim",
    # "subject", ...) and the reports naming them in any role, across visible agencies.
    party_counts: list[tuple[Person, str, RoleCounts]] = field(default_factory=list)

    @property
    def headline(self) -> int:
        return max([self.reports_on_case, *(n for _, n in self.victim_counts)])


_ROLE_ORDER = {PartyRole.VICTIM.value: 0, PartyRole.SUBJECT.value: 1}


def case_counts(scope: Any, case: Case, days: int = REPEAT_WINDOW_DAYS) -> CaseCounts:
    parties = sorted(case.parties.select_related("person"), key=lambda p: (_ROLE_ORDER.get(p.role, 2), p.pk))
    victims = [p.person for p in parties if p.role == PartyRole.VICTIM]
    places = [p.address for p in case.places.select_related("address")]
    repeats: dict[int, RoleCounts] = {}
    for party in parties:
        if party.person_id not in repeats:
            repeats[party.person_id] = person_repeats(scope, party.person, days)
    return CaseCounts(
        reports_on_case=case.reports.filter(received_at__gte=_since(days)).count(),
        victim_counts=[(v, person_report_count(scope, v, days)) for v in victims],
        place_counts=[(a, place_report_count(scope, a, days)) for a in places],
        party_counts=[(p.person, str(p.role), repeats[p.person_id]) for p in parties],
    )


# --- matching a new report against what the person may see ---------------------------------------------------------

NAME_THRESHOLD = 0.85  # name alone
NAME_WITH_EVIDENCE = 0.6  # name plus the same date of birth or postcode


@dataclass
class PersonMatch:
    new_person: Person
    candidate: Person
    score: float
    reasons: list[str]
    recent: RoleCounts = field(default_factory=RoleCounts)


@dataclass
class AddressMatch:
    candidate: Address
    reasons: list[str]
    recent_reports: int = 0


@dataclass
class CaseMatch:
    case: Case
    reasons: list[str] = field(default_factory=list)


@dataclass
class Matches:
    people: list[PersonMatch]
    addresses: list[AddressMatch]
    cases: list[CaseMatch]

    @property
    def empty(self) -> bool:
        return not (self.people or self.addresses or self.cases)


def name_similarity(a: str, b: str) -> float:
    """Similarity of two normalised name keys (token-sorted), 0 to 1."""
    if not a or not b:
        return 0.0
    # difflib's ratio can differ with the order of its arguments: take the better, so the match is symmetric.
    return max(difflib.SequenceMatcher(None, a, b).ratio(), difflib.SequenceMatcher(None, b, a).ratio())


def _best_name_score(person: Person, candidate: Person) -> float:
    keys = [candidate.name_key, *candidate.alias_keys()]
    return max(name_similarity(person.name_key, key) for key in keys)


def _candidate_ids(partnership: Partnership, person: Person, exclude: set[int], cap: int = 120) -> list[int]:
    """Ids of people who might be this one, each found through an index: the same date of birth, every name token,
    the same postcode, then any one name token, then aliases (few people have them). At most ``cap``: the names
    are then compared one by one in Python."""
    tokens = [t for t in person.name_key.split() if len(t) >= 3]
    base = Person.objects.filter(partnership=partnership).exclude(pk__in=exclude)
    queries: list[QuerySet[Person]] = []
    if person.date_of_birth is not None:
        queries.append(base.filter(date_of_birth=person.date_of_birth))
    if tokens:
        all_tokens = base
        for token in tokens:
            all_tokens = all_tokens.filter(name_key__contains=token)
        queries.append(all_tokens)
    if person.address is not None and person.address.postcode:
        queries.append(
            base.filter(
                address_id__in=Address.objects.filter(partnership=partnership, postcode=person.address.postcode).values(
                    "pk"
                )
            )
        )
    for token in sorted(tokens, key=len, reverse=True):
        queries.append(base.filter(name_key__contains=token))
    if tokens:
        alias_query = Q()
        for token in tokens:
            alias_query |= Q(aliases__icontains=token)
        queries.append(base.exclude(aliases="").filter(alias_query))
    ids: dict[int, None] = {}
    for query in queries:
        if len(ids) >= cap:
            break
        for pk in query.order_by().values_list("pk", flat=True)[: cap - len(ids)]:
            ids[pk] = None
    return list(ids)


def _likeness(person: Person, candidate: Person) -> tuple[float, list[str]] | None:
    """How alike two people's records are and why, or None when they are not taken for the same person."""
    score = _best_name_score(person, candidate)
    same_dob = person.date_of_birth is not None and person.date_of_birth == candidate.date_of_birth
    same_postcode = (
        person.address is not None
        and candidate.address is not None
        and bool(person.address.postcode)
        and person.address.postcode == candidate.address.postcode
    )
    if candidate.date_of_birth and person.date_of_birth and not same_dob:
        return None  # both dates known and different: not the same person
    if not (score >= NAME_THRESHOLD or (score >= NAME_WITH_EVIDENCE and (same_dob or same_postcode))):
        return None
    reasons = [f"name {round(score * 100)}% alike"]
    if same_dob:
        reasons.append("same date of birth")
    if same_postcode:
        reasons.append("same postcode")
    return score, reasons


def match_people(scope: Any, person: Person, exclude: set[int], limit: int = 5) -> list[PersonMatch]:
    partnership = _partnership(scope)
    if partnership is None:
        return []
    ids = _candidate_ids(partnership, person, exclude)
    if not ids:
        return []
    candidates = visible_people(scope).filter(pk__in=ids).select_related("address")
    found: list[PersonMatch] = []
    for candidate in candidates:
        scored = _likeness(person, candidate)
        if scored is not None:
            score, reasons = scored
            found.append(PersonMatch(new_person=person, candidate=candidate, score=score, reasons=reasons))
    found.sort(key=lambda m: (-len(m.reasons), -m.score))
    for match in found[:limit]:
        match.recent = person_repeats(scope, match.candidate)
    return found[:limit]


def match_addresses(scope: Any, address: Address, limit: int = 5) -> list[AddressMatch]:
    query = Q(pk=address.pk)
    if address.postcode:
        query |= Q(postcode=address.postcode)
    if address.lsoa_code:
        query |= Q(lsoa_code=address.lsoa_code)
    found = []
    ids = list(
        Address.objects.filter(partnership=address.partnership_id)
        .filter(query)
        .order_by()
        .values_list("pk", flat=True)[:200]
    )
    for candidate in visible_addresses(scope).filter(pk__in=ids)[:100]:
        reasons = []
        if candidate.pk == address.pk:
            reasons.append("the same address")
        elif address.postcode and candidate.postcode == address.postcode:
            reasons.append("same postcode")
        elif address.lsoa_code and candidate.lsoa_code == address.lsoa_code:
            reasons.append(f"same LSOA ({address.lsoa_code})")
        found.append(AddressMatch(candidate=candidate, reasons=reasons))
    rank = {"the same address": 0, "same postcode": 1}
    found.sort(key=lambda m: rank.get(m.reasons[0], 2))
    for match in found[:limit]:
        match.recent_reports = place_report_count(scope, match.candidate)
    return found[:limit]


def matches_for_report(scope: Any, report: Report) -> Matches:
    """People, places and open cases that look like the report's, among what the person may see."""
    own = [report.reporter, *report.victims.all(), *report.subjects.all()]
    own_people = [p for p in own if p is not None]
    own_ids = {p.pk for p in own_people}
    people: list[PersonMatch] = []
    for person in dict.fromkeys(own_people):
        people += match_people(scope, person, exclude=own_ids)
    addresses = match_addresses(scope, report.place) if report.place is not None else []
    cases: dict[int, CaseMatch] = {}
    open_cases = visible_cases(scope).exclude(status=CaseStatus.CLOSED).select_related("owning_agency", "officer")
    person_ids = own_ids | {m.candidate.pk for m in people}
    for party in CaseParty.objects.filter(case__in=open_cases, person_id__in=person_ids).select_related(
        "case", "person"
    ):
        match = cases.setdefault(party.case_id, CaseMatch(case=party.case))
        reason = f"{party.person.display_name} is {PartyRole(party.role).label.lower()}"
        if reason not in match.reasons:
            match.reasons.append(reason)
    address_ids = {m.candidate.pk for m in addresses if m.reasons and not m.reasons[0].startswith("same LSOA")}
    lsoa_ids = {m.candidate.pk for m in addresses if m.reasons and m.reasons[0].startswith("same LSOA")}
    for place in CasePlace.objects.filter(case__in=open_cases, address_id__in=address_ids | lsoa_ids).select_related(
        "case", "address"
    ):
        match = cases.setdefault(place.case_id, CaseMatch(case=place.case))
        reason = ("same area: " if place.address_id in lsoa_ids else "place: ") + place.address.one_line
        if reason not in match.reasons:
            match.reasons.append(reason)
    if report.case_id is not None:
        cases.pop(report.case_id, None)
    case_rows = sorted(cases.values(), key=lambda m: (-len(m.reasons), -m.case.opened_at.timestamp()))
    for row in case_rows:
        row.case = open_cases.get(pk=row.case.pk)
    return Matches(people=people, addresses=addresses, cases=case_rows[:10])


@dataclass(frozen=True)
class KnownElsewhere:
    """An open case the person asking may not see, about someone in their report: who to contact, nothing more."""

    case: Case
    agency: str
    contact: str


def known_elsewhere(scope: Any, report: Report) -> list[KnownElsewhere]:
    """Open cases of other agencies, not shared with the person's, about a person the report names (or one who
    matches them as first-call matching would). The privacy is kept (no name, no case, no detail is shown); the
    silence is not: the page says which agency to contact, and the owner is told (services.note_known_elsewhere)."""
    partnership = _partnership(scope)
    if partnership is None:
        return []
    own = [p for p in [report.reporter, *report.victims.all(), *report.subjects.all()] if p is not None]
    if not own:
        return []
    own_ids = {p.pk for p in own}
    matched = set(own_ids)
    for person in dict.fromkeys(own):
        ids = _candidate_ids(partnership, person, own_ids)
        for candidate in Person.objects.filter(partnership=partnership, pk__in=ids).select_related("address"):
            if _likeness(person, candidate) is not None:
                matched.add(candidate.pk)
    hidden = (
        Case.objects.filter(partnership=partnership)
        .exclude(status=CaseStatus.CLOSED)
        .exclude(pk__in=visible_cases(scope).values("pk"))
        .filter(parties__person_id__in=matched)
        .select_related("owning_agency", "officer")
        .distinct()
        .order_by("opened_at")
    )
    found = []
    for case in hidden[:10]:
        if case.officer is not None and case.officer.is_active:
            contact = f"the case officer, {case.officer.full_name} ({case.officer.email})"
        else:
            contact = f"the {case.owning_agency.name} caseworkers"
        found.append(KnownElsewhere(case=case, agency=case.owning_agency.name, contact=contact))
    return found


# --- case page ------------------------------------------------------------------------------------------------------


def shared_with(scope: Any, case: Case) -> CaseAgency | None:
    """The share through which the person sees the case, when their agency does not own it."""
    agency_ids = [a.pk for a in _agencies(scope)]
    if case.owning_agency_id in agency_ids:
        return None
    return case.shares.filter(agency_id__in=agency_ids, removed_at__isnull=True).select_related("agency").first()


def case_page(scope: Any, case: Case) -> dict[str, Any]:
    notes, hidden = notes_for(scope, case)
    return {
        "parties": list(case.parties.select_related("person", "person__address").order_by("role", "added_at")),
        "places": list(case.places.select_related("address")),
        "shares": list(case.shares.filter(removed_at__isnull=True).select_related("agency", "added_by")),
        "removed_shares": list(
            case.shares.filter(removed_at__isnull=False).select_related("agency", "removed_by").order_by("-removed_at")
        ),
        "consent_changes": list(case.consent_changes.select_related("agency", "changed_by")),
        "chronology": list(case.chronology.select_related("author", "agency")[:200]),
        "chronology_total": case.chronology.count(),
        "notes": notes,
        "hidden_notes": hidden,
        "reports": list(case.reports.select_related("receiving_agency").order_by("-received_at")),
        "links": list(
            visible_cases(scope).filter(
                pk__in=[
                    *case.links_from.values_list("linked_case_id", flat=True),
                    *case.links_to.values_list("case_id", flat=True),
                ]
            )
        ),
        "counts": case_counts(scope, case),
    }


def person_reports(scope: Any, person: Person, limit: int = 100) -> list[Report]:
    """Reports naming the person (as reporter, victim or subject) that the person asking may see, newest first."""
    ids = visible_reports(scope).filter(Q(reporter=person) | Q(victims=person) | Q(subjects=person)).values("pk")
    return list(
        Report.objects.filter(pk__in=ids).select_related("receiving_agency", "case").order_by("-received_at")[:limit]
    )


def person_cases(scope: Any, person: Person) -> list[CaseParty]:
    return list(
        CaseParty.objects.filter(person=person, case__in=visible_cases(scope))
        .select_related("case", "case__owning_agency")
        .order_by("-case__opened_at")
    )


# --- case list ------------------------------------------------------------------------------------------------------


REFERENCE_RE = re.compile(r"^[A-Za-z]+-[0-9]{4}-[0-9]+$")
FEW_PEOPLE = 5000
WARDS_CACHED_FOR = 60  # seconds


def _text_condition(partnership: Partnership | None, text: str) -> Q:
    """Cases whose reference is the text, or with a party whose name has every word of it, or whose summary or
    place has it. Few matching people: their cases by id; many (a common surname): checked case by case, so the
    first page comes back without reading them all."""
    if REFERENCE_RE.match(text):
        return Q(reference__iexact=text)
    tokens = name_key(text).split()
    people = Person.objects.filter(partnership=partnership)
    for token in tokens:
        people = people.filter(name_key__contains=token)
    with_aliases = Person.objects.filter(partnership=partnership).exclude(aliases="").filter(aliases__icontains=text)
    condition = Q(summary__icontains=text) | Q(
        pk__in=CaseParty.objects.filter(person__in=with_aliases).values("case_id")
    )
    if tokens:
        # Whether there are few is known after FEW_PEOPLE + 1 of them, not after counting every "Patel". PostgreSQL
        # joins any number of them faster than it checks case by case (66 against 99 ms for "Patel" over 100,000
        # cases); SQLite checks common names faster case by case (77 against 202 ms), as the first page fills early.
        if (
            connection.vendor == "postgresql"
            or len(people.order_by().values_list("pk", flat=True)[: FEW_PEOPLE + 1]) <= FEW_PEOPLE
        ):
            condition |= Q(pk__in=CaseParty.objects.filter(person__in=people).values("case_id"))
        else:
            parties = CaseParty.objects.filter(case_id=OuterRef("pk"))
            for token in tokens:
                parties = parties.filter(person__name_key__contains=token)
            condition |= Q(Exists(parties))
    postcode = normalise_postcode(text)
    places = Address.objects.filter(partnership=partnership)
    places = places.filter(postcode=postcode) if POSTCODE_RE.match(postcode) else places.filter(line1__icontains=text)
    condition |= Q(pk__in=CasePlace.objects.filter(address__in=places).values("case_id"))
    return condition


def case_list(
    scope: Any,
    *,
    text: str = "",
    status: str = "",
    case_type: str = "",
    agency_id: int | None = None,
    officer_id: int | None = None,
    ward_code: str = "",
) -> QuerySet[Case]:
    cases = visible_cases(scope).select_related("owning_agency", "officer")
    if status:
        cases = cases.filter(status=status)
    if case_type:
        cases = cases.filter(case_type=case_type)
    if agency_id:
        cases = cases.filter(
            Q(owning_agency_id=agency_id)
            | Q(pk__in=CaseAgency.objects.filter(agency_id=agency_id, removed_at__isnull=True).values("case_id"))
        )
    if officer_id:
        cases = cases.filter(officer_id=officer_id)
    if ward_code:
        cases = cases.filter(ward_code=ward_code)
    text = text.strip()
    if text:
        cases = cases.filter(_text_condition(_partnership(scope), text))
    return cases.order_by("-opened_at", "-id")


def ward_choices(scope: Any) -> list[tuple[str, str]]:
    """The partnership's wards (from its geography), else the wards its cases name."""
    from safer.geography.selectors import wards_in

    partnership = _partnership(scope)
    if partnership is None:
        return []
    wards = sorted(set(wards_in(partnership).values_list("code", "name")), key=lambda r: r[1])
    if wards:
        return wards
    # Without geography, the wards come from the cases: reading them all is a scan of every case (45 ms at 100,000
    # on PostgreSQL), so the list is kept for a minute; a ward new in that minute shows a minute later.
    key = f"case-wards:{partnership.pk}"
    cached: list[tuple[str, str]] | None = cache.get(key)
    if cached is None:
        rows = Case.objects.filter(partnership=partnership).exclude(ward_code="").values_list("ward_code", "ward_name")
        cached = sorted(set(rows.order_by().distinct()[:500]), key=lambda r: r[1])
        cache.set(key, cached, WARDS_CACHED_FOR)
    return cached


def officer_choices(scope: Any) -> list[User]:
    """Caseworkers and meeting chairs of the partnership (the people cases can be allocated to)."""
    partnership = _partnership(scope)
    if partnership is None:
        return []
    return list(
        User.objects.filter(
            memberships__agency__partnership=partnership,
            memberships__is_active=True,
            role_grants__partnership=partnership,
            role_grants__role__in=[Role.CASEWORKER, Role.MEETING_CHAIR],
        )
        .distinct()
        .order_by("full_name")
    )


def search_matches(
    scope: Any, *, name: str = "", date_of_birth: date | None = None, postcode: str = "", line1: str = ""
) -> Matches:
    """The first-call search before anything is saved: people, places and open cases like these details."""
    partnership = _partnership(scope)
    if partnership is None:
        return Matches(people=[], addresses=[], cases=[])
    address = None
    if postcode or line1:
        address = Address(
            partnership=partnership, line1=line1, postcode=normalise_postcode(postcode), line_key=name_key(line1)
        )
    people: list[PersonMatch] = []
    if name.strip():
        probe = Person(partnership=partnership, family_name=name, date_of_birth=date_of_birth, address=address)
        probe.name_key = name_key(name)
        people = match_people(scope, probe, exclude=set())
    addresses: list[AddressMatch] = []
    if address is not None:
        query = Q()
        if address.postcode:
            query |= Q(postcode=address.postcode)
        if address.line_key:
            query |= Q(line_key=address.line_key)
        ids = list(
            Address.objects.filter(partnership=partnership).filter(query).order_by().values_list("pk", flat=True)[:50]
        )
        for candidate in visible_addresses(scope).filter(pk__in=ids)[:5]:
            same = bool(address.line_key) and candidate.line_key == address.line_key
            reasons = ["the same address"] if same and candidate.postcode == address.postcode else ["same postcode"]
            addresses.append(
                AddressMatch(candidate=candidate, reasons=reasons, recent_reports=place_report_count(scope, candidate))
            )
    open_cases = visible_cases(scope).exclude(status=CaseStatus.CLOSED)
    case_ids: dict[int, list[str]] = {}
    for party in CaseParty.objects.filter(
        case__in=open_cases, person_id__in=[m.candidate.pk for m in people]
    ).select_related("person")[:50]:
        case_ids.setdefault(party.case_id, []).append(
            f"{party.person.display_name} is {PartyRole(party.role).label.lower()}"
        )
    for place in CasePlace.objects.filter(
        case__in=open_cases, address_id__in=[m.candidate.pk for m in addresses]
    ).select_related("address")[:50]:
        case_ids.setdefault(place.case_id, []).append("place: " + place.address.one_line)
    cases = [
        CaseMatch(case=case, reasons=case_ids[case.pk])
        for case in open_cases.filter(pk__in=list(case_ids)).select_related("owning_agency")[:10]
    ]
    return Matches(people=people, addresses=addresses, cases=cases)
