"""The import pages' forms: the upload, what each sheet holds, which field each column is,
and the buttons that apply, check again or cancel."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from ..core.bank_values import column_letter
from ..core.forms import BaseForm, choices
from .fields import FIELDS, Kind
from .mapping import IGNORE
from .models import ImportSheet

LEAVE_OUT = ""


class UploadForm(BaseForm):
    source = StringField(
        "Which system is the file from?",
        widget=GovTextInput(),
        description="For example Mosaic or CareFirst. The columns you choose are remembered "
        "for this system, for the next file from it",
        validators=[InputRequired("Enter the system the file is from"), Length(max=80)],
    )
    file = FileField(
        "Choose the file",
        widget=GovFileInput(),
        description="A CSV file, or an Excel workbook (.xlsx) with a sheet for each kind of "
        "record, smaller than 20 MB. The first row of each sheet must be the column headings",
        validators=[FileRequired("Choose the file to import")],
    )
    upload = SubmitField("Upload and choose the columns", widget=GovSubmitInput())


def _kind_choices(none_label: str) -> list:
    return choices([(LEAVE_OUT, none_label), *((k.value, k.label) for k in Kind)])


def sheets_form(sheets: list[ImportSheet], formdata=None) -> BaseForm:
    """A choice of what each sheet holds ("sheet-0", "sheet-1", …), guessed from its name.
    Sent by GET: choosing changes nothing until the columns are checked."""

    class SheetsForm(BaseForm):
        class Meta:
            csrf = False

        go = SubmitField("Continue to the columns", widget=GovSubmitInput())

    for sheet in sheets:
        field = SelectField(
            f"What does {sheet.name} hold?",
            widget=GovSelect(),
            description=f"{sheet.row_count:,} rows",
            choices=_kind_choices("Leave this sheet out"),
            default=sheet.kind or LEAVE_OUT,
        )
        setattr(SheetsForm, f"sheet-{sheet.position}", field)
    return SheetsForm(formdata=formdata)


def chosen_kinds(args, sheets: list[ImportSheet]) -> dict[int, Kind | None]:
    """What each sheet holds, from the sheets form's answers (anything else reads as
    "leave it out")."""
    found = {}
    for sheet in sheets:
        value = args.get(f"sheet-{sheet.position}", "")
        found[sheet.position] = Kind(value) if value in Kind._value2member_map_ else None
    return found


def columns_form(pages, formdata=None) -> BaseForm:
    """A field for each column of each chosen sheet ("column-0-3": sheet 0, column D)."""

    class ColumnsForm(BaseForm):
        check = SubmitField("Check the file", widget=GovSubmitInput())

    for page in pages:
        options = choices(
            [(IGNORE, "Leave this column out"), *((f.name, f.label) for f in FIELDS[page.kind])]
        )
        for index, heading in enumerate(page.sheet.headings):
            example = page.examples[index] if index < len(page.examples) else ""
            field = SelectField(
                f"Column {column_letter(index)}: {heading}",
                widget=GovSelect(),
                description=f"For example: {example}" if example else "Empty in the first rows",
                choices=options,
                default=page.chosen.get(index, IGNORE),
            )
            setattr(ColumnsForm, f"column-{page.sheet.position}-{index}", field)
    return ColumnsForm(formdata=formdata)


def chosen_columns(form: BaseForm, pages) -> dict[int, tuple[Kind, dict[int, str]]]:
    """Each chosen sheet's kind and {column index: field} (columns left out are not listed)."""
    found = {}
    for page in pages:
        fields = {}
        for index in range(len(page.sheet.headings)):
            value = form[f"column-{page.sheet.position}-{index}"].data
            if value and value != IGNORE:
                fields[index] = value
        found[page.sheet.position] = (page.kind, fields)
    return found


class ApplyForm(BaseForm):
    submit = SubmitField("Apply the import", widget=GovSubmitInput())


class CheckAgainForm(BaseForm):
    submit = SubmitField("Check it again", widget=GovSubmitInput())


class CancelForm(BaseForm):
    submit = SubmitField("Cancel this import", widget=GovSubmitInput())
