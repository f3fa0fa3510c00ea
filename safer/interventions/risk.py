"""Scoring a risk assessment: the total, the band from the instrument's cut-offs, and the professional-judgement
rule (a band may be raised, with a reason, never lowered)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safer.interventions.models import BAND_ORDER, Band, RiskInstrument, RiskQuestion, Section


def field_name(question: RiskQuestion) -> str:
    return f"q{question.pk}"


@dataclass
class Scored:
    score: int = 0
    screening_only: bool = False
    answers: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def score(instrument: RiskInstrument, questions: list[RiskQuestion], chosen: dict[int, int | None]) -> Scored:
    """Add up weight x answer score. ``chosen`` maps question id to answer id (None = not answered).

    The screening questions are always needed. When every screening answer scores 0 the full matrix may be left
    out (the assessment is then screening only); otherwise every matrix question must be answered.
    """
    result = Scored()
    screening = [q for q in questions if q.section == Section.SCREENING]
    matrix = [q for q in questions if q.section != Section.SCREENING]
    picked: dict[int, Any] = {}
    for question in questions:
        answer_id = chosen.get(question.pk)
        if answer_id is None:
            continue
        answer = next((a for a in question.answers.all() if a.pk == answer_id), None)
        if answer is None:
            result.problems.append((field_name(question), "Choose one of the answers to: " + question.text))
            continue
        picked[question.pk] = answer
    for question in screening:
        if question.pk not in picked and not any(n == field_name(question) for n, _ in result.problems):
            result.problems.append((field_name(question), f"Answer the screening question: {question.text}"))
    screening_clear = bool(screening) and all(
        question.pk in picked and picked[question.pk].score == 0 for question in screening
    )
    matrix_answered = [q for q in matrix if q.pk in picked]
    result.screening_only = screening_clear and not matrix_answered
    if not result.screening_only:
        for question in matrix:
            if question.pk not in picked and not any(n == field_name(question) for n, _ in result.problems):
                why = "the screening found a concern, so " if screening and not screening_clear else ""
                result.problems.append(
                    (
                        field_name(question),
                        f"Answer every question of the full matrix ({why}this one is missing): {question.text}",
                    )
                )
    for question in questions:
        answer = picked.get(question.pk)
        if answer is None:
            continue
        points = question.weight * answer.score
        result.score += points
        result.answers.append(
            {
                "question": question.text,
                "section": question.section,
                "weight": question.weight,
                "answer": answer.label,
                "answer_score": answer.score,
                "score": points,
            }
        )
    return result


def judgement_problem(scored_band: str, chosen_band: str, reason: str) -> tuple[str, str] | None:
    """Professional judgement may raise the band (with a reason), never lower it."""
    if not chosen_band or chosen_band == scored_band:
        return None
    if BAND_ORDER[Band(chosen_band)] < BAND_ORDER[Band(scored_band)]:
        return (
            "band",
            f"Professional judgement can raise a band but never lower it: the score gives "
            f"{Band(scored_band).label.lower()}, so the band cannot be {Band(chosen_band).label.lower()}",
        )
    if not reason.strip():
        return ("raised_reason", "Enter why your professional judgement raises the band")
    return None


def highest_total(questions: list[RiskQuestion]) -> int:
    """The highest total an assessment can reach: each question's weight times its best-scoring answer."""
    return sum(q.weight * max((a.score for a in q.answers.all()), default=0) for q in questions)


def cutoff_problem(high_from: int, questions: list[RiskQuestion]) -> tuple[str, str] | None:
    """The highest cut-off must be reachable, or no one could ever be assessed high."""
    most = highest_total(questions)
    if high_from > most:
        return (
            "high_from",
            f"The high cut-off ({high_from}) cannot be reached: the highest possible total is {most}. "
            "Lower the high cut-off, or add questions or higher answer scores",
        )
    return None
