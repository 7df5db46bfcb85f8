"""Forms for importing a bank statement: the file, the columns (when the file does not say
which is which), and the category of each line."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from ..core.bank_statements import Columns
from ..core.bank_values import column_letter
from ..core.forms import BaseForm, choices
from .statements import Category

NONE = ""


class StatementForm(BaseForm):
    file = FileField(
        "Choose the statement file",
        widget=GovFileInput(),
        description=(
            "The statement you downloaded from your bank's website or app, saved as CSV, OFX "
            "or QFX, smaller than 5 MB"
        ),
        validators=[FileRequired("Choose the statement file to import")],
    )
    upload = SubmitField("Import the statement", widget=GovSubmitInput())


class ColumnsForm(BaseForm):
    """Which column is which, offered as the file's own columns with an example from each."""

    date = SelectField("Which column has the date?", widget=GovSelect(), validate_choice=False)
    description = SelectField(
        "Which column says what the payment was?", widget=GovSelect(), validate_choice=False
    )
    layout = RadioField(
        "How does the statement show money in and out?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("signed", "One column of amounts, with money out shown as a minus"),
                ("separate", "Separate columns for money paid in and money paid out"),
            ]
        ),
        validators=[InputRequired("Choose how the statement shows money in and out")],
    )
    amount = SelectField("Which column has the amount?", widget=GovSelect(), validate_choice=False)
    paid_in = SelectField(
        "Which column has money paid in?", widget=GovSelect(), validate_choice=False
    )
    paid_out = SelectField(
        "Which column has money paid out?", widget=GovSelect(), validate_choice=False
    )
    balance = SelectField(
        "Which column has the balance? (optional)", widget=GovSelect(), validate_choice=False
    )
    save = SubmitField("Import with these columns", widget=GovSubmitInput())

    def offer(self, preview: list[list[str]], width: int) -> None:
        """The columns to choose from: "Column C, for example 1234.56"."""
        options = []
        for index in range(width):
            example = next((row[index] for row in preview if index < len(row) and row[index]), "")
            label = f"Column {column_letter(index)}" + (
                f", for example {example}" if example else ""
            )
            options.append((str(index), label))
        for field in (self.date, self.description, self.amount, self.paid_in, self.paid_out):
            field.choices = choices([(NONE, "Choose a column"), *options])
        self.balance.choices = choices([(NONE, "There is no balance column"), *options])

    def columns(self) -> Columns | None:
        """The chosen columns, or None with each mistake on its field."""
        offered = {choice.value for choice in self.date.choices or []} - {NONE}
        chosen = {
            name: int(field.data) if field.data in offered else None
            for name, field in (
                ("date", self.date),
                ("description", self.description),
                ("amount", self.amount),
                ("paid_in", self.paid_in),
                ("paid_out", self.paid_out),
                ("balance", self.balance),
            )
        }
        needed = ["date", "description"]
        if self.layout.data == "signed":
            needed.append("amount")
            chosen["paid_in"] = chosen["paid_out"] = None
        else:
            chosen["amount"] = None
            if chosen["paid_in"] is None and chosen["paid_out"] is None:
                self.paid_in.errors = ["Choose the column of money paid in or paid out"]
        for name in needed:
            if chosen[name] is None:
                getattr(self, name).errors = [f"Choose the column for the {name}"]
        used = [value for value in chosen.values() if value is not None]
        if len(used) != len(set(used)):
            self.date.errors = ["Choose a different column for each thing"]
        if any(field.errors for field in self):
            return None
        return Columns(
            date=chosen["date"],  # type: ignore[arg-type]
            description=(chosen["description"],),  # type: ignore[arg-type]
            amount=chosen["amount"],
            paid_in=chosen["paid_in"],
            paid_out=chosen["paid_out"],
            balance=chosen["balance"],
        )


class LinesForm(BaseForm):
    """The lines' categories come as line-<id> fields (one per line on the page), read by
    lines_chosen; this form carries the buttons and the CSRF token."""

    save = SubmitField("Save the categories", widget=GovSubmitInput())
    fill = SubmitField("Put these lines into my return", widget=GovSubmitInput())


def lines_chosen(form_data) -> tuple[dict[int, str], list[str]]:
    """{line id: category} from the posted line-<id> fields, and any that are not a category."""
    chosen, wrong = {}, []
    valid = {category.value for category in Category}
    for name, value in form_data.items():
        if not name.startswith("line-"):
            continue
        number = name.removeprefix("line-")
        if not number.isdigit() or value not in valid:
            wrong.append(name)
            continue
        chosen[int(number)] = value
    return chosen, wrong
