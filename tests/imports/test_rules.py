"""The pure rules of an import: what a sheet holds, which field a heading is, and a cell read
as text, as a spreadsheet shows it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dp_portal.imports.fields import BY_NAME, Kind, guess_field, guess_kind
from dp_portal.imports.values import ValueProblem, cell_text, choice, date_parts


@pytest.mark.parametrize(
    "name, kind",
    [
        ("People", Kind.PEOPLE),
        ("service users.csv", Kind.PEOPLE),
        ("Representatives", Kind.REPRESENTATIVES),
        ("Accounts", Kind.ACCOUNTS),
        ("Bank details", Kind.BANK_DETAILS),
        ("budgets-2026.csv", Kind.BUDGETS),
        ("Notes", None),
    ],
)
def test_a_sheet_is_guessed_from_its_name(name, kind):
    assert guess_kind(name) == kind


@pytest.mark.parametrize(
    "kind, heading, field",
    [
        (Kind.PEOPLE, "Client ID", "client_reference"),
        (Kind.PEOPLE, "D.O.B.", "date_of_birth"),
        (Kind.PEOPLE, "Surname", "last_name"),
        (Kind.BANK_DETAILS, "Account Number", "account_number"),
        (Kind.BANK_DETAILS, "Service ref", "account_reference"),
        (Kind.BUDGETS, "PA hours", "pa_hours"),
        (Kind.PEOPLE, "Favourite colour", None),
    ],
)
def test_a_column_is_guessed_from_its_heading(kind, heading, field):
    assert guess_field(kind, heading) == field


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (12.5, "12.5"),
        (733445.0, "733445"),
        (datetime(1950, 3, 27, tzinfo=UTC).replace(tzinfo=None), "1950-03-27"),
        (" SW1 ", "SW1"),
        (True, "TRUE"),
    ],
)
def test_a_cell_reads_as_the_text_a_person_sees(value, text):
    assert cell_text(value) == text


def test_dates_and_choices_say_what_is_wrong():
    dob = BY_NAME[Kind.PEOPLE]["date_of_birth"]
    assert date_parts(dob, "27 Mar 1950") == ["27", "3", "1950"]
    with pytest.raises(ValueProblem, match="date of birth 31/02/1950 is not a real date"):
        date_parts(dob, "31/02/1950")
    with pytest.raises(ValueProblem, match="is not a date we can read"):
        date_parts(dob, "next Tuesday")
    letters = BY_NAME[Kind.PEOPLE]["letter_format"]
    assert choice(letters, "Large Print") == "large_print"
    with pytest.raises(ValueProblem, match="use standard, large print or easy read"):
        choice(letters, "Braille")
