"""Forms an organisation's administrator fills in: inviting staff, contact details and the
pooled client account (the bank details fields are the shared ones in core/bank_forms)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional

from ..core.bank_forms import BankDetailsForm
from ..core.forms import BaseForm, PostcodeField


class InviteStaffForm(BaseForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's full name"), Length(max=120)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="We send the invitation here. It works for 7 days",
        validators=[
            InputRequired("Enter their email address"),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254),
        ],
    )
    admin = BooleanField(
        "Make them an administrator (they can invite and remove staff, and change the "
        "organisation's details and bank account)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


def _optional(label: str, max_length: int) -> StringField:
    return StringField(label, widget=GovTextInput(), validators=[Length(max=max_length)])


class ContactForm(BaseForm):
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        description="Copies of letters go here",
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254),
        ],
    )
    phone = _optional("Phone number (optional)", 40)
    address_line_1 = StringField(
        "Address line 1",
        widget=GovTextInput(),
        description="Letters for the people you act for come here",
        validators=[InputRequired("Enter the first line of the address"), Length(max=120)],
    )
    address_line_2 = _optional("Address line 2 (optional)", 120)
    town = StringField(
        "Town or city",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the town or city"), Length(max=80)],
    )
    postcode = PostcodeField("Postcode", validators=[InputRequired("Enter the postcode")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class PooledAccountForm(BankDetailsForm):
    """The pooled client account: the same fields and checks as a person's bank details."""


class ConfirmForm(BaseForm):
    submit = SubmitField("Confirm", widget=GovSubmitInput())
