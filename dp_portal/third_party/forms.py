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
    choice_values,
    choices,
    optional_int,
)
from .models import Mandate, OrganisationKind


class OrganisationForm(BaseForm):
    name = StringField(
        "Organisation name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the organisation's name"), Length(max=160)],
    )
    kind = RadioField(
        "What kind of organisation is it?",
        widget=GovRadioInput(),
        choices=choices((k.value, k.label) for k in OrganisationKind),
        validators=[InputRequired("Choose what kind of organisation it is")],
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
    address_line_1 = StringField(
        "Address (optional)", widget=GovTextInput(), validators=[Length(max=120)]
    )
    town = StringField(
        "Town or city (optional)", widget=GovTextInput(), validators=[Length(max=80)]
    )
    postcode = PostcodeField("Postcode (optional)")
    submit = SubmitField("Save", widget=GovSubmitInput())


class MandateForm(BaseForm):
    organisation_id = SelectField(
        "Organisation", widget=GovSelect(), coerce=optional_int, choices=[], validate_choice=False
    )
    scope = RadioField(
        "What may the organisation do?",
        widget=GovRadioInput(),
        choices=choices(Mandate.SCOPE_LABELS.items()),
        validators=[InputRequired("Choose what the organisation may do")],
    )
    starts_on = DateField("Start date", validators=[InputRequired("Enter the start date")])
    ends_on = DateField("End date (optional)")
    consent_recorded_on = DateField(
        "Date the person's consent was recorded",
        description="Under regulation 5, a third party is paid only at the person's request",
        validators=[
            InputRequired("Enter the date consent was recorded"),
            NoFutureDate("The consent date must be today or in the past"),
        ],
    )
    submit = SubmitField("Add mandate", widget=GovSubmitInput())

    def validate_organisation_id(self, field):
        if field.data not in choice_values(field) - {None}:
            raise ValidationError("Choose the organisation")

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("End date must be the same as or after the start date")
