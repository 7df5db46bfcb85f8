from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from ..core.forms import BaseForm
from .services import password_problem


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
