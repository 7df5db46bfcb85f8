"""The forms for a change of where money goes, shared by a person's bank details
(accounts) and an organisation's pooled client account (third_party): the same fields, the
same checks, the same four-eyes decision."""

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from .forms import AccountNumberField, BaseForm, SortCodeField, choices

_BACS_NAME = re.compile(r"^[A-Z0-9.&/ -]+$")


class BankDetailsForm(BaseForm):
    payee_name = StringField(
        "Name on the account",
        widget=GovTextInput(),
        description="As the bank shows it; up to 18 letters, numbers, spaces and . & / -",
        validators=[InputRequired("Enter the name on the account")],
        filters=[lambda v: v.upper() if isinstance(v, str) else v],
    )
    sort_code = SortCodeField(
        "Sort code",
        description="6 numbers, for example 30-94-47",
        validators=[InputRequired("Enter the sort code")],
    )
    account_number = AccountNumberField(
        "Account number",
        description="Usually 8 numbers, for example 00733445",
        validators=[InputRequired("Enter the account number")],
    )
    account_number_again = AccountNumberField(
        "Account number again",
        description="Type it again, from the statement, so a slip of a finger is caught",
        validators=[InputRequired("Enter the account number again")],
    )
    reason = TextAreaField(
        "Why are the details changing?",
        widget=GovTextArea(),
        description="For example: new account opened for the direct payment, letter seen",
        validators=[InputRequired("Say why the bank details are changing"), Length(max=500)],
    )
    # The standardised details the officer has seen and confirmed (sort code:account number).
    confirmed = HiddenField()
    submit = SubmitField("Send for approval", widget=GovSubmitInput())

    def validate_payee_name(self, field):
        if field.data and len(field.data) > 18:
            raise ValidationError("Name on the account must be 18 characters or fewer")
        if field.data and not _BACS_NAME.match(field.data):
            raise ValidationError(
                "Name on the account can only include letters, numbers, spaces and . & / -"
            )

    def validate_account_number_again(self, field):
        if field.data and self.account_number.data and field.data != self.account_number.data:
            raise ValidationError("The two account numbers are different: check both")


class BankChangeDecisionForm(BaseForm):
    decision = RadioField(
        "Do the new details match the evidence?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("approve", "Yes, approve: payments go to the new account from now"),
                ("reject", "No, reject: payments stay with the current account"),
            ]
        ),
        validators=[InputRequired("Choose whether to approve or reject the new details")],
    )
    note = TextAreaField(
        "What did you check?",
        widget=GovTextArea(),
        description="For example: called the person on the number we hold, saw a statement",
        validators=[InputRequired("Say what you checked"), Length(max=500)],
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class WithdrawForm(BaseForm):
    submit = SubmitField("Withdraw this change", widget=GovSubmitInput())
