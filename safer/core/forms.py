"""Page forms. Error messages follow GOV.UK style: say what to do ("Enter…", "Select…")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.http import HttpRequest

from safer.core.models import AccessAction, Agency, AgencyKind, Role, User

ROLE_CHOICES = Role.choices


def required(message: str) -> dict[str, str]:
    return {"required": message}


class ChoicesMixin:
    fields: dict[str, forms.Field]

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field


class SignInForm(forms.Form):
    username = forms.EmailField(
        label="Email address",
        error_messages={
            **required("Enter your email address"),
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput, error_messages=required("Enter your password")
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if username and password:
            user = authenticate(self.request, username=username.lower(), password=password)
            if user is None:
                # One message whether the address or the password was wrong: it names no account.
                raise forms.ValidationError("Enter a correct email address and password")
            self.user = user
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        min_length=6,
        max_length=6,
        help_text="The 6-digit code shown in your authenticator app",
        error_messages={
            **required("Enter the 6-digit security code from your authenticator app"),
            "min_length": "Enter the security code as 6 digits",
            "max_length": "Enter the security code as 6 digits",
        },
    )

    def clean_token(self) -> str:
        token = "".join(str(self.cleaned_data["token"]).split())
        if not token.isdigit():
            raise forms.ValidationError("Enter the security code as 6 digits")
        return token


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput,
        help_text="At least 12 characters. A few unrelated words make a strong, memorable password.",
        error_messages=required("Enter a password"),
    )
    password_again = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages=required("Enter your password again"),
    )

    def __init__(self, *args: Any, email: str = "", full_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.full_name = full_name

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        probe = User(email=self.email, username=self.email, full_name=self.full_name)
        try:
            password_validation.validate_password(password, probe)
        except forms.ValidationError as exc:
            raise forms.ValidationError([gov_password_message(m) for m in exc.messages]) from exc
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "Enter the same password in both boxes")
        return data


def gov_password_message(message: str) -> str:
    if "too short" in message:
        return "Enter a password that is at least 12 characters long"
    if "too common" in message:
        return "Enter a password that is harder to guess: this one is too common"
    if "entirely numeric" in message:
        return "Enter a password that is not only numbers"
    if "too similar" in message:
        return "Enter a password that is not like your name or email address"
    return message


class InviteForm(ChoicesMixin, forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=200, error_messages=required("Enter the person's full name")
    )
    email = forms.EmailField(
        label="Email address",
        error_messages={
            **required("Enter the person's work email address"),
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    agency = forms.ChoiceField(label="Agency", error_messages=required("Select the agency the person works for"))
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages=required("Select at least one role"),
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("agency").choices = [("", "Choose an agency")] + [(str(a.pk), a.name) for a in agencies]


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages=required("Select at least one role"),
    )


class AgencyForm(forms.Form):
    name = forms.CharField(label="Agency name", max_length=200, error_messages=required("Enter the agency's name"))
    kind = forms.ChoiceField(
        label="Type of agency",
        choices=[("", "Choose a type"), *AgencyKind.choices],
        error_messages=required("Select the type of agency"),
    )


class DateRangeForm(forms.Form):
    """A from and to date, checked to be in order: the access log's and refused requests' filters."""

    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start date as a real date, like 2026-04-01"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the end date as a real date, like 2026-06-30"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "Enter an end date that is the same as or after the start date")
        return data


class AccessLogFilterForm(ChoicesMixin, DateRangeForm):
    field_order = ("record", "action", "person", "object_type", "object_id", "date_from", "date_to")

    record = forms.CharField(
        label="Whose record",
        required=False,
        max_length=200,
        help_text="A person's name, or a case or report reference: their cases and reports are found too",
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AccessAction.choices])
    person = forms.ChoiceField(label="Who looked", required=False)
    object_type = forms.ChoiceField(label="Record type", required=False)
    object_id = forms.CharField(label="Record number", required=False, max_length=64)

    def __init__(
        self, *args: Any, people: list[tuple[str, str]], object_types: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("person").choices = [("", "Anyone"), *people]
        self.choice_field("object_type").choices = [("", "Any record type"), *object_types]


class RefusalFilterForm(ChoicesMixin, DateRangeForm):
    field_order = ("person", "agency", "date_from", "date_to")

    person = forms.ChoiceField(label="Person", required=False)
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(
        self, *args: Any, people: list[tuple[str, str]], agencies: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("person").choices = [("", "Anyone"), *people]
        self.choice_field("agency").choices = [("", "Any agency"), *agencies]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="Say what will use it, like 'Monthly data load script'",
        error_messages=required("Enter a name for the token"),
    )


class SwitchPartnershipForm(ChoicesMixin, forms.Form):
    partnership = forms.ChoiceField(
        label="Partnership", widget=forms.RadioSelect, error_messages=required("Select a partnership")
    )

    def __init__(self, *args: Any, partnerships: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("partnership").choices = partnerships
