from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..core.forms import (
    BaseForm,
    DateField,
    HoursField,
    MoneyField,
    choice_values,
    choices,
    optional_int,
)
from .budgets import LineKind, LineSpec
from .rates import RateKind, ServiceType
from .repayments import METHODS


def _decimal_text(label, description, *, required=None):
    validators = [InputRequired(required)] if required else [Optional()]
    return StringField(label, widget=GovTextInput(), description=description, validators=validators)


class RateRowForm(BaseForm):
    kind = RadioField(
        "Which rate?",
        widget=GovRadioInput(),
        choices=choices((k.value, k.label) for k in RateKind),
        validators=[InputRequired("Choose which rate you are setting")],
    )
    effective_from = DateField(
        "Effective from", validators=[InputRequired("Enter the date it starts")]
    )
    value = _decimal_text(
        "Value",
        "Pounds an hour (like 13.45) for pay, insurance, payroll and contingency; a percentage "
        "(like 12.07) for holiday, pension and National Insurance",
        required="Enter the value",
    )
    source_note = StringField(
        "Source",
        widget=GovTextInput(),
        description="Where the figure comes from, like 'Scottish Government letter, 12 March 2026'",
        validators=[InputRequired("Enter where the figure comes from"), Length(max=300)],
    )
    submit = SubmitField("Add rate", widget=GovSubmitInput())

    def validate_value(self, field):
        from decimal import Decimal, InvalidOperation

        try:
            value = Decimal(field.data.replace("£", "").replace("%", "").strip())
        except InvalidOperation as exc:
            raise ValidationError("Enter a number, like 13.45 or 12.07") from exc
        if not value.is_finite() or value < 0 or value > 1000:
            raise ValidationError("Enter a number between 0 and 1000")
        if value.as_tuple().exponent < -2:
            raise ValidationError("Enter the value to no more than 2 decimal places")
        field.decimal = value


class UpliftForm(BaseForm):
    new_wage = MoneyField(
        "New living wage rate, per hour",
        description="For example, 13.45",
        validators=[InputRequired("Enter the new hourly rate")],
    )
    effective_from = DateField(
        "Effective from",
        description="It can be in the past: arrears are paid in the next run",
        validators=[InputRequired("Enter the date the new rate applies from")],
    )
    source_note = StringField(
        "Source",
        widget=GovTextInput(),
        validators=[InputRequired("Enter where the new rate comes from"), Length(max=300)],
    )
    submit = SubmitField("Preview the uplift", widget=GovSubmitInput())


class UpliftQueryForm(UpliftForm):
    """The same questions asked by GET: a preview changes nothing, so its pages (sorted, paged,
    downloaded) are plain links that can be shared between administrators."""

    class Meta:
        csrf = False


class ProviderRateForm(BaseForm):
    service_type = RadioField(
        "Kind of support",
        widget=GovRadioInput(),
        choices=choices([(s.value, s.label) for s in ServiceType]),
        default=ServiceType.DAY.value,
        validators=[InputRequired("Choose the kind of support this rate is for")],
    )
    effective_from = DateField(
        "Effective from", validators=[InputRequired("Enter the date it starts")]
    )
    hourly = MoneyField("Hourly rate", validators=[InputRequired("Enter the hourly rate")])
    source_note = StringField(
        "Source",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter where the rate comes from, like the contract"),
            Length(max=300),
        ],
    )
    submit = SubmitField("Add rate", widget=GovSubmitInput())


def _hours(label):
    return HoursField(label, description="Hours a week, like 12.5")


