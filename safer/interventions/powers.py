"""The stepped approach and the ASB, Crime and Policing Act 2014 powers: what each is, its usual step, and the
conditions the register enforces before it records one.

Pure functions on plain values (no database), so every limit is unit-tested on its own. The service
(``services.record_intervention``) gathers the facts (the subject's date of birth, earlier warnings) and turns
the problems found here into one refusal naming the fields.

Decisions (see ``../shared/reference/case-management.md`` §2c):

* Age is the subject's age on the issue date, from the person's recorded date of birth. An age-limited power for
  a person whose date of birth is not recorded is refused: record the date of birth first.
* A Community Protection Notice needs an earlier Community Protection Warning to the same subject (the same
  person or business, on any case of the partnership) that was issued before the notice, has not been withdrawn,
  and had not expired on the day the notice is issued. An expired warning is spent: give a fresh warning.
* CPW/CPN: persons 16 or over, or a business or organisation. Civil injunction and CBO: persons 10 or over;
  for under-18s a civil injunction is fixed-term, at most 12 months. A CBO (2014 Act s.25(5)): on a person
  under 18, a fixed term of not less than 1 year and not more than 3 years; on an adult, a fixed term of not
  less than 2 years, or an indefinite period (no end date). Age is on the date the order is made.
* Closure notice: at most 48 hours (24 hours, extendable to 48). Closure order: at most 3 months when made,
  extendable to 6 months in total. Both are for premises: one of the case's places (an address), never typed-in
  text, so that a closure order can be matched to the closure notice on the same premises (s.80: an order
  follows a notice), issued on or before the order and not withdrawn, on any case of the partnership.
* Dispersal direction: at most 48 hours. PSPO: places only (never a person), at most 3 years.
* Issue dates cannot be in the future (the register records what has been done); an expiry cannot be before
  the issue.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum


class PowerKind(StrEnum):
    ADVICE_LETTER = "advice_letter"
    VISIT = "visit"
    WARNING_LETTER = "warning_letter"
    COMMUNITY_REMEDY = "community_remedy"
    ABC = "abc"
    CPW = "cpw"
    CPN = "cpn"
    DISPERSAL = "dispersal"
    CIVIL_INJUNCTION = "civil_injunction"
    CBO = "cbo"
    CLOSURE_NOTICE = "closure_notice"
    CLOSURE_ORDER = "closure_order"
    PSPO = "pspo"


class Target(StrEnum):
    SUBJECT = "subject"  # a person or business on the case
    PLACE = "place"  # premises or a public place
    EITHER = "either"


@dataclass(frozen=True)
class Power:
    kind: PowerKind
    label: str
    step: int
    target: Target
    min_age: int | None = None  # persons only; None = no age limit checked
    businesses: bool = True  # may a business or organisation be the subject?
    needs_expiry: bool = False
    max_duration: str = ""  # words, shown as a hint
    statute: str = ""

    @property
    def name(self) -> str:
        """The label inside a sentence: "civil injunction", but "Criminal Behaviour Order"."""
        words = self.label.split()
        if len(words) > 1 and words[1][0].islower():
            return self.label[0].lower() + self.label[1:]
        return self.label

    @property
    def a_name(self) -> str:
        return f"{'an' if self.name[0] in 'AEIOUaeiou' else 'a'} {self.name}"

    @property
    def a_name_cap(self) -> str:
        return self.a_name[0].upper() + self.a_name[1:]


POWERS: dict[PowerKind, Power] = {
    p.kind: p
    for p in [
        Power(PowerKind.ADVICE_LETTER, "Advice or first letter", 1, Target.SUBJECT),
        Power(PowerKind.WARNING_LETTER, "Warning letter", 2, Target.SUBJECT),
        Power(PowerKind.VISIT, "Home visit or verbal warning", 2, Target.SUBJECT),
        Power(
            PowerKind.COMMUNITY_REMEDY,
            "Community Remedy",
            2,
            Target.SUBJECT,
            statute="ASB, Crime and Policing Act 2014 s.101-103",
        ),
        Power(PowerKind.ABC, "Acceptable Behaviour Contract", 3, Target.SUBJECT, statute="Non-statutory"),
        Power(
            PowerKind.CPW,
            "Community Protection Warning",
            3,
            Target.SUBJECT,
            min_age=16,
            statute="2014 Act s.43 (written warning before a notice)",
        ),
        Power(
            PowerKind.CPN,
            "Community Protection Notice",
            4,
            Target.SUBJECT,
            min_age=16,
            statute="2014 Act s.43",
        ),
        Power(
            PowerKind.DISPERSAL,
            "Dispersal direction",
            2,
            Target.EITHER,
            needs_expiry=True,
            max_duration="at most 48 hours",
            statute="2014 Act s.35",
        ),
        Power(
            PowerKind.CIVIL_INJUNCTION,
            "Civil injunction",
            4,
            Target.SUBJECT,
            min_age=10,
            businesses=False,
            max_duration="under 18: fixed term of at most 12 months",
            statute="2014 Act Part 1",
        ),
        Power(
            PowerKind.CBO,
            "Criminal Behaviour Order",
            4,
            Target.SUBJECT,
            min_age=10,
            businesses=False,
            max_duration="under 18: fixed term of 1 to 3 years; adult: at least 2 years, or indefinite",
            statute="2014 Act Part 2, s.25(5) (now in the Sentencing Code)",
        ),
        Power(
            PowerKind.CLOSURE_NOTICE,
            "Closure notice",
            4,
            Target.PLACE,
            needs_expiry=True,
            max_duration="24 hours, or up to 48 hours",
            statute="2014 Act s.76",
        ),
        Power(
            PowerKind.CLOSURE_ORDER,
            "Closure order",
            4,
            Target.PLACE,
            needs_expiry=True,
            max_duration="at most 3 months, extendable to 6 months in total",
            statute="2014 Act s.80",
        ),
        Power(
            PowerKind.PSPO,
            "Public Spaces Protection Order",
            4,
            Target.PLACE,
            needs_expiry=True,
            max_duration="at most 3 years",
            statute="2014 Act s.59",
        ),
    ]
}

STEPS: dict[int, str] = {
    1: "Step 1: advice or first letter",
    2: "Step 2: visit or warning",
    3: "Step 3: ABC, CPW or multi-agency",
    4: "Step 4: legal action",
}

CLOSURE_NOTICE_MAX = timedelta(hours=48)
DISPERSAL_MAX = timedelta(hours=48)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Warning:
    """An earlier Community Protection Warning to the same subject."""

    issued_at: datetime
    expires_at: datetime | None
    withdrawn: bool = False


@dataclass(frozen=True)
class ClosureNotice:
    """An earlier closure notice on the same premises (the same address, on any case of the partnership)."""

    issued_at: datetime
    withdrawn: bool = False


@dataclass(frozen=True)
class Proposed:
    """What the caseworker asks the register to record."""

    kind: PowerKind
    issued_at: datetime
    expires_at: datetime | None = None
    has_subject: bool = False
    subject_is_person: bool = False
    date_of_birth: date | None = None
    has_place: bool = False
    has_premises: bool = False  # the place is one of the case's places (an address), not typed-in text
    earlier_warnings: tuple[Warning, ...] = ()
    closure_notices: tuple[ClosureNotice, ...] = ()  # earlier closure notices on the same premises


@dataclass
class Problems:
    """Refusals by field name ("" for the whole form), in the order found."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.items.append((name, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def messages(self) -> list[str]:
        return [message for _, message in self.items]


