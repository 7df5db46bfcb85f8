import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..core.forms import (
    BaseForm,
    DateField,
    NoFutureDate,
    PostcodeField,
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