class BudgetForm(BaseForm):
    effective_from = DateField(
        "Starts on", validators=[InputRequired("Enter the date the budget starts")]
    )
    pa_hours = _hours("Personal assistant hours a week (optional)")
    pa_description = StringField(
        "What the personal assistant hours are for",
        widget=GovTextInput(),
        default="Personal assistant support",
        validators=[Length(max=120)],
    )
    provider_id = SelectField(
        "Option 2 provider (optional)",
        widget=GovSelect(),
        coerce=optional_int,
        choices=[],
        validate_choice=False,
    )
    provider_hours = _hours("Provider hours a week (optional)")
    provider_service = SelectField(
        "Kind of support the provider hours are",
        widget=GovSelect(),
        description="Each kind has its own agreed rate",
        choices=choices([(s.value, s.label) for s in ServiceType]),
        default=ServiceType.DAY.value,
    )
    weekly_amount = MoneyField(
        "A fixed amount each week (optional)", description="Like transport or a day service"
    )
    weekly_description = StringField(
        "What the weekly amount is for", widget=GovTextInput(), validators=[Length(max=120)]
    )
    annual_amount = MoneyField(
        "A fixed amount each year (optional)", description="Like respite or equipment"
    )
    annual_description = StringField(
        "What the yearly amount is for", widget=GovTextInput(), validators=[Length(max=120)]
    )
    weekly_contribution = MoneyField(
        "Weekly client contribution",
        description="From the financial assessment. Enter 0 if there is none",
        default=None,
        validators=[InputRequired("Enter the weekly contribution, or 0")],
    )
    contribution_basis = RadioField(
        "How is the contribution handled?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("net", "Deducted from each payment (net payment)"),
                (
                    "gross",
                    "Paid in full and the contribution invoiced (gross payment, if chosen)",
                ),
            ]
        ),
        default="net",
        validators=[InputRequired("Choose how the contribution is handled")],
    )
    reason = TextAreaField(
        "Reason for the budget",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the reason"), Length(max=500)],
    )
    check = SubmitField("Check the budget", widget=GovSubmitInput())
    submit = SubmitField("Propose budget", widget=GovSubmitInput())
    # The new weekly amount the officer was shown: a proposal is only made for the figures
    # they checked (change a figure, and the comparison is shown again).
    checked_weekly = HiddenField()

    def validate_provider_hours(self, field):
        if field.data and self.provider_id.data not in choice_values(self.provider_id) - {None}:
            raise ValidationError("Choose the provider for these hours")

    def line_specs(self, provider_names: dict[int, str]) -> list[LineSpec]:
        """The budget's lines, in the order the form asks for them (only those filled in)."""
        lines = []
        if self.pa_hours.data:
            description = self.pa_description.data or "Personal assistant support"
            lines.append(LineSpec(LineKind.PA_HOURS, description, hours=self.pa_hours.data))
        if self.provider_hours.data:
            lines.append(
                LineSpec(
                    LineKind.PROVIDER_HOURS,
                    f"Support from {provider_names[self.provider_id.data]}",
                    hours=self.provider_hours.data,
                    provider_id=self.provider_id.data,
                    service_type=self.provider_service.data or ServiceType.DAY.value,
                )
            )
        if self.weekly_amount.data:
            description = self.weekly_description.data or "Weekly amount"
            lines.append(
                LineSpec(LineKind.FIXED_WEEKLY, description, amount=self.weekly_amount.data)
            )
        if self.annual_amount.data:
            description = self.annual_description.data or "Yearly amount"
            lines.append(
                LineSpec(LineKind.FIXED_ANNUAL, description, amount=self.annual_amount.data)
            )
        return lines


class DecisionForm(BaseForm):
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=choices([("approve", "Approve"), ("reject", "Reject")]),
        validators=[InputRequired("Choose whether to approve or reject the budget")],
    )
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[Length(max=500)])
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class BuildRunForm(BaseForm):
    period = RadioField(
        "Which period?",
        widget=GovRadioInput(),
        choices=[],
        coerce=int,
        validators=[InputRequired("Choose the period to pay")],
    )
    pay_late = BooleanField(
        "Yes, I mean to pay a period whose pay date has passed", widget=GovCheckboxInput()
    )
    late_reason = TextAreaField(
        "Why is it being paid late?",
        widget=GovTextArea(),
        description="Only for a period whose pay date has passed. It is kept with the run.",
        validators=[Length(max=500)],
    )
    submit = SubmitField("Build the run", widget=GovSubmitInput())

    late_periods: frozenset[int] = frozenset()

    def validate_period(self, field):
        if field.data in self.late_periods and not self.pay_late.data:
            raise ValidationError(
                "The pay date for this period has passed. To pay it late, tick the box to "
                "confirm and say why"
            )

    def validate_late_reason(self, field):
        if self.period.data in self.late_periods and not (field.data or "").strip():
            raise ValidationError("Say why this period is being paid late")


class ConfirmForm(BaseForm):
    """A confirmation page's one button: no JavaScript, and the page says what will happen."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class AdjustmentForm(BaseForm):
    amount = MoneyField(
        "Amount",
        allow_negative=True,
        description="Negative if money came back (like -250.00 for a returned payment); "
        "positive if money was paid outside a payment run",
        validators=[InputRequired("Enter the amount of the correction")],
    )
    on = DateField(
        "Date the money moved", validators=[InputRequired("Enter the date the money moved")]
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the reason for the correction"), Length(max=150)],
    )
    submit = SubmitField("Record the correction", widget=GovSubmitInput())


class RepaymentForm(BaseForm):
    amount = MoneyField(
        "Amount paid back",
        validators=[InputRequired("Enter the amount paid back, like 120.50")],
    )
    received_on = DateField(
        "Date the money reached the council",
        description="As it shows on the council's bank statement. For example, 27 11 2026",
        validators=[InputRequired("Enter the date the money reached the council")],
    )
    method = RadioField(
        "How it was paid",
        choices=choices(METHODS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Choose how it was paid")],
    )
    note = StringField(
        "Note (optional)",
        widget=GovTextInput(),
        description="For example, the payer's reference or the cheque number",
        validators=[Optional(), Length(max=300, message="Keep the note to 300 characters")],
    )
    submit = SubmitField("Record the payment", widget=GovSubmitInput())
