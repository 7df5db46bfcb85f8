"""Forms for client money: a sub-ledger line, a correction, and a month's reconciliation."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..core.forms import BaseForm, DateField, MoneyField, NoFutureDate, choice_values, choices
from ..monitoring.statements import Category
from ..third_party.money_models import PostingKind, ReconciliationDifference

MONEY_IN_HINT = "Money in: a contribution or a refund. Money out: everything else"
# Council payments post when their run commits, the fee from the fee policy (fees.py), and a
# correction from the line it corrects: none is typed.
NOT_TYPED = (PostingKind.COUNCIL_PAYMENT, PostingKind.FEE, PostingKind.ADJUSTMENT)


class PostingForm(BaseForm):
    kind = RadioField(
        "What is it?",
        widget=GovRadioInput(),
        description=MONEY_IN_HINT,
        choices=choices((k.value, k.label) for k in PostingKind if k not in NOT_TYPED),
        validators=[InputRequired("Choose what the money was for")],
    )
    amount = MoneyField(
        "Amount", validators=[InputRequired("Enter an amount in pounds and pence, like £125.50")]
    )
    entry_date = DateField(
        "Date it went in or out of the bank",
        validators=[
            InputRequired("Enter the date it went in or out of the bank"),
            NoFutureDate("The date must be today or in the past"),
        ],
    )
    description = StringField(
        "Who was paid, or who paid in",
        widget=GovTextInput(),
        validators=[InputRequired("Say who was paid or who paid in"), Length(max=150)],
    )
    submit = SubmitField("Add to the sub-ledger", widget=GovSubmitInput())


class CorrectionForm(BaseForm):
    amount = MoneyField(
        "What the amount should have been",
        description="Enter £0.00 if the line should not have been there at all",
        validators=[InputRequired("Enter what the amount should have been, like £125.50")],
    )
    entry_date = DateField(
        "Date of the correction",
        validators=[
            InputRequired("Enter the date of the correction"),
            NoFutureDate("The date must be today or in the past"),
        ],
    )
    description = StringField(
        "Why it needs correcting",
        widget=GovTextInput(),
        validators=[InputRequired("Say why the line needs correcting"), Length(max=120)],
    )
    submit = SubmitField("Record the correction", widget=GovSubmitInput())


class StartMonthForm(BaseForm):
    month = SelectField("Month", widget=GovSelect(), choices=[], validate_choice=False)
    submit = SubmitField("Start reconciling this month", widget=GovSubmitInput())

    def validate_month(self, field):
        if field.data not in choice_values(field):
            raise ValidationError("Choose a month")


class ClosingForm(BaseForm):
    closing = MoneyField(
        "Closing balance on the bank statement",
        description="The pooled client account's balance at the end of the month's last day",
        validators=[InputRequired("Enter the closing balance, like £12,345.67")],
    )
    submit = SubmitField("Save the closing balance", widget=GovSubmitInput())


class DifferenceForm(BaseForm):
    kind = RadioField(
        "What kind of difference is it?",
        widget=GovRadioInput(),
        choices=choices(
            (key, label)
            for key, label in ReconciliationDifference.KIND_LABELS.items()
            if key != "council_payment_not_posted"
        ),
        validators=[InputRequired("Choose what kind of difference it is")],
    )
    amount = MoneyField("Amount", validators=[InputRequired("Enter the amount, like £125.50")])
    description = StringField(
        "What it is",
        widget=GovTextInput(),
        description="For example: the bank line's date and description",
        validators=[InputRequired("Say what the difference is"), Length(max=200)],
    )
    explanation = TextAreaField(
        "Why it differs",
        widget=GovTextArea(),
        validators=[InputRequired("Explain why it differs"), Length(max=2000)],
    )
    submit = SubmitField("Add the difference", widget=GovSubmitInput())

    def validate_amount(self, field):
        if field.data is not None and field.data == 0:
            raise ValidationError("Enter an amount of more than £0.00")


class ExplainForm(BaseForm):
    explanation = TextAreaField(
        "Why it differs",
        widget=GovTextArea(),
        validators=[InputRequired("Explain why it differs"), Length(max=2000)],
    )
    submit = SubmitField("Save the explanation", widget=GovSubmitInput())


class SendBackForm(BaseForm):
    note = TextAreaField(
        "What needs looking at again",
        widget=GovTextArea(),
        validators=[InputRequired("Say what needs looking at again"), Length(max=500)],
    )
    submit = SubmitField("Send back", widget=GovSubmitInput())


class PooledLinesForm(BaseForm):
    """The lines' categories and clients come as category-<id> and client-<id> fields (one
    of each per line on the page), read by pooled_chosen; this form carries the buttons."""

    save = SubmitField("Save the choices", widget=GovSubmitInput())
    post = SubmitField("Save and post to the sub-ledgers", widget=GovSubmitInput())


def pooled_chosen(form_data) -> tuple[dict[int, tuple[str, str]], bool]:
    """{line id: (category, client reference)} from the posted fields, and whether any
    field was not one the page offers (a category that is not one, or a broken name)."""
    valid = {category.value for category in Category}
    chosen: dict[int, tuple[str, str]] = {}
    wrong = False
    for name, value in form_data.items():
        if not name.startswith("category-"):
            continue
        number = name.removeprefix("category-")
        reference = form_data.get(f"client-{number}", "").strip()[:40]
        if not number.isdigit() or value not in valid:
            wrong = True
            continue
        chosen[int(number)] = (value, reference)
    return chosen, wrong


class FeePolicyForm(BaseForm):
    amount = MoneyField(
        "Fee for each client",
        description="For example, £10.00",
        validators=[InputRequired("Enter the fee in pounds and pence, like £10.00")],
    )
    per = RadioField(
        "How often",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("four_weeks", "Every 4 weeks (the council's payment periods)"),
                ("month", "Every calendar month"),
            ]
        ),
        validators=[InputRequired("Choose how often the fee is charged")],
    )
    effective_from = DateField(
        "From",
        description="Today or later. The fee is first charged for the first period that "
        "starts on or after this date",
        validators=[InputRequired("Enter the date the fee starts")],
    )
    submit = SubmitField("Set the fee", widget=GovSubmitInput())
