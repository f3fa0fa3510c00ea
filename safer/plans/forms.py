"""Page forms for plans and performance. Field checks give GOV.UK-style messages naming the field; the rules that
need more than one field (dates in order, a % of a zero baseline…) are in ``services`` and come back by field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from safer.core.services import ServiceError
from safer.plans.models import Frequency, GapCompare, MeasureSource, Polarity, Rag, TargetKind, Unit
from safer.plans.services import parse_number

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y"]


def date_field(label: str, example: str, required: bool = True, help_text: str = "") -> forms.DateField:
    what = label.lower().removesuffix(" (optional)")
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text or f"For example, {example}",
        error_messages={
            "required": f"Enter the {what}, like {example}",
            "invalid": f"Enter the {what} as a real date, like {example}",
        },
    )


class NumberField(forms.CharField):
    """A number typed by a person: "25,000", "12.5", "-22" and "33%" are accepted; anything else gets a message
    naming the field and showing an example."""

    def __init__(self, *, example: str, **kwargs: Any) -> None:
        self.example = example
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        what = str(self.label or "the value").lower().removesuffix(" (optional)")
        if not text:
            if self.required:
                raise forms.ValidationError(f"Enter the {what}, like {self.example}")
            return None
        try:
            return parse_number(text, f"the {what}")
        except ServiceError as exc:
            raise forms.ValidationError(f"Enter the {what} as a number, like {self.example}") from exc


class PlanForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, Community Safety Strategic Plan",
        error_messages={"required": "Enter the plan's title, like Strategic Plan"},
    )
    period_start = date_field("Start of the period", "01/04/2021")
    period_end = date_field("End of the period", "31/03/2024")
    vision = forms.CharField(label="Vision (optional)", required=False, widget=forms.Textarea)
    mission = forms.CharField(label="Mission (optional)", required=False, widget=forms.Textarea)
    principles = forms.CharField(
        label="Principles (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="One a line, like: Cooperation: based upon trust between partners and the community",
    )


class TagsForm(forms.Form):
    key_areas = forms.CharField(
        label="Key areas (optional)", required=False, help_text="Separated by commas, like: Engage, Equip, Empower"
    )
    pillars = forms.CharField(
        label="Pillars (optional)",
        required=False,
        help_text="Separated by commas, like: Education, Prevention and Diversion, Reporting and Referring",
    )
    themes = forms.CharField(
        label="Cross-cutting themes (optional)",
        required=False,
        help_text="Separated by commas, like: Value for Money, Communications",
    )


class PriorityForm(forms.Form):
    code = forms.CharField(label="Reference (optional)", required=False, max_length=10, help_text="Like 1, or A")
    title = forms.CharField(
        label="Priority",
        max_length=300,
        help_text="For example, Reduce Alcohol and Substance related offending and reoffending",
        error_messages={"required": "Enter the priority, like Reduce re-offending"},
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="How the partnership will work on it, and how success will be measured",
    )
    order = forms.IntegerField(
        label="Position in the list (optional)",
        required=False,
        min_value=1,
        error_messages={"invalid": "Enter the position as a whole number, like 3", "min_value": "Enter 1 or more"},
    )
    tags = forms.MultipleChoiceField(
        label="Key areas, pillars and themes", required=False, widget=forms.CheckboxSelectMultiple
    )
    groups = forms.MultipleChoiceField(
        label="Groups that deliver it", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, tags: list[tuple[int, str]], groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tag_field, group_field = self.fields["tags"], self.fields["groups"]
        assert isinstance(tag_field, forms.MultipleChoiceField)
        assert isinstance(group_field, forms.MultipleChoiceField)
        tag_field.choices = tags
        group_field.choices = groups
        if not groups:
            group_field.help_text = "No delivery groups yet: add them on the delivery groups page"


class GroupForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the group's name, like Domestic Abuse Forum"}
    )
    chair = forms.CharField(label="Chair (optional)", required=False, max_length=200)
    reports_to = forms.CharField(
        label="Reports to (optional)", required=False, max_length=200, help_text="Like: the Senior Leadership Group"
    )
    remit = forms.CharField(label="Remit (optional)", required=False, widget=forms.Textarea)


class PartnerPlanForm(forms.Form):
    owner = forms.CharField(
        label="Whose plan",
        max_length=200,
        help_text="For example, the Police and Crime Commissioner",
        error_messages={"required": "Enter whose plan it is, like the Police and Crime Commissioner"},
    )
    title = forms.CharField(
        label="Title",
        max_length=300,
        help_text="For example, Police and Crime Plan 2021-24",
        error_messages={"required": "Enter the plan's title, like Police and Crime Plan 2021-24"},
    )
    period = forms.CharField(label="Period (optional)", required=False, max_length=40, help_text="Like 2021-24")
    objectives = forms.CharField(
        label="Objectives (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="One a line. Start a line with its number, like “1. Reduce reoffending”, to keep the number",
    )


class AlignForm(forms.Form):
    partner_plans = forms.MultipleChoiceField(
        label="Partner plans this plan must align with", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner_plans"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices


class ReviewForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, Serious Violence Duty Strategy refresh 2025-27",
        error_messages={"required": "Enter a title, like Serious Violence Duty Strategy refresh 2025"},
    )
    reviewed_on = date_field("Date of the review", "31/03/2025")
    plan = forms.ChoiceField(label="Plan it belongs to (optional)", required=False)
    local_definition = forms.CharField(
        label="Local definition of serious violence (optional)", required=False, widget=forms.Textarea
    )
    needs_assessment = forms.CharField(
        label="What the strategic needs assessment found",
        widget=forms.Textarea,
        error_messages={"required": "Enter what the strategic needs assessment found"},
    )
    priorities = forms.CharField(
        label="Key priorities and actions",
        widget=forms.Textarea,
        error_messages={"required": "Enter the key priorities and actions"},
    )
    performance_framework = forms.CharField(
        label="Performance framework: how success will be measured",
        widget=forms.Textarea,
        error_messages={"required": "Enter how success will be measured"},
    )
    next_review_on = date_field("Date of the next review (optional)", "31/03/2026", required=False)

    def __init__(self, *args: Any, plans: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "None"), *plans]


class MeasureForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, Total recorded crime",
        error_messages={"required": "Enter the measure's name, like Total recorded crime"},
    )
    priority = forms.ChoiceField(label="Priority it measures")
    definition = forms.CharField(
        label="Definition",
        widget=forms.Textarea,
        help_text="What is counted, and what is not",
        error_messages={"required": "Enter what the measure counts"},
    )
    geography = forms.CharField(
        label="Geography (optional)", required=False, max_length=200, help_text="Like: the borough"
    )
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices, widget=forms.RadioSelect)
    polarity = forms.ChoiceField(label="Which way is good", choices=Polarity.choices, widget=forms.RadioSelect)
    unit = forms.ChoiceField(label="Unit", choices=Unit.choices)
    source = forms.ChoiceField(
        label="Where the figures come from", choices=MeasureSource.choices, widget=forms.RadioSelect
    )
    dataset = forms.ChoiceField(
        label="What the police.uk data counts", required=False, help_text="Only for figures computed from the data"
    )
    priority_area = forms.ChoiceField(
        label="Priority neighbourhoods (optional)",
        required=False,
        help_text="Choose an area to measure its gap to the rest of the borough (per cent, by financial year)",
    )
    gap_compare = forms.ChoiceField(label="Gap against", required=False, choices=GapCompare.choices)
    owner_agency = forms.ChoiceField(
        label="Agency that enters the figures", required=False, help_text="Only for figures entered by a partner"
    )
    components = forms.MultipleChoiceField(
        label="Measures counted",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for a count of how many measures improved",
    )

    def __init__(
        self,
        *args: Any,
        priorities: list[tuple[int, str]],
        datasets: list[tuple[str, str]],
        areas: list[tuple[int, str]],
        agencies: list[tuple[int, str]],
        measures: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("priority", priorities),
            ("dataset", [("", "Not computed"), *datasets]),
            ("priority_area", [("", "None: the whole borough"), *areas]),
            ("owner_agency", [("", "Any agency"), *agencies]),
            ("components", measures),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        self.fields["priority"].error_messages["required"] = "Select the priority the measure belongs to"


class TargetForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of target",
        choices=TargetKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of target"},
    )
    wording = forms.CharField(
        label="Wording (optional)",
        required=False,
        max_length=300,
        help_text="As the plan says it, like: Reduce recorded crime by 22% by March 2008",
    )
    baseline_start = date_field("Start of the baseline period (optional)", "01/04/2003", required=False)
    baseline_end = date_field("End of the baseline period (optional)", "31/03/2004", required=False)
    baseline_value = NumberField(label="Baseline value (optional)", example="25000")
    percent_change = NumberField(
        label="Percentage change", example="-22", help_text="For a change from the baseline: -22 for a 22% reduction"
    )
    target_value = NumberField(
        label="Level or threshold", example="19500", help_text="For a level to reach, or a threshold like 33"
    )
    required_count = forms.IntegerField(
        label="How many measures must improve (optional)",
        required=False,
        min_value=1,
        error_messages={"invalid": "Enter how many measures must improve as a whole number, like 14"},
    )
    required_fraction = NumberField(
        label="Share of measures that must improve (optional)", example="0.75", help_text="0.75 for three-quarters"
    )
    target_date = date_field("Target date", "31/03/2008", required=False)
    amber_tolerance = NumberField(
        label="Amber tolerance",
        example="5",
        help_text="Amber while missing the trajectory by up to this percentage of the target change",
    )
    trajectory = forms.CharField(
        label="Trajectory points (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="One a line: a date and the value expected then, like 31/03/2006 22250. Without them the "
        "trajectory is a straight line from the baseline to the target",
    )
    reason = forms.CharField(
        label="Why the target changes (optional)",
        required=False,
        max_length=100,
        help_text="Kept in the target's history, like: renegotiated with the Home Office",
    )


class ValueForm(forms.Form):
    period = forms.ChoiceField(label="Period", error_messages={"required": "Select the period the figure is for"})
    value = forms.CharField(
        label="Figure", max_length=40, error_messages={"required": "Enter the figure, like 1250 or 12.5"}
    )
    source_note = forms.CharField(
        label="Source (optional)",
        required=False,
        max_length=300,
        help_text="Where the figure comes from, like: NDTMS quarterly report",
    )

    def __init__(self, *args: Any, periods: list[tuple[date, date]], **kwargs: Any) -> None:
        from safer.plans.selectors import period_label

        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Choose a period"),
            *((f"{s:%Y-%m-%d}:{e:%Y-%m-%d}", period_label(s, e)) for s, e in periods),
        ]

    def period_dates(self) -> tuple[date, date]:
        start, end = self.cleaned_data["period"].split(":")
        return date.fromisoformat(start), date.fromisoformat(end)


class RagForm(forms.Form):
    rag = forms.ChoiceField(
        label="RAG for this period",
        choices=[("computed", "Use the computed RAG"), *Rag.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a RAG, or the computed RAG"},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        required=False,
        help_text="Why the RAG differs from the rule (the board reads it beside the RAG)",
    )
