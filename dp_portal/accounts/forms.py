import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..core.forms import (
    AccountNumberField,
    BaseForm,
    DateField,
    NoFutureDate,
    PostcodeField,
    SortCodeField,
    choices,
)
from .models import SDS_OPTION_LABELS, LetterFormat, Representative

LETTER_FORMATS = choices((f.value, f.label) for f in LetterFormat)


def _text(label, *, required=None, max_length=120, description=None):
    validators = [InputRequired(required)] if required else [Optional()]
    validators.append(
        Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")
    )
    return StringField(label, widget=GovTextInput(), validators=validators, description=description)


class AddressMixin:
    address_line_1 = _text("Address line 1", required="Enter the first line of the address")
    address_line_2 = _text("Address line 2 (optional)")
    town = _text("Town or city", required="Enter the town or city", max_length=80)
    postcode = PostcodeField("Postcode", validators=[InputRequired("Enter the postcode")])
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254),
        ],
    )
    phone = _text("Phone number (optional)", max_length=40)
    letter_format = RadioField(
        "How should letters be written?",
        widget=GovRadioInput(),
        choices=LETTER_FORMATS,
        default="standard",
        validators=[InputRequired("Choose how letters should be written")],
    )

    def validate_phone(self, field):
        if field.data and not re.fullmatch(r"\+?[\d ()-]{7,20}", field.data):
            raise ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")


ADDRESS_ORDER = (
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "email",
    "phone",
    "letter_format",
)


class PersonForm(AddressMixin, BaseForm):
    field_order = (
        "client_reference",
        "title",
        "first_name",
        "last_name",
        "date_of_birth",
        *ADDRESS_ORDER,
    )
    client_reference = _text(
        "Council client reference",
        required="Enter the client reference from the social work record",
        max_length=20,
        description="From the social work case record, for example SW123456",
    )
    title = _text("Title (optional)", max_length=20)
    first_name = _text("First name", required="Enter the person's first name", max_length=80)
    last_name = _text("Last name", required="Enter the person's last name", max_length=80)
    date_of_birth = DateField(
        "Date of birth (optional)",
        description="For example, 27 3 1950",
        validators=[NoFutureDate("Date of birth must be in the past")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_client_reference(self, field):
        if field.data and not re.fullmatch(r"[A-Za-z0-9/-]{2,20}", field.data):
            raise ValidationError("Client reference must be letters, numbers, / or -")


class AccountForm(BaseForm):
    sds_option = RadioField(
        "Self-directed Support option",
        widget=GovRadioInput(),
        choices=choices(SDS_OPTION_LABELS.items()),
        coerce=int,
        validators=[InputRequired("Choose the Self-directed Support option")],
    )
    start_date = DateField(
        "Start date",
        description="The first day the direct payment covers, for example 6 4 2026",
        validators=[InputRequired("Enter the start date")],
    )
    end_date = DateField(
        "End date (optional)", description="Leave blank if the arrangement has no planned end"
    )
    locality = _text("Locality (optional)", max_length=60, description="The team or area")
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices([("active", "Active"), ("suspended", "Suspended"), ("closed", "Closed")]),
        default="active",
        validators=[InputRequired("Choose the account's status")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("End date must be the same as or after the start date")


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


class CorrespondentForm(BaseForm):
    correspondent = RadioField(
        "Who should receive letters about this account?",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired("Choose who should receive letters")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class RepresentativeForm(AddressMixin, BaseForm):
    field_order = ("full_name", "relationship_to_person", *ADDRESS_ORDER)
    full_name = _text("Full name", required="Enter the representative's full name")
    relationship_to_person = RadioField(
        "Relationship to the supported person",
        widget=GovRadioInput(),
        choices=choices(Representative.RELATIONSHIPS.items()),
        validators=[InputRequired("Choose the relationship")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class AccessForm(BaseForm):
    email = StringField(
        "Email address of the user",
        widget=GovTextInput(),
        description="They must already have a portal user with the role 'Supported person or "
        "representative'. An administrator can invite them.",
        validators=[InputRequired("Enter the user's email address"), Length(max=254)],
    )
    capacity = RadioField(
        "They are",
        widget=GovRadioInput(),
        choices=choices(
            [("person", "The supported person"), ("representative", "A representative")]
        ),
        validators=[InputRequired("Choose whether they are the person or a representative")],
    )
    submit = SubmitField("Give access", widget=GovSubmitInput())


class SearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(
        "Search by name or reference", widget=GovTextInput(), validators=[Length(max=100)]
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=choices(
            [
                ("", "Any status"),
                ("active", "Active"),
                ("suspended", "Suspended"),
                ("closed", "Closed"),
            ]
        ),
        validate_choice=False,
    )
