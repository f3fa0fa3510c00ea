"""Demo content: the local-configuration example instruments for every demo partnership, and a few assessments
and interventions on the demo cases (if ``safer.cases.demo`` made any). Idempotent: a case that already has an
assessment or an intervention is left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from safer.core.models import Partnership
from safer.interventions import casefacts, services
from safer.interventions.models import Intervention, RiskAssessment, RiskInstrument

MEDIUM = {1: "Yes", 2: "No", 3: "No", 4: "No", 5: "2 or 3 times", 6: "Somewhat", 7: "No", 8: "Yes", 9: "Yes"}
MEDIUM.update({10: "Yes", 11: "Yes", 12: "No", 13: "Yes", 14: "None"})  # 22: medium
HIGH = {**MEDIUM, 4: "Yes", 7: "Threats", 14: "Serious"}  # 22 + 3 + 6 + 4 = 35: high


def _answers(instrument: RiskInstrument, picks: dict[int, str]) -> dict[int, int | None]:
    chosen: dict[int, int | None] = {}
    for question in instrument.questions.prefetch_related("answers"):
        label = picks.get(question.order)
        chosen[question.pk] = next((a.pk for a in question.answers.all() if a.label == label), None)
    return chosen


def load_demo_content(stdout: TextIO) -> None:
    made_instruments = assessed = actions = 0
    for partnership in Partnership.objects.all():
        made_instruments += len(services.ensure_default_instruments(partnership))
        victim_matrix = RiskInstrument.objects.filter(
            partnership=partnership, key="asb-victim", status="published"
        ).first()
        for index, case in enumerate(casefacts.demo_cases(partnership)[:6]):
            if case.is_closed:
                continue
            if RiskAssessment.objects.filter(case=case).exists() or Intervention.objects.filter(case=case).exists():
                continue
            actor = casefacts.case_officer(case) or casefacts.any_caseworker(partnership)
            if actor is None:
                continue
            with transaction.atomic():
                assessed += _assess(case, victim_matrix, actor, HIGH if index == 0 else MEDIUM)
                actions += _act(case, actor, resolved=index % 2 == 1)
    stdout.write(
        f"Risk and interventions: {made_instruments} instruments made, {assessed} assessments, "
        f"{actions} interventions on demo cases\n"
    )


def _assess(case: Any, instrument: RiskInstrument | None, actor: Any, picks: dict[int, str]) -> int:
    victim = next(iter(casefacts.parties_of(case, role="victim")), None)
    if victim is None or instrument is None:
        return 0
    services.assess(case=case, party=victim, instrument=instrument, chosen=_answers(instrument, picks), actor=actor)
    return 1


def _act(case: Any, actor: Any, *, resolved: bool) -> int:
    subject = next(iter(casefacts.parties_of(case, role="perpetrator")), None)
    if subject is None:
        return 0
    now = timezone.now()
    letter = services.record_intervention(
        case=case,
        kind="warning_letter",
        subject=subject,
        place="",
        issued_at=now - timedelta(days=45),
        expires_at=None,
        actor=actor,
    )
    if resolved:
        services.set_outcome(letter, status="ended", outcome="resolved", actor=actor)
        return 1
    services.set_outcome(letter, status="ended", outcome="escalated", actor=actor)
    try:
        services.record_intervention(
            case=case,
            kind="cpw",
            subject=subject,
            place="",
            issued_at=now - timedelta(days=20),
            expires_at=now + timedelta(days=160),
            actor=actor,
        )
    except services.InterventionsError:
        return 1  # no date of birth recorded, or under 16: the letter stands alone
    return 2
