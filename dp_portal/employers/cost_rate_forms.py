from decimal import Decimal, InvalidOperation

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from ..core.forms import BaseForm, DateField, choices
from .cost_rate_services import LABELS


class CostRateForm(BaseForm):
    kind = RadioField(
        "Which figure?",
        widget=GovRadioInput(),
        choices=choices(
            (kind.value, f"{label} ({hint})") for kind, (label, hint) in LABELS.items()
        ),
        validators=[InputRequired("Choose which figure you are adding")],
    )
    effective_from = DateField(
        "From",
        description="The first day of the tax year it applies to, for example 6 4 2027",
        validators=[InputRequired("Enter the date it applies from")],
    )
    value = StringField(
        "Figure",
        widget=GovTextInput(),
        description="Pounds (like 96.00) or a percentage (like 15), as the list above says",
        validators=[InputRequired("Enter the figure"), Length(max=20)],
    )
    source_note = StringField(
        "Source",
        widget=GovTextInput(),
        description="Where it comes from, like 'HMRC rates and thresholds for employers 2027 "
        "to 2028'",
        validators=[InputRequired("Enter where the figure comes from"), Length(max=300)],
    )
    submit = SubmitField("Add the figure", widget=GovSubmitInput())

    def validate_value(self, field):
        try:
            value = Decimal((field.data or "").replace("£", "").replace("%", "").replace(",", ""))
        except InvalidOperation as exc:
            raise ValidationError("Enter a number, like 96.00 or 15") from exc
        if not value.is_finite() or value > 10_000_000:
            raise ValidationError("Enter a number, like 96.00 or 15")
        field.decimal = value
