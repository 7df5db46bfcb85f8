"""The administrator's forms: calendar overrides, bank-checking tables and users."""

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
from wtforms.validators import Email, InputRequired, Length, ValidationError

from ..auth.models import Role
from ..core.forms import BaseForm, DateField, choice_values, choices, optional_int

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class OverrideForm(BaseForm):
    day = DateField("Date", validators=[InputRequired("Enter the date")])
    region = RadioField(
        "Which calendar?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("scotland", "Council working days (letters and due dates)"),
                ("bacs", "Bacs processing days (pay dates)"),
            ]
        ),
        validators=[InputRequired("Choose which calendar")],
    )
    kind = RadioField(
        "What changes?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("closed", "The council is closed that day (a local holiday)"),
                ("open", "It is a working day despite being a bank holiday"),
            ]
        ),
        validators=[InputRequired("Choose what changes")],
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the reason, like 'Local holiday'"), Length(max=200)],
    )
    submit = SubmitField("Add to the calendar", widget=GovSubmitInput())


class ModulusUploadForm(BaseForm):
    label = StringField(
        "Version",
        widget=GovTextInput(),
        description="As Pay.UK names it, for example 'valacdos v8.10, valid from 2 March 2026'",
        validators=[InputRequired("Enter the version of the table"), Length(max=120)],
    )
    valacdos = FileField(
        "Weight table (valacdos.txt)",
        widget=GovFileInput(),
        validators=[InputRequired("Choose the weight table file")],
    )
    scsubtab = FileField(
        "Sort code substitution table (scsubtab.txt), optional", widget=GovFileInput()
    )
    submit = SubmitField("Upload and use this table", widget=GovSubmitInput())


class InviteForm(BaseForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's full name"), Length(max=120)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter an email address"),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254),
        ],
    )
    role = SelectField(
        "Role",
        widget=GovSelect(),
        choices=choices(ROLE_CHOICES),
        validators=[InputRequired("Choose a role")],
    )
    organisation_id = SelectField(
        "Organisation (organisation and provider staff only)",
        widget=GovSelect(),
        coerce=optional_int,
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def validate_organisation_id(self, field):
        organisation_roles = (Role.BROKERAGE_STAFF, Role.PROVIDER_STAFF)
        if self.role.data in organisation_roles and field.data not in choice_values(field) - {None}:
            raise ValidationError("Choose the organisation this person works for")


class EditUserForm(BaseForm):
    role = SelectField("Role", widget=GovSelect(), choices=choices(ROLE_CHOICES))
    organisation_id = SelectField(
        "Organisation (organisation and provider staff only)",
        widget=GovSelect(),
        coerce=optional_int,
        choices=[],
        validate_choice=False,
    )
    is_enabled = BooleanField("This user can sign in", widget=GovCheckboxInput())
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    validate_organisation_id = InviteForm.validate_organisation_id
