"""Forms for providers and ISF agreements. Every message says what to do."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional

from ..core.forms import BaseForm, DateField, MoneyField, choices, optional_int
from ..payments.rates import ServiceType
from ..third_party.org_forms import InviteStaffForm
from .agreements import ContributionTo, MoneyHolder, PaymentBasis, Reporting, Underspend


def _labelled(enum) -> list:
    return choices([(member.value, member.label) for member in enum])


def _radio(label: str, enum, default, message: str) -> RadioField:
    """One of a term's choices, in the words people read."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=_labelled(enum),
        default=default.value,
        validators=[InputRequired(message)],
    )


class NumberField(StringField):
    """A number with up to 2 decimal places between `low` and `high`, read into a Decimal."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, low=0, high=10000, example="5", **kw):
        super().__init__(label, validators, **kw)
        self.low, self.high, self.example = Decimal(low), Decimal(high), example

    def process_formdata(self, valuelist):
        raw = ((valuelist[0] if valuelist else "") or "").strip().rstrip("%")
        self.raw_data = valuelist
        self.data = None
        if not raw:
            return
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise ValueError(f"Enter a number, like {self.example}") from exc
        if not value.is_finite() or not self.low <= value <= self.high:
            raise ValueError(f"Enter a number from {self.low} to {self.high}")
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(f"Enter a number with up to 2 decimal places, like {self.example}")
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data.normalize():f}" if self.data is not None else ""


class ContactForm(BaseForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the contact's name"), Length(max=120)],
    )
    job_title = StringField(
        "Job title (optional)", widget=GovTextInput(), validators=[Length(max=120)]
    )
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254),
        ],
    )
    phone = StringField(
        "Phone number (optional)", widget=GovTextInput(), validators=[Length(max=40)]
    )
    submit = SubmitField("Add contact", widget=GovSubmitInput())


class ServicesForm(BaseForm):
    services = SelectMultipleField(
        "Kinds of support the provider offers",
        widget=GovCheckboxesInput(),
        choices=_labelled(ServiceType),
        validators=[InputRequired("Choose at least one kind of support the provider offers")],
    )
    description = StringField(
        "In the provider's words (optional)",
        widget=GovTextInput(),
        description="For example: support at home and in the community, across Ayrshire",
        validators=[Length(max=300)],
    )
    submit = SubmitField("Save the services", widget=GovSubmitInput())


class ProviderStaffForm(InviteStaffForm):
    """A provider's member of staff: the organisation staff invitation, without the
    administrator's flag (a provider's staff confirm agreements and read their people)."""

    admin = None


class AgreementForm(BaseForm):
    starts_on = DateField("Starts on", validators=[InputRequired("Enter the date it starts")])
    ends_on = DateField("Ends on (optional)", description="Leave blank if it has no end date")
    annual_budget = MoneyField(
        "Budget for the year",
        description="The funded provider hours at the agreed rates, for 52 weeks",
        validators=[InputRequired("Enter the budget for the year")],
    )
    money_holder = _radio(
        "Who holds the money?", MoneyHolder, MoneyHolder.COUNCIL, "Choose who holds the money"
    )
    payment_basis = _radio(
        "How is the provider paid?",
        PaymentBasis,
        PaymentBasis.SCHEDULED,
        "Choose how the provider is paid",
    )
    management_fee = NumberField(
        "Provider's management fee, as a percentage of the budget",
        description="Enter 0 if there is none",
        low=0,
        high=100,
        example="5.5",
        validators=[InputRequired("Enter the management fee, or 0")],
    )
    contribution_to = _radio(
        "Where does the person's contribution go?",
        ContributionTo,
        ContributionTo.NONE,
        "Choose where the contribution goes",
    )
    bankable_hours = NumberField(
        "Unused hours that may be banked for later in the year",
        description="Enter 0 if none may be banked",
        low=0,
        high=8760,
        example="20",
        validators=[InputRequired("Enter the hours that may be banked, or 0")],
    )
    reporting_frequency = _radio(
        "How often does the provider report?",
        Reporting,
        Reporting.QUARTERLY,
        "Choose how often the provider reports",
    )
    underspend = _radio(
        "What happens to an underspend?",
        Underspend,
        Underspend.REVIEWED,
        "Choose what happens to an underspend",
    )
    submit = SubmitField("Send for confirmation", widget=GovSubmitInput())


class NewAgreementForm(AgreementForm):
    provider_id = SelectField(
        "Provider",
        widget=GovSelect(),
        coerce=optional_int,
        choices=[],
        validators=[InputRequired("Choose the provider")],
    )


class ChangeAgreementForm(AgreementForm):
    change_note = TextAreaField(
        "What is changing, and why?",
        widget=GovTextArea(),
        validators=[InputRequired("Say what is changing and why"), Length(max=500)],
    )


class ConfirmAgreementForm(BaseForm):
    agree = BooleanField(
        "I have read this agreement and I agree to it",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Tick the box to say you have read and agree to it")],
    )
    submit = SubmitField("Confirm the agreement", widget=GovSubmitInput())


class EndAgreementForm(BaseForm):
    last_day = DateField(
        "Last day of the agreement",
        description="The provider is paid for its support up to and including this day. "
        "For example, 31 7 2026",
        validators=[InputRequired("Enter the last day of the agreement")],
    )
    reason = TextAreaField(
        "Why is the agreement ending?",
        widget=GovTextArea(),
        description="The person and the provider read this",
        validators=[InputRequired("Say why the agreement is ending"), Length(max=500)],
    )
    submit = SubmitField("End the agreement", widget=GovSubmitInput())
