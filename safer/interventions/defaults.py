"""The instruments a partnership starts with: LOCAL CONFIGURATION EXAMPLES, not national rules.

No source gives the national question list or cut-offs of the Home Office / Sentinel ASB risk matrix
(``../shared/reference/case-management.md`` §2a). These defaults put together practice found locally:

* the shape: four standard questions at the first call, then the full scoring matrix (a police force on STORM);
* the questions: personal, situational and incidental vulnerability (the 2011-12 Home Office call-handling trials);
* cut-offs: a total of 22 or more prompts a referral to victim support (Stockton, on FLARE) and is medium here;
  above 31 is high (Islington Community MARAC);
* reviews: medium every 28 days, high every 14 days (the same force's supervisory reviews);
* the perpetrator vulnerability matrix (Northamptonshire completes one for every perpetrator profile) with
  cut-offs chosen for this example only.

Each partnership should change them to its own agreed matrix: editing makes a new version.
"""

from __future__ import annotations

from dataclasses import dataclass

from safer.interventions.models import AssessedRole, Section

LOCAL_NOTE = (
    "Where they come from: no national question list or cut-offs are published, so these put together local "
    "practice. Shape from a police force's first-call screening (4 questions, then the full matrix); "
    "a total of 22 or more prompts a referral to victim support (Stockton); above 31 is high (Islington "
    "Community MARAC); reviews every 28 days at medium and 14 days at high (a police force's supervisory "
    "reviews). Change them to your partnership's agreed matrix."
)

NO_YES = (("No", 0), ("Not known", 1), ("Yes", 3))


@dataclass(frozen=True)
class Q:
    text: str
    answers: tuple[tuple[str, int], ...] = NO_YES
    weight: int = 1
    section: str = Section.MATRIX
    hint: str = ""


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    assesses: str
    description: str
    medium_from: int
    high_from: int
    referral_from: int | None
    review_days: tuple[int | None, int | None, int | None]  # standard, medium, high
    questions: tuple[Q, ...]


VICTIM = Instrument(
    key="asb-victim",
    name="ASB victim risk and vulnerability matrix",
    assesses=AssessedRole.VICTIM,
    description=(
        "Ask the four screening questions at the first call. If every answer is No, the assessment can stop there "
        "(standard). Otherwise complete the full matrix."
    ),
    medium_from=22,
    high_from=32,
    referral_from=22,
    review_days=(None, 28, 14),
    questions=(
        Q("Has this happened to you or your household before?", section=Section.SCREENING, hint="Repeat victim"),
        Q(
            "Do you, or anyone living with you, have a health condition, disability or other vulnerability?",
            section=Section.SCREENING,
        ),
        Q(
            "Do you think you were targeted because of who you are?",
            section=Section.SCREENING,
            hint="For example race, religion, disability, sexual orientation or gender identity",
        ),
        Q("Are you afraid for your safety, or that this will get worse?", section=Section.SCREENING),
        Q(
            "How often has it happened in the last 3 months?",
            (("Once", 0), ("2 or 3 times", 2), ("More than 3 times", 4)),
            weight=2,
        ),
        Q(
            "How much is it affecting day-to-day life (sleep, going out, work or school)?",
            (("Not at all", 0), ("Somewhat", 2), ("Severely", 4)),
            weight=2,
        ),
        Q(
            "Has there been violence, or threats of violence?",
            (("No", 0), ("Threats", 3), ("Violence", 5)),
            weight=2,
        ),
        Q("Is the victim's mental or physical health being affected?", (("No", 0), ("Yes", 3))),
        Q("Does the victim live alone, or have no one to support them?", (("No", 0), ("Yes", 2))),
        Q("Are children in the household affected?", (("No", 0), ("Yes", 2))),
        Q("Has the victim's home or property been damaged?", (("No", 0), ("Yes", 2))),
        Q("Has the victim thought about moving home because of this?", (("No", 0), ("Yes", 2))),
        Q(
            "Does where they live make it worse (isolated, or an area with a lot of ASB)?",
            (("No", 0), ("Yes", 2)),
            hint="Situational vulnerability",
        ),
        Q(
            "Officer's concern",
            (("None", 0), ("Some", 2), ("Serious", 4)),
            hint="Your own judgement of the risk, from everything you know",
        ),
    ),
)

PERPETRATOR = Instrument(
    key="asb-perpetrator",
    name="ASB perpetrator vulnerability matrix",
    assesses=AssessedRole.PERPETRATOR,
    description=(
        "The perpetrator's own vulnerability, so interventions match seriousness, risk and vulnerability "
        "(Home Office ASB principles)."
    ),
    medium_from=8,
    high_from=14,
    referral_from=None,
    review_days=(None, 28, 14),
    questions=(
        Q("Is the person under 18?", (("No", 0), ("Yes", 3))),
        Q("Are there concerns about their mental health?", NO_YES),
        Q("Do they misuse drugs or alcohol?", NO_YES),
        Q("Is there a learning disability or difficulty?", NO_YES),
        Q("Is there a concern they are being exploited or groomed?", NO_YES, weight=2),
        Q("Are they homeless, or at risk of losing their home?", NO_YES),
        Q("Have they been a victim of abuse or violence?", NO_YES),
    ),
)

DEFAULTS = (VICTIM, PERPETRATOR)
