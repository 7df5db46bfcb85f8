"""Forms for the handbook: search (a GET form anyone can bookmark), and for administrators a
section's draft, a new section and publishing."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..core.forms import BaseForm, DateField, choices
from .handbook import MAX_QUERY
from .models import Stage


class SearchForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(
        "Search the handbook",
        widget=GovTextInput(),
        validators=[Length(max=MAX_QUERY, message=f"Search for {MAX_QUERY} characters or fewer")],
    )


class DraftForm(BaseForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a title"), Length(max=120)],
    )
    summary = TextAreaField(
        "Summary",
        widget=GovTextArea(),
        description="One or two short sentences. Readers see them in the contents and in "
        "search results.",
        validators=[InputRequired("Enter a summary"), Length(max=300)],
    )
    body = TextAreaField(
        "Text",
        widget=GovTextArea(),
        description="Write in Markdown: ## for a heading, - for a list item, "
        "[words](/employers/calculator) for a link. HTML is shown as text, and pictures only "
        "show if they are in the portal's /static/ folder.",
        validators=[InputRequired("Enter the text of the section"), Length(max=50_000)],
    )
    change_note = TextAreaField(
        "What changed",
        widget=GovTextArea(),
        description="Readers see this on the 'What changed recently' page.",
        validators=[InputRequired("Say what changed, for readers"), Length(max=300)],
    )
    submit = SubmitField("Save and preview", widget=GovSubmitInput())


class NewSectionForm(DraftForm):
    stage = RadioField(
        "Which part of the handbook is it in?",
        widget=GovRadioInput(),
        choices=choices([(stage.value, stage.label) for stage in Stage]),
        validators=[InputRequired("Choose the part of the handbook")],
    )
    slug = StringField(
        "Web address",
        widget=GovTextInput(),
        description="Lower-case words joined by hyphens, like paying-your-pa. Leave it blank "
        "to make one from the title.",
        validators=[Optional(), Length(max=80)],
    )
    field_order = ("stage", "title", "slug", "summary", "body", "change_note")


class PublishForm(BaseForm):
    when = RadioField(
        "When should readers see it?",
        widget=GovRadioInput(),
        choices=choices([("now", "Now"), ("later", "From a later date")]),
        validators=[InputRequired("Choose when readers should see it")],
    )
    publish_on = DateField(
        "Date readers see it from",
        description="Only if you chose a later date. For example, 6 4 2027",
    )
    submit = SubmitField("Publish", widget=GovSubmitInput())

    def validate_publish_on(self, field):
        if self.when.data == "later" and field.data is None and not field.errors:
            raise ValidationError("Enter the date readers should see it from")
