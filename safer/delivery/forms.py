"""Page forms for the delivery app. They render the fields; the services check the values and name the field
in every message (the views put those messages back on the form), so pages and imports share one set of rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from safer.delivery.models import (
    Accumulation,
    Direction,
    EqualityOutcome,
    FundingSource,
    MeasureKind,
    ProtectedCharacteristic,
    Rag,
    SaraStage,
)

RAG_CHOICES = [
    (Rag.GREEN.value, "Green: on track"),
    (Rag.AMBER.value, "Amber: issues or risks"),
    (Rag.RED.value, "Red: significantly off track"),
]


def text(
    label: str, *, required: bool = False, help_text: str = "", message: str = "", area: bool = False
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea if area else forms.TextInput,
        error_messages={"required": message or f"Enter {label.lower()}"},
    )


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class DeliveryPlanForm(forms.Form):
    plan = forms.ChoiceField(label="Strategic plan", error_messages={"required": "Select the strategic plan"})
    financial_year = text("Financial year", help_text="For example, 2024-25")
    title = text(
        "Title (optional)", help_text="For example, Delivery Plan 2024-25. Left blank, it is named after the year"
    )

    def __init__(self, *args: Any, plans: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "plan").choices = [(str(pk), label) for pk, label in plans]


class ActionForm(forms.Form):
    reference = text("Reference", help_text="The priority's number, then the action's, like 1.3")
    title = text("Title")
    description = text("Description (optional)", area=True)
    priorities = forms.MultipleChoiceField(
        label="Priorities it serves", required=False, widget=forms.CheckboxSelectMultiple
    )
    pillars = forms.MultipleChoiceField(
        label="Pillars and themes (optional)", required=False, widget=forms.CheckboxSelectMultiple
    )
    lead_agency = forms.ChoiceField(label="Lead agency", required=False)
    owner = forms.ChoiceField(label="Owner", required=False, help_text="Submits the quarterly returns")
    partner_agencies = forms.MultipleChoiceField(
        label="Partner agencies (optional)", required=False, widget=forms.CheckboxSelectMultiple
    )
    other_partners = text("Other partners (optional)", help_text="For example, Neighbourhood Watch, local schools")
    task_group = forms.ChoiceField(label="Task and Finish group (optional)", required=False)
    sara_stage = forms.ChoiceField(
        label="SARA stage", choices=SaraStage.choices, required=False, widget=forms.RadioSelect
    )
    scanning = text("Scanning: the problem as first seen (optional)", area=True)
    analysis = text("Analysis: what the data and partners show (optional)", area=True)
    response = text("Response: what will be done (optional)", area=True)
    assessment = text("Assessment: how the effect will be judged (optional)", area=True)
    local_need = text(
        "Evidence of local need (optional)", area=True, help_text="Strategic assessment findings, survey results, data"
    )
    provider = text("Commissioned provider (optional)")
    sla = text(
        "Service level agreement (optional)",
        area=True,
        help_text="Purpose of the funding, service objectives and specification, monitoring arrangements",
    )
    budget_pcc = text("PCC grant budget, £ (optional)")
    budget_council = text("Council budget, £ (optional)")
    budget_other = text("Other funding, £ (optional)")

    def __init__(
        self,
        *args: Any,
        priorities: Sequence[tuple[int, str]],
        pillars: Sequence[tuple[int, str]],
        groups: Sequence[tuple[int, str]],
        agencies: Sequence[tuple[int, str]],
        owners: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "priorities").choices = [(str(pk), label) for pk, label in priorities]
        choice_field(self, "pillars").choices = [(str(pk), label) for pk, label in pillars]
        choice_field(self, "task_group").choices = [("", "None"), *[(str(pk), n) for pk, n in groups]]
        choice_field(self, "lead_agency").choices = [
            ("", "Select the lead agency"),
            *[(str(pk), n) for pk, n in agencies],
        ]
        choice_field(self, "owner").choices = [("", "Select the owner"), *[(str(pk), n) for pk, n in owners]]
        choice_field(self, "partner_agencies").choices = [(str(pk), n) for pk, n in agencies]


BUDGET_FIELDS = {
    FundingSource.PCC.value: "budget_pcc",
    FundingSource.COUNCIL.value: "budget_council",
    FundingSource.OTHER.value: "budget_other",
}


class MeasureForm(forms.Form):
    title = text(
        "Measure",
        help_text="What is counted or described, like: number of young people attending diversionary sessions",
    )
    kind = forms.ChoiceField(label="Kind", choices=MeasureKind.choices, required=False, widget=forms.RadioSelect)
    unit = text("Unit (optional)", help_text="For example, sessions, people or %")
    target = text(
        "Target for the year (optional)", help_text="A number, like 120. Leave blank for a qualitative measure"
    )
    direction = forms.ChoiceField(
        label="Direction", choices=Direction.choices, required=False, widget=forms.RadioSelect
    )
    accumulation = forms.ChoiceField(
        label="How the quarters combine", choices=Accumulation.choices, required=False, widget=forms.RadioSelect
    )
    feeds = forms.ChoiceField(
        label="Strategic measure it feeds (optional)",
        required=False,
        help_text="When the chair agrees a return, this measure's figure for the quarter is entered there",
    )

    def __init__(self, *args: Any, strategic: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "feeds").choices = [("", "None"), *[(str(pk), name) for pk, name in strategic]]


class MilestoneForm(forms.Form):
    title = text("Milestone")
    due_on = forms.DateField(
        label="Due date",
        help_text="For example, 30/6/2024",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        required=False,
        error_messages={"invalid": "Enter the due date as a real date, like 30/6/2024"},
    )


class OpenQuarterForm(forms.Form):
    quarter = forms.ChoiceField(
        label="Quarter",
        choices=[
            ("1", "Q1 (April to June)"),
            ("2", "Q2 (July to September)"),
            ("3", "Q3 (October to December)"),
            ("4", "Q4 (January to March)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the quarter to open"},
    )
    due_on = forms.DateField(
        label="Returns due by (optional)",
        help_text="For example, 15/7/2024. Left blank, the end of the quarter",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        required=False,
        error_messages={"invalid": "Enter the date returns are due as a real date, like 15/7/2024"},
    )


class ReturnForm(forms.Form):
    progress = text("Progress this quarter", area=True, help_text="What was done, with whom, and what changed")
    proposed_rag = forms.ChoiceField(
        label="RAG status you propose", choices=RAG_CHOICES, required=False, widget=forms.RadioSelect
    )
    rag_reason = text(
        "Reason for the RAG", area=True, help_text="Needed when the RAG changes from last quarter, or is Amber or Red"
    )
    barriers = text("Barriers (optional if Green)", area=True)
    mitigations = text(
        "Mitigations (optional)",
        area=True,
        help_text="What is being done, or asked of the Partnership, to get back on track",
    )

    def __init__(self, *args: Any, measures: Sequence[Any], lines: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure_fields = []
        for m in measures:
            name = f"measure_{m.pk}"
            if m.is_quantitative:
                hint = f"A number{' of ' + m.unit if m.unit else ''} for this quarter" + (
                    f". Year target: {m.target:g}" if m.target is not None else ""
                )
                self.fields[name] = forms.CharField(label=m.title, required=False, help_text=hint)
            else:
                self.fields[name] = forms.CharField(
                    label=m.title, required=False, widget=forms.Textarea, help_text="Qualitative: describe what changed"
                )
            self.measure_fields.append(name)
        self.spend_fields = []
        for line in lines:
            name = f"spend_{line.pk}"
            label = f"{line.get_source_display()} spend this quarter, £" + (
                f" ({line.description})" if line.description else ""
            )
            self.fields[name] = forms.CharField(
                label=label, required=False, help_text=f"Budget for the year: £{line.amount:,.2f}"
            )
            self.spend_fields.append(name)


class AgreeForm(forms.Form):
    agreed_rag = forms.ChoiceField(
        label="RAG status agreed", choices=RAG_CHOICES, required=False, widget=forms.RadioSelect
    )
    chair_comment = text(
        "Chair's comment",
        area=True,
        help_text="Needed if you agree a different RAG from the owner's, or send the return back",
    )


class EqualityForm(forms.Form):
    characteristics = forms.MultipleChoiceField(
        label="Protected characteristics considered",
        choices=ProtectedCharacteristic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    impacts = text(
        "Likely impacts",
        area=True,
        help_text="Positive or negative, on people who share each characteristic, with the evidence",
    )
    mitigations = text("Mitigations", area=True, help_text="How adverse impacts are removed, reduced or justified")
    outcome = forms.ChoiceField(
        label="Outcome", choices=EqualityOutcome.choices, required=False, widget=forms.RadioSelect
    )


class ComplianceForm(forms.Form):
    objectives = forms.MultipleChoiceField(
        label="Partner plan objectives this action serves", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, objectives: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "objectives").choices = [(str(pk), label) for pk, label in objectives]


class DocumentForm(forms.Form):
    quarter = forms.ChoiceField(label="Quarter", choices=[("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")])


class ImportForm(forms.Form):
    plan = forms.ChoiceField(label="Strategic plan", error_messages={"required": "Select the strategic plan"})
    financial_year = text("Financial year", help_text="For example, 2024-25")
    file = forms.FileField(
        label="Delivery plan workbook (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": "Select the Excel file to import", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, plans: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "plan").choices = [(str(pk), label) for pk, label in plans]
