"""The monitoring pages' forms: the return (typed in or uploaded), evidence, review, the queue
filter, tiers, the reminder timetable and escalation decisions."""

from flask import request
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core.forms import BaseForm, DateField, MoneyField, choices, optional_int
from .models import Conversation, Evidence
from .periods import Tier
from .reconcile import SPENDING


def _money(label, description=None, *, overdrawn=False):
    return MoneyField(
        label, description=description, validators=[Optional()], allow_negative=overdrawn
    )


class ReturnForm(BaseForm):
    opening = _money(
        "Balance at the start of the period", "We fill this in from your last accepted return"
    )
    council_payments = _money(
        "Payments from the council", "We fill this in from what we paid in the period"
    )
    contributions = _money("Your own contributions paid in")
    other_income = _money("Any other money paid in", "For example, a refund")
    spend_pa_wages = _money("Personal assistant wages")
    spend_hmrc = _money("HMRC PAYE and National Insurance")
    spend_pension = _money("Pension contributions")
    spend_provider_invoices = _money("Agency or provider invoices")
    spend_insurance = _money("Insurance")
    spend_payroll = _money("Payroll service")
    spend_other_agreed = _money("Other agreed items")
    spend_bank_charges = _money("Bank charges")
    closing = _money(
        "Balance at the end of the period",
        "If overdrawn, put a minus sign, like -20.00",
        overdrawn=True,
    )
    bank_balance = _money("Closing balance on the bank statement", overdrawn=True)
    wages_owed = _money("Wages still owed at the end of the period")
    hmrc_due = _money("HMRC or pension payments still due")
    explanation = TextAreaField(
        "Anything we should know (optional)",
        widget=GovTextArea(),
        description="For example, why the balance is high, or money saved for a planned use",
        validators=[Length(max=2000)],
    )
    save = SubmitField("Save and check", widget=GovSubmitInput())
    send = SubmitField("Send the return", widget=GovSubmitInput())


SPEND_FIELDS = [f"spend_{key}" for key, _ in SPENDING]


class QueryForm(BaseForm):
    message = TextAreaField(
        "Your question",
        widget=GovTextArea(),
        description="Plain English: what you need, and why",
        validators=[InputRequired("Enter your question"), Length(max=2000)],
    )
    submit = SubmitField("Send the question", widget=GovSubmitInput())


class TierForm(BaseForm):
    tier = RadioField(
        "How often should this account send returns?",
        widget=GovRadioInput(),
        choices=choices((t.value, t.label) for t in Tier),
        validators=[InputRequired("Choose how often")],
    )
    effective_from = DateField("From", validators=[InputRequired("Enter the date it starts")])
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the reason"), Length(max=300)],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class QueueFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=choices(
            [("submitted", "Waiting for review"), ("queried", "Queried"), ("accepted", "Accepted")]
        ),
        validate_choice=False,
    )
    age = SelectField(
        "Waiting",
        widget=GovSelect(),
        coerce=optional_int,
        choices=choices(
            [("", "Any time"), ("14", "More than 2 weeks"), ("28", "More than 4 weeks")]
        ),
        validate_choice=False,
    )
    locality = StringField("Locality", widget=GovTextInput(), validators=[Length(max=60)])
    organisation = SelectField(
        "Managed by", widget=GovSelect(), coerce=optional_int, choices=[], validate_choice=False
    )
    flagged = SelectField(
        "Flags",
        widget=GovSelect(),
        choices=choices([("", "Any"), ("clean", "No flags"), ("flagged", "With flags")]),
        validate_choice=False,
    )


class ConversationForm(BaseForm):
    held_on = DateField(
        "When did you talk?", validators=[InputRequired("Enter the date of the conversation")]
    )
    with_whom = TextAreaField(
        "Who took part?",
        widget=GovTextArea(),
        description="For example: the person, their daughter, and their social worker",
        validators=[InputRequired("Enter who took part"), Length(max=300)],
    )
    reasons = TextAreaField(
        "Reasons the person gave for the underspend",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the reasons they gave"), Length(max=2000)],
    )
    outcome = RadioField(
        "What was agreed?",
        widget=GovRadioInput(),
        choices=choices(Conversation.OUTCOMES.items()),
        validators=[InputRequired("Choose what was agreed")],
    )
    record = SubmitField("Record the conversation", widget=GovSubmitInput())


class RecoveryForm(BaseForm):
    amount = MoneyField(
        "Amount to recover", validators=[InputRequired("Enter the amount to recover")]
    )
    method = RadioField(
        "How?",
        widget=GovRadioInput(),
        choices=choices(
            [("offset", "Take it from the next payments"), ("invoice", "Send an invoice")]
        ),
        validators=[InputRequired("Choose how to recover it")],
    )
    reason = TextAreaField(
        "Reason, for the letter",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the reason"), Length(max=500)],
    )
    raise_recovery = SubmitField("Raise the recovery", widget=GovSubmitInput())


