"""Forms for the Charter Mark. The answers, review and criteria forms have one group of
fields per criterion, so they are built for the criteria of the version in hand."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ..core.forms import BaseForm, MoneyField, choices
from .charter_criteria import CriterionText
from .charter_rules import Decision, Finding
from .models import CharterTier

DISPLAY_NAME_HINT = (
    "Anyone who checks your Charter Mark number sees this name, and nothing else about you. "
    "Use a name you are happy for PAs to see, like 'M. Brown, Glenarden'"
)


class ApplyForm(BaseForm):
    tier = RadioField(
        "Which do you want to apply for?",
        widget=GovRadioInput(),
        choices=choices(
            [
                (CharterTier.SUPPORTER.value, "Supporter: I commit to the criteria"),
                (
                    CharterTier.HOLDER.value,
                    "Charter Mark holder: I will answer each criterion, with evidence if I "
                    "have it, and the council will check",
                ),
            ]
        ),
        validators=[InputRequired("Choose Supporter or Charter Mark holder")],
    )
    display_name = StringField(
        "The name to show when someone checks your Charter Mark",
        widget=GovTextInput(),
        description=DISPLAY_NAME_HINT,
        validators=[
            InputRequired("Enter the name to show"),
            Length(min=2, max=80, message="The name must be 2 to 80 characters"),
            Regexp(r"^[^<>{}\\]*$", message="The name cannot contain < > { } or \\"),
        ],
    )
    declaration = BooleanField(
        "I commit to meeting the Charter Mark criteria, and I will tell the council if I "
        "stop meeting them",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Tick the box to commit to the criteria")],
    )
    submit = SubmitField("Apply", widget=GovSubmitInput())


def answers_form(criteria, editable: set[str]) -> BaseForm:
    """A text box and an optional file for each criterion the applicant may answer now."""

    class AnswersForm(BaseForm):
        save = SubmitField("Save my answers", widget=GovSubmitInput())
        send = SubmitField("Save and send for review", widget=GovSubmitInput())

    for criterion in criteria:
        if criterion.key not in editable:
            continue
        setattr(
            AnswersForm,
            f"answer_{criterion.key}",
            TextAreaField(
                criterion.title,
                widget=GovTextArea(),
                description="How you meet this. " + (criterion.evidence_hint or ""),
                validators=[Length(max=3000, message="Keep the answer to 3,000 characters")],
            ),
        )
        setattr(
            AnswersForm,
            f"evidence_{criterion.key}",
            FileField(
                f"Evidence for: {criterion.title} (optional)",
                widget=GovFileInput(),
                description="A PDF, a photo (JPEG or PNG), a spreadsheet or a CSV file, "
                "smaller than 10 MB",
            ),
        )
    return AnswersForm()


FINDINGS = choices((f.value, f.label) for f in Finding)
DECISIONS = choices(
    [
        (Decision.AWARD.value, "Award the Charter Mark (every criterion is met)"),
        (Decision.MORE_INFO.value, "Ask the applicant for more information"),
        (Decision.DECLINE.value, "Decline, with the reasons given for each criterion not met"),
    ]
)


def review_form(criteria) -> BaseForm:
    """A finding and a message for each criterion, then the decision."""

    class ReviewForm(BaseForm):
        pass

    order = []
    for criterion in criteria:
        setattr(
            ReviewForm,
            f"finding_{criterion.key}",
            RadioField(
                criterion.title,
                widget=GovRadioInput(),
                choices=FINDINGS,
                validate_choice=False,
            ),
        )
        setattr(
            ReviewForm,
            f"message_{criterion.key}",
            TextAreaField(
                f"What the applicant needs to know about: {criterion.title}",
                widget=GovTextArea(),
                description="Needed unless the criterion is met: the applicant reads it",
                validators=[Length(max=2000)],
            ),
        )
        order += [f"finding_{criterion.key}", f"message_{criterion.key}"]
    ReviewForm.decision = RadioField(
        "What happens next?",
        widget=GovRadioInput(),
        choices=DECISIONS,
        validators=[InputRequired("Choose what happens next")],
    )
    ReviewForm.note = TextAreaField(
        "A note for the record (optional)", widget=GovTextArea(), validators=[Length(max=1000)]
    )
    ReviewForm.submit = SubmitField("Record the review", widget=GovSubmitInput())
    ReviewForm.field_order = (*order, "decision", "note")
    return ReviewForm()


BLANK_ROWS = 3


def criteria_form(current: list[CriterionText]) -> BaseForm:
    """The current criteria, each to reword, move or remove, and blank rows to add new ones."""

    class CriteriaForm(BaseForm):
        pass

    order = []
    for n in range(1, len(current) + BLANK_ROWS + 1):
        existing = n <= len(current)
        fields = {
            "key": StringField(
                "Short name, used in links",
                widget=GovTextInput(),
                description="Lower-case letters, numbers and underscores, like sleepovers. "
                + ("It stays the same in every version." if existing else ""),
                validators=[Length(max=40)],
            ),
            "title": StringField("Criterion", widget=GovTextInput(), validators=[Length(max=160)]),
            "description": TextAreaField(
                "More detail (optional)", widget=GovTextArea(), validators=[Length(max=2000)]
            ),
            "hint": StringField(
                "Evidence that shows it (optional)",
                widget=GovTextInput(),
                validators=[Length(max=300)],
            ),
            "position": IntegerField(
                "Position in the list",
                widget=GovTextInput(),
                validators=[
                    Optional(),
                    NumberRange(min=1, max=999, message="Enter a position from 1 to 999"),
                ],
            ),
        }
        if existing:
            fields["remove"] = BooleanField("Remove this criterion", widget=GovCheckboxInput())
        for name, field in fields.items():
            setattr(CriteriaForm, f"{name}_{n}", field)
            order.append(f"{name}_{n}")
    CriteriaForm.note = TextAreaField(
        "What changed in this version",
        widget=GovTextArea(),
        description="Applicants and the handbook's readers see this note",
        validators=[InputRequired("Say what changed in this version"), Length(max=300)],
    )
    CriteriaForm.submit = SubmitField("Publish the new version", widget=GovSubmitInput())
    CriteriaForm.field_order = (*order, "note")
    CriteriaForm.rows = len(current) + BLANK_ROWS
    CriteriaForm.existing = len(current)
    return CriteriaForm()


def criteria_rows(form: BaseForm, existing: list[CriterionText]) -> list[CriterionText]:
    """The criteria as posted, in their new order: removed ones left out, blank new rows
    ignored, existing keys kept. A criterion given another row's position goes before it."""
    rows = []
    for n in range(1, form.rows + 1):
        if n <= len(existing) and form[f"remove_{n}"].data:
            continue
        key = existing[n - 1].key if n <= len(existing) else (form[f"key_{n}"].data or "")
        title = form[f"title_{n}"].data or ""
        if n > len(existing) and not (key or title):
            continue  # a blank row left blank
        position = form[f"position_{n}"].data or n
        text = CriterionText(
            key, title, form[f"description_{n}"].data or "", form[f"hint_{n}"].data or ""
        )
        rows.append((position, position == n, n, text))
    return [text for *_, text in sorted(rows)]


class MinimumForm(BaseForm):
    """The hourly figure the below-the-minimum report checks budgets against."""

    class Meta:
        csrf = False

    minimum = MoneyField(
        "Check against another hourly wage (optional)",
        description="For example, next year's minimum before it comes in, like 13.45",
        validators=[Optional()],
    )


class VerifyForm(BaseForm):
    class Meta:
        csrf = False

    number = StringField(
        "Charter Mark number",
        widget=GovTextInput(),
        description="It looks like CM-2026-0001",
        validators=[InputRequired("Enter the Charter Mark number"), Length(max=30)],
    )
