"""Form building blocks: GOV.UK widgets, stripped input, and fields for money, dates and banks.

Every message says what to do, in the GOV.UK style ("Enter an amount, like £125.50").
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import Field, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .money import MoneyError, parse_money
from .types import local_today


def strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters and not issubclass(unbound_field.field_class, DateField):
                filters = [strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)

    # Forms built from mixins list their fields here in page order, so the error summary
    # follows the page (WTForms orders fields by when they were defined).
    field_order: tuple[str, ...] = ()

    def error_list(self) -> list[dict[str, str]]:
        """Errors for the GOV.UK error summary, in page order, each linking to its input."""
        items = []
        fields = list(self)
        if self.field_order:
            rank = {name: i for i, name in enumerate(self.field_order)}
            fields.sort(key=lambda f: rank.get(f.name, len(rank)))
        for field in fields:
            if field.errors:
                anchor = f"{field.id}-day" if isinstance(field, DateField) else field.id
                if getattr(field, "first_item_id", None):
                    anchor = field.first_item_id
                items.append({"text": field.errors[0], "href": f"#{anchor}"})
        return items


class MoneyField(StringField):
    """An amount in pounds and pence, read into a Decimal (never a float)."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, allow_negative=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.allow_negative = allow_negative

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw and self.raw.strip():
            try:
                self.data = parse_money(self.raw, allow_negative=self.allow_negative)
            except MoneyError as exc:
                raise ValueError(str(exc)) from exc

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:.2f}" if self.data is not None else ""


class HoursField(StringField):
    """Hours a week in quarter hours (12.25), read into a Decimal."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if not raw.strip():
            return
        try:
            value = Decimal(raw.strip())
        except InvalidOperation as exc:
            raise ValueError("Enter hours as a number, like 12.5") from exc
        if not value.is_finite() or value <= 0 or value > 168:
            raise ValueError("Enter between 0.25 and 168 hours a week")
        if value * 4 != (value * 4).to_integral_value():
            raise ValueError("Enter hours in quarter hours, like 12.25 or 12.5")
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data.normalize():f}" if self.data is not None else ""


class DateField(Field):
    """A GOV.UK three-part date (day, month, year), robust to missing or forged parts."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, min_year=1900, max_year=2100, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.min_year, self.max_year = min_year, max_year

    def process_formdata(self, valuelist):
        # The widget unpacks raw_data into exactly three parts; a forged or partial POST must
        # not turn into a 500, so normalise it first.
        parts = [str(v).strip() for v in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        day, month, year = parts
        if not any(parts):
            return
        name = self.label.text.lower()
        missing = [n for n, v in zip(("day", "month", "year"), parts, strict=True) if not v]
        if missing:
            raise ValueError(f"The {name} must include a {' and '.join(missing)}")
        if not all(p.isdigit() for p in parts):
            raise ValueError(f"The {name} must be a real date, like 27 3 2026")
        if len(year) != 4:
            raise ValueError(f"The year must include 4 numbers, like {date.today().year}")  # noqa: DTZ011
        try:
            value = date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValueError(f"The {name} must be a real date, like 27 3 2026") from exc
        if not self.min_year <= value.year <= self.max_year:
            raise ValueError(f"The {name} must be between {self.min_year} and {self.max_year}")
        self.data = value

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d %m %Y") if self.data else ""


class SortCodeField(StringField):
    """A UK sort code typed as 12-34-56, 12 34 56 or 123456; stored as 6 digits."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = None
        cleaned = re.sub(r"[\s-]", "", raw)
        if not cleaned:
            return
        if not re.fullmatch(r"[0-9]{6}", cleaned):
            raise ValueError("Enter a valid sort code, like 30-94-47")
        self.data = cleaned

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data[:2]}-{self.data[2:4]}-{self.data[4:]}" if self.data else ""


class AccountNumberField(StringField):
    """A UK bank account number as typed: 6 to 10 digits, spaces and dashes dropped. Never
    padded or cut here: core.bank_numbers standardises it and the officer confirms."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = None
        cleaned = re.sub(r"[\s-]", "", raw)
        if not cleaned:
            return
        if not re.fullmatch(r"[0-9]{6,10}", cleaned):
            raise ValueError("Enter the account number, like 00733445: 6 to 10 numbers")
        self.data = cleaned


_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}\d[A-Z\d]?\d[ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(text: str) -> str | None:
    """'eh11aa' -> 'EH1 1AA'; None when it is not a UK postcode."""
    compact = re.sub(r"\s", "", text or "").upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


class PostcodeField(StringField):
    widget = GovTextInput()

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if not raw.strip():
            return
        value = normalise_postcode(raw)
        if value is None:
            raise ValueError("Enter a real postcode, like EH1 1YZ")
        self.data = value


class NoFutureDate:
    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data > local_today():
            raise ValidationError(self.message)


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (tuple choices are deprecated)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def optional_int(value) -> int | None:
    """Coerce for selects of ids: a blank or forged value reads as 'nothing chosen'."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def choice_values(field) -> set:
    return {field.coerce(c.value) for c in field.choices}
