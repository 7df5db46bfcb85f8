from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from ..core.forms import BaseForm, choice_values, choices, optional_int
from .models import Role
from .services import password_problem

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class SignInForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=256)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class NewPasswordMixin:
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 12 characters. A few unrelated words make a good password.",
        validators=[InputRequired("Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("new_password", "The passwords do not match: enter the same password twice"),
        ],
    )

    email_for_check = ""

    def validate_new_password(self, field):
        problem = password_problem(field.data or "", email=self.email_for_check)
        if problem:
            raise ValidationError(problem)


class SetPasswordForm(NewPasswordMixin, BaseForm):
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ResetRequestForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


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
        "Organisation (brokerage or money management staff only)",
        widget=GovSelect(),
        coerce=optional_int,
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def validate_organisation_id(self, field):
        if self.role.data == Role.BROKERAGE_STAFF and field.data not in choice_values(field) - {
            None
        }:
            raise ValidationError("Choose the organisation this person works for")


class EditUserForm(BaseForm):
    role = SelectField("Role", widget=GovSelect(), choices=choices(ROLE_CHOICES))
    organisation_id = SelectField(
        "Organisation (brokerage or money management staff only)",
        widget=GovSelect(),
        coerce=optional_int,
        choices=[],
        validate_choice=False,
    )
    is_enabled = BooleanField("This user can sign in", widget=GovCheckboxInput())
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    validate_organisation_id = InviteForm.validate_organisation_id
