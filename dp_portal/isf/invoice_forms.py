"""Forms for providers' invoices, held lines and change requests. Every message says what to
do."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import BaseForm, DateField, MoneyField, choices
from ..payments.rates import ServiceType
from .forms import NumberField

LINES = 5  # lines on the on-screen invoice; a longer invoice is uploaded as XLSX
KINDS = choices([("", "Choose")] + [(k.value, k.label) for k in ServiceType])


def _line_fields(number: int) -> dict:
    return {
        f"person_{number}": SelectField(f"Line {number}: person", widget=GovSelect(), choices=[]),
        f"kind_{number}": SelectField(
            f"Line {number}: kind of support", widget=GovSelect(), choices=KINDS
        ),
        f"hours_{number}": NumberField(
            f"Line {number}: hours delivered", [Optional()], low="0.01", high=1488, example="7.5"
        ),
    }


class _InvoiceForm(BaseForm):
    reference = StringField(
        "Your invoice reference",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your invoice reference"), Length(max=40)],
    )
    period_start = DateField(
        "First day of the payment period",
        validators=[InputRequired("Enter the first day of the payment period")],
    )
    send = SubmitField("Send the invoice", widget=GovSubmitInput())

    def lines(self) -> list[tuple[str, str, object]]:
        """(reference, kind, hours) of each line filled in."""
        found = []
        for n in range(1, LINES + 1):
            person, kind = self[f"person_{n}"].data, self[f"kind_{n}"].data
            hours = self[f"hours_{n}"].data
            if person or hours is not None:
                found.append((person or "", kind or "", hours, n))
        return found


InvoiceForm = type(
    "InvoiceForm",
    (_InvoiceForm,),
    {name: field for n in range(1, LINES + 1) for name, field in _line_fields(n).items()},
)


class InvoiceUploadForm(BaseForm):
    workbook = FileField(
        "Upload your filled-in invoice spreadsheet",
        widget=GovFileInput(),
        description="The council's invoice template, saved as .xlsx",
        validators=[InputRequired("Choose the spreadsheet to upload")],
    )
    upload = SubmitField("Upload and send", widget=GovSubmitInput())


class LineDecisionForm(BaseForm):
    decision = RadioField(
        "Release or refuse this line?",
        widget=GovRadioInput(),
        choices=choices(
            [("release", "Release it: it is paid"), ("refuse", "Refuse it: it is not paid")]
        ),
        validators=[InputRequired("Choose whether to release or refuse the line")],
    )
    note = TextAreaField(
        "Why",
        widget=GovTextArea(),
        validators=[InputRequired("Say why"), Length(max=500)],
    )
    decide = SubmitField("Record the decision", widget=GovSubmitInput())


class RejectForm(BaseForm):
    note = TextAreaField(
        "Why is the invoice rejected?",
        widget=GovTextArea(),
        validators=[InputRequired("Say why the invoice is rejected"), Length(max=500)],
    )
    reject = SubmitField("Reject the invoice", widget=GovSubmitInput())


class ChangeRequestForm(BaseForm):
    subject = StringField(
        "What should be corrected?",
        widget=GovTextInput(),
        validators=[InputRequired("Say what should be corrected"), Length(max=200)],
    )
    amount = MoneyField(
        "Amount to correct by (optional)",
        allow_negative=True,
        description="In pounds: owed to the provider, or with a minus sign owed by it",
        validators=[Optional()],
    )
    message = TextAreaField(
        "Explain the correction",
        widget=GovTextArea(),
        validators=[InputRequired("Explain the correction"), Length(max=5000)],
    )
    send = SubmitField("Ask for the correction", widget=GovSubmitInput())


class ReplyForm(BaseForm):
    message = TextAreaField(
        "Your message",
        widget=GovTextArea(),
        validators=[InputRequired("Write your message"), Length(max=5000)],
    )
    send = SubmitField("Send the message", widget=GovSubmitInput())


class ChangeDecisionForm(BaseForm):
    decision = RadioField(
        "Agree or refuse the correction?",
        widget=GovRadioInput(),
        choices=choices([("agree", "Agree it: pay it in the next run"), ("refuse", "Refuse it")]),
        validators=[InputRequired("Choose whether to agree or refuse the correction")],
    )
    amount = MoneyField(
        "Amount agreed",
        allow_negative=True,
        description="Owed to the provider, or with a minus sign owed by it",
        validators=[Optional()],
    )
    note = TextAreaField(
        "Why", widget=GovTextArea(), validators=[InputRequired("Say why"), Length(max=500)]
    )
    decide = SubmitField("Record the decision", widget=GovSubmitInput())
