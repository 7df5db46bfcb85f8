"""What a repayment of an invoiced recovery may be, and how old a debt is. Pure: no Flask, no
session. Money in pence, dates as dates.

A recovery by invoice is paid back by the person (or their representative) outside the payment
runs, in one go or in parts; a finance officer records each payment when it reaches the
council's bank. Offsets are taken by the runs themselves, so they are never recorded here.
"""

from __future__ import annotations

from datetime import date

from ..core.money import format_money, from_pence

METHODS = {
    "bank_transfer": "Bank transfer",
    "card": "Card payment",
    "cheque": "Cheque",
    "cash": "Cash",
    "other": "Another way (say how in the note)",
}
# Age bands a council's debt recovery reports use (days since the invoice).
AGE_BANDS = ((30, "Up to 30 days"), (60, "31 to 60 days"), (90, "61 to 90 days"))
OLDEST_BAND = "More than 90 days"


def repayment_problem(
    *,
    method: str,
    status: str,
    outstanding_pence: int,
    amount_pence: int,
    received_on: date,
    raised_on: date,
    today: date,
) -> str | None:
    """Why this repayment cannot be recorded (a message for the officer), or None."""
    if method != "invoice":
        return "This recovery is taken from payments, so there is nothing to record here"
    if status != "open":
        return "This recovery is no longer open"
    if amount_pence <= 0:
        return "Enter an amount more than £0.00"
    if amount_pence > outstanding_pence:
        return f"Enter no more than the {format_money(from_pence(outstanding_pence))} still owed"
    if received_on > today:
        return "The date the money arrived must be today or in the past"
    if received_on < raised_on:
        return "The date the money arrived must be on or after the day the recovery was raised"
    return None


def age_band(raised_on: date, today: date) -> str:
    """The band a debt raised on `raised_on` falls in today."""
    days = (today - raised_on).days
    for limit, label in AGE_BANDS:
        if days <= limit:
            return label
    return OLDEST_BAND


BAND_ORDER = [label for _limit, label in AGE_BANDS] + [OLDEST_BAND]
