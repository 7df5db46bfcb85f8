from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
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
    """A mandate and the person's consent to it (reg. 5: a third party acts, and is paid,
    only at the person's request)."""

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
    consent_method = RadioField(
        "How did the person give their consent?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("signed_form", "On a signed form (upload it below)"),
                ("on_screen", "The person will confirm it on screen, signed in to their account"),
            ]
        ),
        validators=[InputRequired("Choose how consent was given")],
    )
    consent_given_by = SelectField(
        "Who signed the form?",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        description="The person, or a representative who may act for them",
    )
    consent_recorded_on = DateField(
        "Date the form was signed",
        validators=[NoFutureDate("The date the form was signed must be today or in the past")],
    )
    consent_form = FileField(
        "The signed consent form",
        widget=GovFileInput(),
        description="A PDF or a photo (JPEG or PNG), smaller than 10 MB",
    )
    letters_to_organisation = RadioField(
        "Who should get letters and reminders while the organisation manages the money?",
        widget=GovRadioInput(),
        choices=choices([("yes", "The organisation"), ("no", "Whoever gets them now")]),
        default="yes",
        validators=[InputRequired("Choose who should get letters")],
    )
    submit = SubmitField("Add mandate", widget=GovSubmitInput())

    def validate_organisation_id(self, field):
        if field.data not in choice_values(field) - {None}:
            raise ValidationError("Choose the organisation")

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("End date must be the same as or after the start date")

    def validate_consent_given_by(self, field):
        if self.consent_method.data == "signed_form" and field.data not in choice_values(field):
            raise ValidationError("Choose who signed the consent form")

    def validate_consent_recorded_on(self, field):
        if self.consent_method.data == "signed_form" and field.data is None and not field.errors:
            raise ValidationError("Enter the date the form was signed")

    def validate_consent_form(self, field):
        data = field.data
        if self.consent_method.data == "signed_form" and not getattr(data, "filename", ""):
            raise ValidationError("Choose the signed consent form to upload")


class ConsentForm(BaseForm):
    """The person's own confirmation, signed in to their account."""

    agree = BooleanField(
        "I agree that this organisation may act for me as described above",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Tick the box to say you agree, or close this page")],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())