def check(proposed: Proposed, *, now: datetime) -> Problems:
    """Every rule of the stepped approach and the 2014 Act the register enforces for one new action."""
    power = POWERS[proposed.kind]
    problems = Problems()
    issued, expires = proposed.issued_at, proposed.expires_at
    name, a_cap = power.name, power.a_name_cap

    if issued > now:
        problems.add("issued_at", "The date issued must be today or in the past: record actions once they are done")
    if expires is not None and expires <= issued:
        problems.add("expires_at", "The expiry must be after the date issued")

    # What it is against.
    closure = proposed.kind in (PowerKind.CLOSURE_NOTICE, PowerKind.CLOSURE_ORDER)
    if power.target is Target.PLACE:
        if proposed.has_subject:
            problems.add("subject", f"{a_cap} is made for a place, not a person: leave the subject empty")
        if closure and not proposed.has_premises:
            problems.add(
                "place",
                f"Select which of this case's places are the premises the {name} closes "
                "(add the premises to the case first if they are not listed)",
            )
        elif not proposed.has_place:
            problems.add("place", f"Enter the place the {name} covers")
    elif power.target is Target.SUBJECT:
        if not proposed.has_subject:
            problems.add("subject", f"Select the person or business the {name} is given to")
    elif not proposed.has_subject and not proposed.has_place:
        problems.add("subject", f"Select the person the {name} is given to, or enter the place it covers")

    if proposed.has_subject and not proposed.subject_is_person and not power.businesses:
        problems.add("subject", f"{a_cap} can only be made against a person, not a business or group")

    # Age on the day it is issued.
    age: int | None = None
    if power.min_age is not None and proposed.has_subject and proposed.subject_is_person:
        if proposed.date_of_birth is None:
            problems.add(
                "subject",
                f"{a_cap} needs the subject's age: record their date of birth on the case first",
            )
        elif proposed.date_of_birth > issued.date():
            problems.add("issued_at", "The date issued is before the subject's date of birth")
        else:
            age = age_on(proposed.date_of_birth, issued.date())
            if age < power.min_age:
                problems.add(
                    "subject",
                    f"{a_cap} cannot be given to someone under {power.min_age}: "
                    f"the subject was {age} on the date issued",
                )
                age = None

    if power.needs_expiry and expires is None:
        problems.add("expires_at", f"Enter when the {name} ends ({power.max_duration})")

    under_18 = age is not None and age < 18
    if proposed.kind is PowerKind.CIVIL_INJUNCTION and under_18:
        if expires is None:
            problems.add(
                "expires_at", "A civil injunction for someone under 18 must have an end date (at most 12 months)"
            )
        elif expires.date() > add_months(issued.date(), 12):
            problems.add("expires_at", "A civil injunction for someone under 18 can last at most 12 months")
    if proposed.kind is PowerKind.CBO and under_18:
        if expires is None:
            problems.add(
                "expires_at", "A Criminal Behaviour Order for someone under 18 must have an end date (1 to 3 years)"
            )
        elif expires.date() < add_years(issued.date(), 1):
            problems.add("expires_at", "A Criminal Behaviour Order for someone under 18 must last at least 1 year")
        elif expires.date() > add_years(issued.date(), 3):
            problems.add("expires_at", "A Criminal Behaviour Order for someone under 18 can last at most 3 years")
    adult = age is not None and age >= 18
    if (
        proposed.kind is PowerKind.CBO
        and adult
        and expires is not None
        and expires > issued
        and expires.date() < add_years(issued.date(), 2)
    ):
        problems.add(
            "expires_at",
            "The end date of a Criminal Behaviour Order on an adult must be at least 2 years after the date "
            "issued, or left empty for an indefinite order (2014 Act s.25(5))",
        )

    if expires is not None and expires > issued:
        if proposed.kind is PowerKind.CLOSURE_NOTICE and expires - issued > CLOSURE_NOTICE_MAX:
            problems.add("expires_at", "A closure notice lasts 24 hours, or at most 48 hours")
        if proposed.kind is PowerKind.DISPERSAL and expires - issued > DISPERSAL_MAX:
            problems.add("expires_at", "A dispersal direction lasts at most 48 hours")
        if proposed.kind is PowerKind.CLOSURE_ORDER and expires.date() > add_months(issued.date(), 3):
            problems.add(
                "expires_at",
                "A closure order can be made for at most 3 months; extend it later (to 6 months in total)",
            )
        if proposed.kind is PowerKind.PSPO and expires.date() > add_years(issued.date(), 3):
            problems.add("expires_at", "A Public Spaces Protection Order lasts at most 3 years")

    if proposed.kind is PowerKind.CLOSURE_ORDER and proposed.has_premises:
        live = [n for n in proposed.closure_notices if not n.withdrawn]
        if not any(n.issued_at <= issued for n in live):
            base = "A closure order needs a closure notice on the same premises first"
            if live:
                problems.add("place", f"{base}: the notice on record was issued after this date")
            else:
                problems.add("place", f"{base}: none is recorded for these premises. Record the closure notice")

    if (
        proposed.kind is PowerKind.CPN
        and proposed.has_subject
        and not any(_warning_in_force(w, issued) for w in proposed.earlier_warnings)
    ):
        problems.add("kind", cpn_refusal(proposed.earlier_warnings, issued))
    return problems


def _warning_in_force(warning: Warning, day: datetime) -> bool:
    return (
        not warning.withdrawn and warning.issued_at < day and (warning.expires_at is None or warning.expires_at >= day)
    )


def cpn_refusal(warnings: tuple[Warning, ...], issued: datetime) -> str:
    base = "A Community Protection Notice needs a Community Protection Warning to the same subject first"
    live = [w for w in warnings if not w.withdrawn]
    if not live:
        return f"{base}: none is recorded. Issue a warning and give them time to comply"
    if all(w.issued_at >= issued for w in live):
        return f"{base}: the warning on record was issued on or after this date"
    return f"{base}: the warning on record had expired by this date. Issue a fresh warning"


def closure_extension_problem(issued: datetime, current_expiry: datetime, new_expiry: datetime) -> str | None:
    """A closure order may be extended, to at most 6 months from when it was made."""
    if new_expiry <= current_expiry:
        return "The new end date must be after the current end date"
    if new_expiry.date() > add_months(issued.date(), 6):
        return "A closure order can be extended to at most 6 months in total from when it was made"
    return None
