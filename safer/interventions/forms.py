"""Page forms with GOV.UK-style messages. The rules themselves live in ``powers`` and ``risk`` (via services);
these forms only turn text into values."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from safer.interventions.models import Band, InterventionStatus, Outcome, RiskInstrument, Section
from safer.interventions.powers import POWERS, STEPS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
OTHER_PLACE = "other"


class OnceForm(forms.Form):
    """A form that is saved at most once: a new hidden key each time it is shown, sent back with it."""

    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4()

    def key(self) -> uuid.UUID | None:
        value: uuid.UUID | None = self.cleaned_data.get("submission_key")
        return value


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _datetime_field(label: str, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date and time, like 20/11/2026 10:00",
        },
    )


class AssessmentForm(OnceForm):
    """One radio group per question of the instrument, the person assessed, and professional judgement."""

    party = forms.ChoiceField(
        label="Who are you assessing?", error_messages={"required": "Select who you are assessing"}
    )
    band = forms.ChoiceField(
        label="Band",
        required=False,
        widget=forms.RadioSelect,
        help_text="Professional judgement may raise the band from the score, never lower it.",
        choices=[("", "Keep the band from the score")]
        + [(b.value, f"Set the band to {b.label.lower()}") for b in Band],
    )
    raised_reason = forms.CharField(
        label="Why are you raising the band? (if you are)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, instrument: RiskInstrument, parties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party = self.fields["party"]
        assert isinstance(party, forms.ChoiceField)
        party.choices = [("", "Select a person"), *parties]
        self.question_fields: list[tuple[str, forms.BoundField]] = []
        for question in instrument.questions.prefetch_related("answers"):
            name = f"q{question.pk}"
            label = question.text
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                required=False,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                help_text=question.hint,
                choices=[(a.pk, a.label) for a in question.answers.all()],
                error_messages={"invalid_choice": "Choose one of the answers to: " + question.text},
            )
            self.question_fields.append((question.section, self[name]))

    def chosen(self) -> dict[int, int | None]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q") and name[1:].isdigit()
        }


class InterventionForm(OnceForm):
    kind = forms.ChoiceField(
        label="Action",
        choices=[("", "Select the action")]
        + [(k.value, f"{p.label} (usually step {p.step})") for k, p in POWERS.items()],
        error_messages={"required": "Select the action", "invalid_choice": "Select the action from the list"},
    )
    subject = forms.ChoiceField(
        label="Given to (subject)",
        required=False,
        help_text="A subject of the behaviour on this case. Leave empty for an action on a place only.",
    )
    subject_reason = forms.CharField(
        label="Why they are now a subject",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if you selected someone on the case in another role, such as the victim: they are given "
        "the subject role first, and the reason is kept in the case's chronology",
        error_messages={"max_length": "The reason must be 1,000 characters or fewer"},
    )
    place = forms.ChoiceField(
        label="Place (premises or public place)",
        required=False,
        widget=forms.RadioSelect,
        help_text="Closure notices and orders need premises from this case's places. A PSPO or a dispersal "
        "direction may cover another place, such as a park or a zone.",
    )
    place_other = forms.CharField(
        label="Describe the other place",
        required=False,
        max_length=300,
        help_text="If you selected another place: for example, the streets around the park, or a car park",
        error_messages={"max_length": "The other place must be 300 characters or fewer"},
    )
    issued_at = _datetime_field("Date and time issued", required=True)
    expires_at = _datetime_field("Date and time it ends", required=False, help_text="Leave empty if it has no end date")
    step = forms.TypedChoiceField(
        label="Step",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "The usual step for this action")] + [(str(k), v) for k, v in STEPS.items()],
        error_messages={"invalid_choice": "Select a step from 1 to 4"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"max_length": "The notes must be 4,000 characters or fewer"},
    )

    def __init__(
        self, *args: Any, parties: list[tuple[str, str]], places: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = [*places, (OTHER_PLACE, "Another place"), ("", "No place")]
        place.error_messages["invalid_choice"] = "Select one of this case's places, another place or no place"
        subject = self.fields["subject"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = [("", "No subject (a place)"), *parties]
        subject.error_messages["invalid_choice"] = "Select a person or business on this case"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        other = (cleaned.get("place_other") or "").strip()
        if cleaned.get("place") == OTHER_PLACE and not other:
            self.add_error("place_other", "Enter the other place, or select one of this case's places")
        return cleaned

    def address_id(self) -> int | None:
        """The case place (address) chosen, if any."""
        choice: str = self.cleaned_data.get("place") or ""
        return int(choice) if choice.isdigit() else None

    def place_text(self) -> str:
        """The other place typed in (kept for areas such as a PSPO zone), when no case place is chosen."""
        if self.address_id() is not None:
            return ""
        text: str = self.cleaned_data.get("place_other") or ""
        return text.strip()


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=InterventionStatus.choices, error_messages={"required": "Select the status"}
    )
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=Outcome.choices)


class BreachForm(OnceForm):
    occurred_on = forms.DateField(
        label="Date of the breach",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date of the breach",
            "invalid": "Enter the date of the breach as a real date, like 20/11/2026",
        },
    )
    action_taken = forms.CharField(
        label="Action taken",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter the action taken about the breach",
            "max_length": "The action taken must be 2,000 characters or fewer",
        },
    )


class ExtendForm(forms.Form):
    new_expiry = _datetime_field("New end date and time", required=True)


class TaskForm(OnceForm):
    title = forms.CharField(
        label="What needs doing",
        max_length=200,
        help_text="Do not put names or other personal details here: the case reference is enough",
        error_messages={"required": "Enter what needs doing", "max_length": "Keep it to 200 characters or fewer"},
    )
    owner = forms.ChoiceField(label="Who will do it", error_messages={"required": "Select who will do it"})
    due_at = _datetime_field("Due date and time", required=True)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = owners
        owner.error_messages["invalid_choice"] = "Select someone from the list"

    def clean_due_at(self) -> datetime:
        value: datetime = self.cleaned_data["due_at"]
        if value < timezone.now():
            raise forms.ValidationError("The due date must be in the future")
        return value


def _count_field(label: str, *, required: bool, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=10_000,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a whole number, like 22",
            "min_value": f"The {label.lower()} must be 0 or more",
            "max_value": f"The {label.lower()} must be 10,000 or less",
        },
    )


class InstrumentForm(forms.Form):
    """Editing a published instrument: cut-offs, review intervals and question weights, saved as a new version."""

    medium_from = _count_field("Medium from (total score)", required=True)
    high_from = _count_field("High from (total score)", required=True)
    referral_from = _count_field(
        "Referral to victim support from (total score)", required=False, help_text="Leave empty for no referral prompt"
    )
    review_days_standard = _count_field(
        "Review standard after (days)", required=False, help_text="Leave empty for no review"
    )
    review_days_medium = _count_field("Review medium after (days)", required=False)
    review_days_high = _count_field("Review high after (days)", required=False)

    def __init__(self, *args: Any, instrument: RiskInstrument, questions: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "medium_from": instrument.medium_from,
                "high_from": instrument.high_from,
                "referral_from": instrument.referral_from,
                "review_days_standard": instrument.review_days_standard,
                "review_days_medium": instrument.review_days_medium,
                "review_days_high": instrument.review_days_high,
                **{f"w{q.pk}": q.weight for q in questions},
            },
        )
        super().__init__(*args, **kwargs)
        self.question_ids = [q.pk for q in questions]
        for q in questions:
            self.fields[f"w{q.pk}"] = _count_field(f"Weight of question {q.order}", required=True, help_text=q.text)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        medium, high = cleaned.get("medium_from"), cleaned.get("high_from")
        if medium is not None and high is not None and high <= medium:
            self.add_error("high_from", "The high cut-off must be above the medium cut-off")
        return cleaned

    def changes(self) -> Any:
        from safer.interventions.services import InstrumentChanges

        data = self.cleaned_data
        return InstrumentChanges(
            medium_from=data["medium_from"],
            high_from=data["high_from"],
            referral_from=data["referral_from"],
            review_days_standard=data["review_days_standard"] or None,
            review_days_medium=data["review_days_medium"] or None,
            review_days_high=data["review_days_high"] or None,
            weights={pk: data[f"w{pk}"] for pk in self.question_ids},
        )


ANSWER_ROWS = 5


class QuestionForm(forms.Form):
    """A new question for a draft version: its text, hint, part, weight, and two to five answers with scores."""

    text = forms.CharField(
        label="Question",
        max_length=300,
        error_messages={
            "required": "Enter the question text",
            "max_length": "The question text must be 300 characters or fewer",
        },
    )
    hint = forms.CharField(
        label="Help text (optional)",
        required=False,
        max_length=300,
        help_text="Shown under the question to the person assessing",
        error_messages={"max_length": "The help text must be 300 characters or fewer"},
    )
    section = forms.ChoiceField(
        label="Part of the instrument",
        choices=Section.choices,
        initial=Section.MATRIX,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the part of the instrument the question is in",
            "invalid_choice": "Select the part of the instrument the question is in",
        },
    )
    weight = forms.IntegerField(
        label="Question weight",
        initial=1,
        min_value=0,
        max_value=100,
        help_text="The answer's score is multiplied by this",
        error_messages={
            "required": "Enter the question weight, a whole number like 1",
            "invalid": "The question weight must be a whole number, like 1",
            "min_value": "The question weight must be 0 or more",
            "max_value": "The question weight must be 100 or less",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer_rows: list[tuple[str, str]] = []
        for n in range(1, ANSWER_ROWS + 1):
            self.fields[f"answer_{n}_label"] = forms.CharField(
                label=f"Answer {n}",
                required=False,
                max_length=200,
                error_messages={"max_length": f"Answer {n} must be 200 characters or fewer"},
            )
            self.fields[f"answer_{n}_score"] = forms.IntegerField(
                label=f"Score of answer {n}",
                required=False,
                min_value=0,
                max_value=1000,
                error_messages={
                    "invalid": f"The score of answer {n} must be a whole number, like 2",
                    "min_value": f"The score of answer {n} must be a whole number, 0 or more",
                    "max_value": f"The score of answer {n} must be 1,000 or less",
                },
            )
            self.answer_rows.append((f"answer_{n}_label", f"answer_{n}_score"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        labelled = 0
        for n in range(1, ANSWER_ROWS + 1):
            label = (cleaned.get(f"answer_{n}_label") or "").strip()
            score = cleaned.get(f"answer_{n}_score")
            score_error = f"answer_{n}_score" in self.errors
            if label:
                labelled += 1
                if score is None and not score_error:
                    self.add_error(f"answer_{n}_score", f"Enter the score of answer {n}, a whole number like 0")
            elif score is not None:
                self.add_error(f"answer_{n}_label", f"Enter the label of answer {n}, or clear its score")
        if labelled < 2 and "answer_1_label" not in self.errors:
            self.add_error("answer_1_label", "Enter at least two answers, each with a label and a score")
        return cleaned

    def spec(self) -> Any:
        from safer.interventions.services import QuestionSpec

        data = self.cleaned_data
        answers = [
            (data[f"answer_{n}_label"].strip(), data[f"answer_{n}_score"])
            for n in range(1, ANSWER_ROWS + 1)
            if (data.get(f"answer_{n}_label") or "").strip()
        ]
        return QuestionSpec(
            text=data["text"], hint=data["hint"] or "", section=data["section"], weight=data["weight"], answers=answers
        )
