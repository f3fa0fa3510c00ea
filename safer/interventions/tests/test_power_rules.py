"""Every limit of the 2014 Act powers and the stepped approach, on plain values (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from safer.interventions.powers import (
    POWERS,
    ClosureNotice,
    PowerKind,
    Proposed,
    Warning,
    add_months,
    age_on,
    check,
    closure_extension_problem,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ISSUED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def person(kind: PowerKind, dob: date | None, **kwargs: object) -> Proposed:
    return Proposed(kind=kind, has_subject=True, subject_is_person=True, date_of_birth=dob, **kwargs)  # type: ignore[arg-type]


def messages(proposed: Proposed) -> list[str]:
    return check(proposed, now=NOW).messages()


def born_years_before(years: int, extra_days: int = 0) -> date:
    day = ISSUED.date()
    return day.replace(year=day.year - years) + timedelta(days=extra_days)


def test_age_is_whole_years_on_the_day():
    assert age_on(date(2010, 11, 20), date(2026, 11, 20)) == 16
    assert age_on(date(2010, 11, 21), date(2026, 11, 20)) == 15
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_every_power_has_a_step_from_1_to_4():
    assert {p.step for p in POWERS.values()} == {1, 2, 3, 4}
    assert POWERS[PowerKind.CPW].step == 3 and POWERS[PowerKind.CPN].step == 4


# --- Community Protection Warning and Notice ---------------------------------------------------------------


def test_cpw_for_a_16_year_old_on_their_birthday_is_allowed():
    assert messages(person(PowerKind.CPW, born_years_before(16), issued_at=ISSUED)) == []


def test_cpw_for_someone_a_day_short_of_16_is_refused():
    assert messages(person(PowerKind.CPW, born_years_before(16, extra_days=1), issued_at=ISSUED)) == [
        "A Community Protection Warning cannot be given to someone under 16: the subject was 15 on the date issued"
    ]


def test_cpw_to_a_business_needs_no_date_of_birth():
    proposed = Proposed(kind=PowerKind.CPW, issued_at=ISSUED, has_subject=True, subject_is_person=False)
    assert messages(proposed) == []


def test_cpw_for_a_person_with_no_date_of_birth_is_refused_with_what_to_do():
    assert messages(person(PowerKind.CPW, None, issued_at=ISSUED)) == [
        "A Community Protection Warning needs the subject's age: record their date of birth on the case first"
    ]


def test_cpn_without_any_warning_is_refused():
    assert messages(person(PowerKind.CPN, date(1990, 1, 1), issued_at=ISSUED)) == [
        "A Community Protection Notice needs a Community Protection Warning to the same subject first: "
        "none is recorded. Issue a warning and give them time to comply"
    ]


def test_cpn_after_a_warning_in_force_is_allowed():
    warning = Warning(issued_at=ISSUED - timedelta(days=30), expires_at=ISSUED + timedelta(days=150))
    assert messages(person(PowerKind.CPN, date(1990, 1, 1), issued_at=ISSUED, earlier_warnings=(warning,))) == []


def test_cpn_after_an_expired_or_withdrawn_warning_is_refused():
    expired = Warning(issued_at=ISSUED - timedelta(days=200), expires_at=ISSUED - timedelta(days=20))
    withdrawn = Warning(issued_at=ISSUED - timedelta(days=10), expires_at=None, withdrawn=True)
    [message] = messages(person(PowerKind.CPN, date(1990, 1, 1), issued_at=ISSUED, earlier_warnings=(expired,)))
    assert message.endswith("the warning on record had expired by this date. Issue a fresh warning")
    [message] = messages(person(PowerKind.CPN, date(1990, 1, 1), issued_at=ISSUED, earlier_warnings=(withdrawn,)))
    assert message.endswith("none is recorded. Issue a warning and give them time to comply")


def test_cpn_on_the_same_moment_as_the_warning_is_refused():
    same = Warning(issued_at=ISSUED, expires_at=None)
    [message] = messages(person(PowerKind.CPN, date(1990, 1, 1), issued_at=ISSUED, earlier_warnings=(same,)))
    assert "issued on or after this date" in message


# --- Civil injunction -----------------------------------------------------------------------------------------


def test_civil_injunction_under_10_is_refused_and_10_is_allowed():
    nine = born_years_before(10, extra_days=1)
    assert messages(person(PowerKind.CIVIL_INJUNCTION, nine, issued_at=ISSUED)) == [
        "A civil injunction cannot be given to someone under 10: the subject was 9 on the date issued"
    ]
    ten = born_years_before(10)
    one_year = ISSUED.replace(year=2027)
    assert messages(person(PowerKind.CIVIL_INJUNCTION, ten, issued_at=ISSUED, expires_at=one_year)) == []


def test_civil_injunction_under_18_is_fixed_term_of_at_most_12_months():
    young = born_years_before(15)
    assert messages(person(PowerKind.CIVIL_INJUNCTION, young, issued_at=ISSUED)) == [
        "A civil injunction for someone under 18 must have an end date (at most 12 months)"
    ]
    too_long = ISSUED.replace(year=2027) + timedelta(days=1)
    assert messages(person(PowerKind.CIVIL_INJUNCTION, young, issued_at=ISSUED, expires_at=too_long)) == [
        "A civil injunction for someone under 18 can last at most 12 months"
    ]


def test_civil_injunction_for_an_adult_may_run_until_further_order():
    assert messages(person(PowerKind.CIVIL_INJUNCTION, date(1980, 5, 5), issued_at=ISSUED)) == []


def test_civil_injunction_against_a_business_is_refused():
    proposed = Proposed(kind=PowerKind.CIVIL_INJUNCTION, issued_at=ISSUED, has_subject=True, subject_is_person=False)
    assert messages(proposed) == ["A civil injunction can only be made against a person, not a business or group"]


# --- Criminal Behaviour Order ---------------------------------------------------------------------------------


def test_cbo_date_of_birth_making_the_subject_9_is_refused():
    assert messages(person(PowerKind.CBO, date(2017, 3, 1), issued_at=ISSUED)) == [
        "A Criminal Behaviour Order cannot be given to someone under 10: the subject was 9 on the date issued"
    ]


@pytest.mark.parametrize(
    ("years", "days", "expected"),
    [
        (1, -1, ["A Criminal Behaviour Order for someone under 18 must last at least 1 year"]),
        (1, 0, []),
        (3, 0, []),
        (3, 1, ["A Criminal Behaviour Order for someone under 18 can last at most 3 years"]),
    ],
)
def test_cbo_under_18_lasts_1_to_3_years(years, days, expected):
    expires = ISSUED.replace(year=ISSUED.year + years) + timedelta(days=days)
    assert messages(person(PowerKind.CBO, born_years_before(14), issued_at=ISSUED, expires_at=expires)) == expected


def test_cbo_under_18_needs_an_end_date():
    assert messages(person(PowerKind.CBO, born_years_before(17), issued_at=ISSUED)) == [
        "A Criminal Behaviour Order for someone under 18 must have an end date (1 to 3 years)"
    ]


def test_a_date_issued_before_the_date_of_birth_is_refused():
    assert messages(person(PowerKind.CBO, date(2027, 1, 1), issued_at=ISSUED)) == [
        "The date issued is before the subject's date of birth"
    ]


# --- Closure, dispersal, PSPO ---------------------------------------------------------------------------------


def place(kind: PowerKind, hours: float | None = None, expires: datetime | None = None) -> Proposed:
    if hours is not None:
        expires = ISSUED + timedelta(hours=hours)
    notices = (ClosureNotice(issued_at=ISSUED - timedelta(hours=20)),)
    return Proposed(
        kind=kind, issued_at=ISSUED, expires_at=expires, has_place=True, has_premises=True, closure_notices=notices
    )


def test_closure_notice_24_or_48_hours_but_not_49():
    assert messages(place(PowerKind.CLOSURE_NOTICE, 24)) == []
    assert messages(place(PowerKind.CLOSURE_NOTICE, 48)) == []
    assert messages(place(PowerKind.CLOSURE_NOTICE, 49)) == ["A closure notice lasts 24 hours, or at most 48 hours"]


def test_closure_notice_needs_a_place_and_an_end():
    proposed = Proposed(kind=PowerKind.CLOSURE_NOTICE, issued_at=ISSUED, has_subject=True, subject_is_person=True)
    assert messages(proposed) == [
        "A closure notice is made for a place, not a person: leave the subject empty",
        "Select which of this case's places are the premises the closure notice closes "
        "(add the premises to the case first if they are not listed)",
        "Enter when the closure notice ends (24 hours, or up to 48 hours)",
    ]


def test_closure_order_at_most_3_months_then_extendable_to_6():
    assert messages(place(PowerKind.CLOSURE_ORDER, expires=datetime(2027, 2, 20, 10, tzinfo=UTC))) == []
    assert messages(place(PowerKind.CLOSURE_ORDER, expires=datetime(2027, 2, 21, 10, tzinfo=UTC))) == [
        "A closure order can be made for at most 3 months; extend it later (to 6 months in total)"
    ]
    current = datetime(2027, 2, 20, 10, tzinfo=UTC)
    assert closure_extension_problem(ISSUED, current, datetime(2027, 5, 20, 10, tzinfo=UTC)) is None
    assert closure_extension_problem(ISSUED, current, datetime(2027, 5, 21, 10, tzinfo=UTC)) == (
        "A closure order can be extended to at most 6 months in total from when it was made"
    )
    assert closure_extension_problem(ISSUED, current, current) == "The new end date must be after the current end date"


def test_dispersal_at_most_48_hours():
    assert messages(place(PowerKind.DISPERSAL, 48)) == []
    assert messages(place(PowerKind.DISPERSAL, 48.5)) == ["A dispersal direction lasts at most 48 hours"]


def test_pspo_is_for_places_only_and_at_most_3_years():
    assert messages(place(PowerKind.PSPO, expires=datetime(2029, 11, 20, 10, tzinfo=UTC))) == []
    assert messages(place(PowerKind.PSPO, expires=datetime(2029, 11, 21, 10, tzinfo=UTC))) == [
        "A Public Spaces Protection Order lasts at most 3 years"
    ]
    on_person = Proposed(
        kind=PowerKind.PSPO,
        issued_at=ISSUED,
        expires_at=ISSUED + timedelta(days=365),
        has_subject=True,
        subject_is_person=True,
    )
    assert messages(on_person) == [
        "A Public Spaces Protection Order is made for a place, not a person: leave the subject empty",
        "Enter the place the Public Spaces Protection Order covers",
    ]


# --- Dates ----------------------------------------------------------------------------------------------------


def test_a_future_issue_date_and_an_expiry_before_issue_are_refused():
    future = Proposed(kind=PowerKind.ABC, issued_at=NOW + timedelta(days=1), has_subject=True)
    assert messages(future) == ["The date issued must be today or in the past: record actions once they are done"]
    backwards = Proposed(kind=PowerKind.ABC, issued_at=ISSUED, expires_at=ISSUED - timedelta(days=1), has_subject=True)
    assert messages(backwards) == ["The expiry must be after the date issued"]


def test_a_letter_needs_a_subject():
    assert messages(Proposed(kind=PowerKind.WARNING_LETTER, issued_at=ISSUED)) == [
        "Select the person or business the warning letter is given to"
    ]


# --- Criminal Behaviour Order on an adult (2014 Act s.25(5)) --------------------------------------------------

ADULT_CBO_REFUSAL = (
    "The end date of a Criminal Behaviour Order on an adult must be at least 2 years after the date issued, "
    "or left empty for an indefinite order (2014 Act s.25(5))"
)


def test_adult_cbo_of_23_months_is_refused_on_the_end_date():
    proposed = person(
        PowerKind.CBO, born_years_before(30), issued_at=ISSUED, expires_at=ISSUED.replace(year=2028, month=10)
    )
    problems = check(proposed, now=NOW)
    assert problems.items == [("expires_at", ADULT_CBO_REFUSAL)]


def test_adult_cbo_a_day_short_of_2_years_is_refused_and_2_years_is_allowed():
    two_years = ISSUED.replace(year=ISSUED.year + 2)
    adult = born_years_before(18)  # 18 on the day the order is made
    assert messages(person(PowerKind.CBO, adult, issued_at=ISSUED, expires_at=two_years - timedelta(days=1))) == [
        ADULT_CBO_REFUSAL
    ]
    assert messages(person(PowerKind.CBO, adult, issued_at=ISSUED, expires_at=two_years)) == []
    assert messages(person(PowerKind.CBO, adult, issued_at=ISSUED, expires_at=ISSUED.replace(year=2036))) == []


def test_adult_cbo_may_be_indefinite():
    assert messages(person(PowerKind.CBO, born_years_before(40), issued_at=ISSUED)) == []


def test_age_for_the_cbo_term_is_on_the_date_the_order_is_made():
    # 17 when made (turning 18 the next day): the under-18 term applies, so 14 months is fine and no end is refused.
    nearly_18 = born_years_before(18, extra_days=1)
    fourteen_months = ISSUED.replace(year=ISSUED.year + 2, month=1)
    assert messages(person(PowerKind.CBO, nearly_18, issued_at=ISSUED, expires_at=fourteen_months)) == []
    assert messages(person(PowerKind.CBO, born_years_before(18), issued_at=ISSUED, expires_at=fourteen_months)) == [
        ADULT_CBO_REFUSAL
    ]


# --- Places: closure on premises from the case, an order after a notice, PSPOs on places only -----------------


def test_closure_order_without_a_notice_on_those_premises_is_refused():
    expires = ISSUED + timedelta(days=60)
    alone = Proposed(
        kind=PowerKind.CLOSURE_ORDER, issued_at=ISSUED, expires_at=expires, has_place=True, has_premises=True
    )
    assert check(alone, now=NOW).items == [
        (
            "place",
            "A closure order needs a closure notice on the same premises first: none is recorded for these premises. "
            "Record the closure notice",
        )
    ]
    later = ClosureNotice(issued_at=ISSUED + timedelta(hours=1))
    withdrawn = ClosureNotice(issued_at=ISSUED - timedelta(hours=5), withdrawn=True)
    after = Proposed(
        kind=PowerKind.CLOSURE_ORDER,
        issued_at=ISSUED,
        expires_at=expires,
        has_place=True,
        has_premises=True,
        closure_notices=(later, withdrawn),
    )
    assert messages(after) == [
        "A closure order needs a closure notice on the same premises first: the notice on record was issued after "
        "this date"
    ]
    assert messages(place(PowerKind.CLOSURE_ORDER, expires=expires)) == []


def test_closure_on_typed_in_text_rather_than_the_case_premises_is_refused():
    typed = Proposed(
        kind=PowerKind.CLOSURE_NOTICE, issued_at=ISSUED, expires_at=ISSUED + timedelta(hours=24), has_place=True
    )
    assert check(typed, now=NOW).items == [
        (
            "place",
            "Select which of this case's places are the premises the closure notice closes "
            "(add the premises to the case first if they are not listed)",
        )
    ]


def test_pspo_on_a_person_is_refused_and_on_a_typed_in_zone_is_allowed():
    expires = ISSUED.replace(year=2028)
    on_person = person(PowerKind.PSPO, born_years_before(30), issued_at=ISSUED, expires_at=expires)
    assert check(on_person, now=NOW).items == [
        ("subject", "A Public Spaces Protection Order is made for a place, not a person: leave the subject empty"),
        ("place", "Enter the place the Public Spaces Protection Order covers"),
    ]
    zone = Proposed(kind=PowerKind.PSPO, issued_at=ISSUED, expires_at=expires, has_place=True)
    assert messages(zone) == []
