"""The report pages' filters: plain GET forms (no CSRF), each field checked."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length, ValidationError

from ..core.forms import BaseForm, DateField


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    action = StringField(
        "Action",
        widget=GovTextInput(),
        description="For example account.bank_details_changed",
        validators=[Length(max=64)],
    )
    actor = StringField("Changed by (email)", widget=GovTextInput(), validators=[Length(max=254)])
    account = StringField(
        "Account reference",
        widget=GovTextInput(),
        description="For example DP000123",
        validators=[Length(max=20)],
    )
    date_from = DateField("From")
    date_to = DateField("To")
    submit = SubmitField("Filter", widget=GovSubmitInput())


class ReminderReportForm(BaseForm):
    class Meta:
        csrf = False

    date_from = DateField("From", description="Returns due and letters dated from this day")
    date_to = DateField("To", description="For example 31 3 2027")
    submit = SubmitField("Show", widget=GovSubmitInput())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The to date must be the same as or after the from date")
