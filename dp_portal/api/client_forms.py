"""The administrator's forms for integration clients."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..core.forms import BaseForm, choices
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
    submit = SubmitField("Create the client and show its token", widget=GovSubmitInput())


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
