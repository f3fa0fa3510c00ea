"""How the DPO's access log names this app's records and finds them by a name or reference (``safer.core.records``).

Names only ever reach the DPO's pages (who may see them); every id is scoped to the partnership."""

from __future__ import annotations

from django.db.models import Q

from safer.cases.models import Case, Person, Report, name_key
from safer.core.models import Partnership
from safer.core.records import register_record_kind

MOST = 200  # records one name may mean; more is not a search but a list


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def case_labels(partnership: Partnership, ids: list[str]) -> dict[str, str]:
    found = Case.objects.filter(partnership=partnership, pk__in=_ids(ids)).values_list("pk", "reference")
    return {str(pk): f"case {reference}" for pk, reference in found}


def report_labels(partnership: Partnership, ids: list[str]) -> dict[str, str]:
    found = Report.objects.filter(partnership=partnership, pk__in=_ids(ids)).values_list("pk", "reference")
    return {str(pk): f"report {reference}" for pk, reference in found}


def person_labels(partnership: Partnership, ids: list[str]) -> dict[str, str]:
    people = Person.objects.filter(partnership=partnership, pk__in=_ids(ids))
    return {str(person.pk): person.display_name for person in people}


def people_named(partnership: Partnership, text: str) -> list[int]:
    tokens = name_key(text).split()
    if not tokens:
        return []
    condition = Q()
    for token in tokens:
        condition &= Q(name_key__contains=token)
    return list(Person.objects.filter(partnership=partnership).filter(condition).values_list("pk", flat=True)[:MOST])


def find_people(partnership: Partnership, text: str) -> list[str]:
    return [str(pk) for pk in people_named(partnership, text)]


def find_cases(partnership: Partnership, text: str) -> list[str]:
    """A case by its reference, or the cases of the people a name means."""
    people = people_named(partnership, text)
    cases = Case.objects.filter(partnership=partnership).filter(
        Q(reference__iexact=text.strip()) | Q(parties__person__in=people)
    )
    return [str(pk) for pk in cases.values_list("pk", flat=True).distinct()[:MOST]]


def find_reports(partnership: Partnership, text: str) -> list[str]:
    """A report by its reference, or the reports the people a name means are in (reporter, victim or subject)."""
    people = people_named(partnership, text)
    reports = Report.objects.filter(partnership=partnership).filter(
        Q(reference__iexact=text.strip()) | Q(reporter__in=people) | Q(victims__in=people) | Q(subjects__in=people)
    )
    return [str(pk) for pk in reports.values_list("pk", flat=True).distinct()[:MOST]]


def register() -> None:
    register_record_kind("case", noun="case", labels=case_labels, find=find_cases)
    register_record_kind("report", noun="report", labels=report_labels, find=find_reports)
    register_record_kind("person", noun="person", labels=person_labels, find=find_people)