class UploadForm(BaseForm):
    workbook = FileField(
        "Upload a filled-in return spreadsheet",
        widget=GovFileInput(),
        description="The template for this period, saved as .xlsx",
        validators=[InputRequired("Choose the spreadsheet to upload")],
    )
    upload = SubmitField("Upload and check", widget=GovSubmitInput())
    problems: list[str] = []

    def show_problems(self, problems: list[str]) -> None:
        """Every problem the spreadsheet has goes in the error summary; the field itself
        says how many there are."""
        self.problems = problems
        self.workbook.errors = (
            problems
            if len(problems) == 1
            else [
                f"The spreadsheet has {len(problems)} problems, listed at the top of the page. "
                "Put them all right, save it and upload it again"
            ]
        )

    def problem_list(self) -> list[dict[str, str]]:
        """The error summary's items: each problem, each linking to the file input."""
        if len(self.problems) < 2:
            return self.error_list()
        return [{"text": problem, "href": f"#{self.workbook.id}"} for problem in self.problems]


class EvidenceForm(BaseForm):
    kind = SelectField(
        "What is it?",
        widget=GovSelect(),
        choices=choices(Evidence.KINDS.items()),
        validators=[InputRequired("Choose what the file is")],
    )
    file = FileField(
        "Choose the file",
        widget=GovFileInput(),
        description="A PDF, a photo (JPEG or PNG), a spreadsheet or a CSV file, smaller than 10 MB",
        validators=[InputRequired("Choose the file to upload")],
    )
    add = SubmitField("Add the file", widget=GovSubmitInput())


class TimetableForm(BaseForm):
    first = IntegerField(
        "First reminder: days after the due date",
        widget=GovTextInput(),
        default=7,
        validators=[InputRequired("Enter the days for the first reminder"), NumberRange(1, 365)],
    )
    second = IntegerField(
        "Second reminder: days after the due date",
        widget=GovTextInput(),
        default=21,
        validators=[InputRequired("Enter the days for the second reminder"), NumberRange(1, 365)],
    )
    final = IntegerField(
        "Final reminder: days after the due date",
        widget=GovTextInput(),
        default=35,
        validators=[InputRequired("Enter the days for the final reminder"), NumberRange(1, 365)],
    )
    escalation = IntegerField(
        "Review of the account: days after the due date",
        widget=GovTextInput(),
        default=49,
        validators=[InputRequired("Enter the days for the review"), NumberRange(1, 365)],
    )
    working_days = RadioField(
        "Count",
        widget=GovRadioInput(),
        default="0",
        choices=choices([("0", "Calendar days"), ("1", "Working days (Scottish bank holidays)")]),
        validators=[InputRequired("Choose how days are counted")],
    )
    effective_from = DateField("From", validators=[InputRequired("Enter the date it applies from")])
    note = TextAreaField(
        "What changed, and who agreed it",
        widget=GovTextArea(),
        validators=[InputRequired("Enter what changed and who agreed it"), Length(max=500)],
    )
    submit = SubmitField("Publish the timetable", widget=GovSubmitInput())


class EscalationDecisionForm(BaseForm):
    decision = RadioField(
        "What do you want to do?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("suspend", "Suspend payments until the return arrives"),
                ("keep", "Keep paying and close this task"),
            ]
        ),
        validators=[InputRequired("Choose whether to suspend payments")],
    )
    reason = TextAreaField(
        "Why?",
        widget=GovTextArea(),
        description="Say what you took into account, for example talking to the social worker. "
        "If you suspend, the person's letter does not quote this.",
        validators=[InputRequired("Say why"), Length(max=2000)],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class ReinstateForm(BaseForm):
    note = TextAreaField(
        "Why are you reinstating payments?",
        widget=GovTextArea(),
        description="For example: return received and accepted",
        validators=[InputRequired("Say why you are reinstating payments"), Length(max=2000)],
    )
    submit = SubmitField("Reinstate payments", widget=GovSubmitInput())


class EscalationFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Show",
        widget=GovSelect(),
        choices=choices(
            [
                ("open", "Waiting for a decision"),
                ("suspended", "Payments suspended"),
                ("closed", "Closed"),
                ("all", "All"),
            ]
        ),
        default="open",
    )


class AcceptForm(BaseForm):
    note = TextAreaField(
        "What did you check? (needed when the return has flags)",
        widget=GovTextArea(),
        validators=[Length(max=1000)],
    )
    submit = SubmitField("Accept the return", widget=GovSubmitInput())


class AcceptListedForm(BaseForm):
    """The ids of the returns listed on the confirmation page: the officer accepts what they
    saw, never whatever happens to be clean when the button is pressed."""

    submit = SubmitField("Accept these returns", widget=GovSubmitInput())

    def return_ids(self) -> list[int]:
        return [int(v) for v in request.form.getlist("return_id") if v.isdigit()]
