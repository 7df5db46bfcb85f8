"""The administrator's forms for integration clients."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..core.forms import BaseForm, choices, optional_int
from .rules import Scope


class NewClientForm(BaseForm):
    name = StringField(
        "Name of the system",
        widget=GovTextInput(),
        description="So that the audit log says who called, like 'Finance system' or 'Case "
        "management (Mosaic)'",
        validators=[
            InputRequired("Enter the name of the system, like 'Finance system'"),
            Length(max=120, message="Enter a name of 120 characters or fewer"),
        ],
    )
    scopes = SelectMultipleField(
        "What it may do",
        widget=GovCheckboxesInput(),
        description="Give only what the system needs.",
        choices=choices((scope.value, f"{scope.label} ({scope.value})") for scope in Scope),
        validators=[InputRequired("Choose at least one thing the system may do")],
    )
    officer_id = SelectField(
        "Responsible finance officer (for a client that imports people)",
        widget=GovSelect(),
        description="What the client imports is recorded as this officer's work, through "
        "the client. They answer for it, and cannot be the second officer who approves the "
        "bank details or budgets it imports.",
        coerce=optional_int,
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Create the client and show its token", widget=GovSubmitInput())


def officer_choices(pairs: list[tuple[int, str]]) -> list:
    return choices([("", "Choose a finance officer"), *pairs])


class OfficerForm(BaseForm):
    officer_id = SelectField(
        "Who is responsible now?",
        widget=GovSelect(),
        description="A finance officer who is switched on. The change is in the audit log.",
        coerce=optional_int,
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Make them responsible", widget=GovSubmitInput())


class RevokeForm(BaseForm):
    reason = TextAreaField(
        "Why is it being revoked?",
        widget=GovTextArea(),
        description="For the audit log, like 'The finance system was replaced'",
        validators=[
            InputRequired("Enter why the client is being revoked"),
            Length(max=300, message="Enter a reason of 300 characters or fewer"),
        ],
    )
    submit = SubmitField("Revoke the client", widget=GovSubmitInput())
