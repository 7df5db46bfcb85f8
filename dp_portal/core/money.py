"""Money: Decimal pounds in Python, integer pence in the database.

This is the only module that rounds money. Everything else calls it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")

# Thousands separators must be in the right places: "1,234.50" yes, "12,34" no.
_AMOUNT = re.compile(r"^(?P<sign>-)?£?(?P<int>\d{1,3}(,\d{3})+|\d+)(\.(?P<frac>\d{1,2}))?$")


class MoneyError(ValueError):
    """An amount a person typed could not be read as pounds and pence."""


def round_money(value: Decimal) -> Decimal:
    """Round to the penny, an exact half penny rounding up (away from zero)."""
    return _as_decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def round_employer_ni(value: Decimal) -> Decimal:
    """Round employer NI as HMRC does: nearest penny, an exact half penny rounds down.

    Social Security (Contributions) Regulations 2001, reg. 12(1).
    """
    return _as_decimal(value).quantize(PENNY, rounding=ROUND_HALF_DOWN)


def to_pence(value: Decimal) -> int:
    """Pounds to integer pence; refuses fractions of a penny instead of rounding silently."""
    value = _as_decimal(value)
    pence = value * 100
    if pence != pence.to_integral_value():
        raise MoneyError(f"{value} has a fraction of a penny: round it first")
    return int(pence)


def from_pence(pence: int) -> Decimal:
    """Integer pence to Decimal pounds with two places."""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError("pence must be an int")
    return Decimal(pence).scaleb(-2)  # exact, two places: 1234 -> 12.34, 100 -> 1.00


def format_money(value: Decimal, *, pence: bool = True) -> str:
    """£1,234.56 (or -£1,234.56). Rounds half up for display only."""
    value = round_money(value)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.2f}"
    if not pence and text.endswith(".00"):
        text = text[:-3]
    return f"{sign}£{text}"


def parse_money(text: str, *, allow_negative: bool = False) -> Decimal:
    """Read an amount as a person types it: '1,234.5', '£12', ' 12.00 '.

    Raises MoneyError with a message that says what to do.
    """
    if text is None:
        raise MoneyError("Enter an amount in pounds and pence, like £125.50")
    cleaned = str(text).strip().replace(" ", "")
    if cleaned.startswith("£-"):
        cleaned = "-£" + cleaned[2:]
    if not cleaned:
        raise MoneyError("Enter an amount in pounds and pence, like £125.50")
    match = _AMOUNT.match(cleaned)
    if not match:
        if re.fullmatch(r"-?£?[\d,]*\.\d{3,}", cleaned):
            raise MoneyError("Enter an amount with no more than 2 decimal places, like £125.50")
        raise MoneyError("Enter an amount in pounds and pence, like £125.50")
    if match.group("sign") and not allow_negative:
        raise MoneyError("Enter an amount of £0.00 or more")
    whole = match.group("int").replace(",", "")
    frac = (match.group("frac") or "").ljust(2, "0")
    amount = Decimal(f"{whole}.{frac}")
    return -amount if match.group("sign") else amount


def _as_decimal(value: Decimal) -> Decimal:
    # The usual case first: a council's payment run rounds some 120,000 figures.
    if type(value) is Decimal and value.is_finite():
        return value
    if isinstance(value, float):
        raise TypeError("money must never be a float: use Decimal")
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    try:
        if not value.is_finite():
            raise MoneyError("amount must be a finite number")
    except InvalidOperation as exc:  # pragma: no cover - defensive
        raise MoneyError(str(exc)) from exc
    return value
