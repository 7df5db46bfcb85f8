"""The employer checklist's tick form: the date it was done, a renewal date for the items
that have one, a note and an optional evidence file."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import BaseForm, DateField
from .checklist import NOTE_LENGTH


class TickForm(BaseForm):
    done_on = DateField(
        "Date it was done",
        description="For example, 27 3 2026",
        validators=[InputRequired("Enter the date it was done")],
    )
    renews_on = DateField(
        "Date it needs renewing",
        description="We remind you 30 days before. For example, 1 9 2027",
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        description="For example, the policy number or who you spoke to",
        validators=[
            Optional(),
            Length(max=NOTE_LENGTH, message="The note must be 500 characters or fewer"),
        ],
    )
    file = FileField(
        "Evidence (optional)",
        widget=GovFileInput(),
        description="A PDF, a photo (JPEG or PNG), a spreadsheet or a CSV file, smaller than 10 MB",
        validators=[Optional()],
    )
    save = SubmitField("Save", widget=GovSubmitInput())
