"""Cells as text, and text as what a form takes: the one place an imported value is read.
Pure: no Flask, no session.

Every cell becomes text first (a spreadsheet's number or date included), so that a file, a
workbook and the JSON API are read by the same rules. Dates are read as the bank statement
reader reads them (core/bank_values: 31/10/2026, 31 Oct 2026 or 2026-10-31; a spreadsheet's
own date cell arrives as 2026-10-31); everything else is left for the forms to judge.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ..core.bank_values import DATE_FORMS, CellError, parse_bank_date
from .fields import Field, Type, words


def cell_text(value: Any) -> str:
    """A cell's value as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time.min else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def held_text(value: Any) -> str:
    """A value we hold (a date, a number of pence turned to pounds, a choice) as a cell would
    give it, so a record we hold can be checked by the same rules as a row."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


class ValueProblem(ValueError):
    """A cell that cannot be read as its field; the message names the field and the value."""


def date_parts(f: Field, text: str) -> list[str]:
    """The day, month and year a GOV.UK date field takes, from one cell."""
    try:
        day = parse_bank_date(text)
    except CellError as exc:
        if "not a real date" in str(exc):
            raise ValueProblem(f"{f.label} {text} is not a real date") from exc
        raise ValueProblem(
            f"{f.label} {text} is not a date we can read: write dates as {DATE_FORMS}"
        ) from exc
    return [str(day.day), str(day.month), str(day.year)]


def choice(f: Field, text: str) -> str:
    """The stored value of a choice from what a cell says (its value or its label)."""
    found = f.choices.get(words(text))
    if found is None:
        raise ValueProblem(f"{f.label} {text} is not one we know: use {f.accepted()}")
    return found


def form_input(f: Field, text: str) -> str | list[str]:
    """What the field's form input would be for this text (ValueProblem if none)."""
    if not text:
        return ["", "", ""] if f.type == Type.DATE else ""
    if f.type == Type.DATE:
        return date_parts(f, text)
    if f.type == Type.CHOICE:
        return choice(f, text)
    return text
