"""Rules for bank statement lines: what each line is (its category on the return), which
council payment a line of money in is, and what makes two lines the same line. Pure: no
Flask, no database (statement_services.py reads and writes).

Every line says why it has its category (its working): matched to a council payment, the
person's own earlier choice for lines like it, or the words in its description.

An import's life (ImportStatus; IMPORT_MOVES is the whole table):

    awaiting_columns --(the person says which column is which)--> imported
    awaiting_columns --(another file is uploaded instead)-------> abandoned
    (a file whose columns are known is imported at once: it starts as imported)
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from ..core.bank_statements import Line
from ..core.errors import RuleError
from ..core.money import format_money, to_pence
from ..core.types import LabelledEnum


class ImportStatus(StrEnum):
    AWAITING_COLUMNS = "awaiting_columns"
    IMPORTED = "imported"
    ABANDONED = "abandoned"


IMPORT_MOVES = {
    (ImportStatus.AWAITING_COLUMNS, ImportStatus.IMPORTED),
    (ImportStatus.AWAITING_COLUMNS, ImportStatus.ABANDONED),
}


def move_import(row, to: ImportStatus) -> None:
    """Move an import to a new state, or RuleError for a move the table does not allow."""
    if (ImportStatus(row.status), to) not in IMPORT_MOVES:
        raise RuleError(f"This statement is {ImportStatus(row.status).value.replace('_', ' ')}")
    row.status = to.value


class Category(LabelledEnum):
    """A line's category: the line of the monitoring return it fills (reconcile.SPENDING)."""

    COUNCIL_PAYMENT = "council_payment", "Council payment"
    CONTRIBUTIONS = "contributions", "Your contribution"
    OTHER_INCOME = "other_income", "Other money in"
    PA_WAGES = "pa_wages", "Personal assistant wages"
    HMRC = "hmrc", "HMRC PAYE and National Insurance"
    PENSION = "pension", "Pension"
    PROVIDER_INVOICES = "provider_invoices", "Agency or provider invoice"
    INSURANCE = "insurance", "Insurance"
    PAYROLL = "payroll", "Payroll service fee"
    OTHER_AGREED = "other_agreed", "Other agreed spending"
    BANK_CHARGES = "bank_charges", "Bank charges and fees"

    @property
    def money_in(self) -> bool:
        return self in MONEY_IN

    @property
    def return_field(self) -> str:
        """The return's field (drafts.FIELDS) this category adds up into."""
        if self == Category.COUNCIL_PAYMENT:
            return "council_payments"
        return self.value if self.money_in else f"spend_{self.value}"


MONEY_IN = frozenset({Category.COUNCIL_PAYMENT, Category.CONTRIBUTIONS, Category.OTHER_INCOME})

# Words in descriptions, checked in this order; the first that fits the direction wins. The
# HMRC PAYE bank account is held at Cumbernauld, which many statements show
# (gov.uk/pay-paye-tax: "HMRC Cumbernauld").
_WORDS: tuple[tuple[Category, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern))
    for category, pattern in (
        (Category.CONTRIBUTIONS, r"\bCONTRIB"),
        (Category.COUNCIL_PAYMENT, r"\bCOUNCIL\b|\bDIRECT PAYMENT\b|\bSDS\b"),
        (Category.HMRC, r"\bHMRC\b|\bPAYE\b|CUMBERNAULD|\bHM REVENUE\b|\bNIC\b"),
        (Category.PENSION, r"PENSION|\bNEST\b"),
        (Category.PAYROLL, r"PAYROLL"),
        (Category.INSURANCE, r"INSURANCE|\bINSURE|MORTON MICHEL|FERNDALE"),
        (Category.BANK_CHARGES, r"\bCHARGES?\b|\bFEES?\b|\bINTEREST\b|\bCOMMISSION\b"),
        (Category.PROVIDER_INVOICES, r"\bINV(OICE)?\b|\bCARE\b|\bAGENCY\b"),
        (Category.PA_WAGES, r"\bWAGES?\b|\bSALARY\b|\bPAY\b"),
    )
)
MATCH_DAYS_BEFORE = 3  # a bank may show a Bacs credit a day or two early around weekends
MATCH_DAYS_AFTER = 7  # or late: a bank holiday week


@dataclass(frozen=True)
class CouncilPayment:
    """A committed payment, as matching needs it."""

    id: int
    pay_date: date
    amount: Decimal
    reference: str  # what the person's statement shows: the account reference


@dataclass(frozen=True)
class Classified:
    line: Line
    category: Category
    reason: str  # the working, shown beside the line
    payment_id: int | None = None


@lru_cache(maxsize=8192)  # a statement repeats its payees: each is worked out once
def description_key(description: str) -> str:
    """What lines "like this one" share: the description without dates, amounts or
    references (any word with a digit), so that a choice for "J SMITH WAGES 09OCT" holds for
    "J SMITH WAGES 06NOV" too."""
    words = re.sub(r"[^A-Z0-9 ]", " ", description.upper()).split()
    return " ".join(word for word in words if not any(ch.isdigit() for ch in word))[:200]


def fingerprints(lines: tuple[Line, ...] | list[Line]) -> list[str]:
    """One fingerprint per line: the day, the amount, the description, and which of several
    identical lines it is, so that importing the same lines again is seen and two real
    payments of the same amount to the same payee on one day are not taken for one."""
    seen: Counter[tuple] = Counter()
    result = []
    for line in lines:
        key = (_iso(line.day), pence(line.amount), _spaced(line.description))
        seen[key] += 1
        raw = "|".join((*map(str, key), str(seen[key])))
        result.append(hashlib.sha256(raw.encode()).hexdigest())
    return result


_SPACE = re.compile(r"\s")


@lru_cache(maxsize=8192)  # descriptions and references repeat: each squashed once
def _squashed(text: str) -> str:
    return _SPACE.sub("", text.upper())


# A statement's days and amounts repeat: each is written out once (dates and Decimals are
# immutable, so a cached value is never changed by its caller).
_iso = lru_cache(maxsize=1024)(date.isoformat)
pence = lru_cache(maxsize=8192)(to_pence)


@lru_cache(maxsize=8192)
def _spaced(text: str) -> str:
    return " ".join(text.upper().split())


def _mentions(line: Line, reference: str) -> bool:
    return bool(reference) and _squashed(reference) in _squashed(line.description)


def match_payments(lines: list[Line], payments: list[CouncilPayment]) -> dict[int, CouncilPayment]:
    """Lines of money in (by index) matched to council payments not matched before: the same
    amount, within the date window; one that shows the reference first, then the nearest
    date (then the earlier in `payments`). Each payment is matched once. (Payments are looked
    up by amount and day, so a pooled account's statement of 100,000 lines against a
    thousand payments of one amount stays quick.)"""
    free: dict[Decimal, dict[date, list[tuple[int, CouncilPayment, str]]]] = {}
    for position, payment in enumerate(payments):
        free.setdefault(payment.amount, {}).setdefault(payment.pay_date, []).append(
            (position, payment, _squashed(payment.reference) if payment.reference else "")
        )
    matched: dict[int, CouncilPayment] = {}
    for index in sorted(range(len(lines)), key=lambda i: lines[i].day):
        line = lines[index]
        if line.amount <= 0 or line.amount not in free:
            continue
        best = _best(line, free[line.amount])
        if best is not None:
            matched[index] = best[1]
            free[line.amount][best[1].pay_date].remove(best)
    return matched


def _best(line: Line, by_day: dict[date, list]) -> tuple[int, CouncilPayment, str] | None:
    """The free payment this line is (see match_payments), or None."""
    fits = sorted(
        chain.from_iterable(
            by_day.get(line.day - timedelta(days=offset), ())
            for offset in range(-MATCH_DAYS_BEFORE, MATCH_DAYS_AFTER + 1)
        ),
        key=itemgetter(0),
    )
    if not fits:
        return None
    text = _squashed(line.description)
    shown = [fit for fit in fits if fit[2] and fit[2] in text]
    return min(shown or fits, key=lambda fit: abs((line.day - fit[1].pay_date).days))


def _by_words(line: Line) -> tuple[Category, str]:
    return _words(line.description, line.amount > 0)


@lru_cache(maxsize=8192)  # a statement repeats its payees: each is worked out once
def _words(description: str, money_in: bool) -> tuple[Category, str]:
    text = description.upper()
    for category, pattern in _WORDS:
        if category.money_in == money_in and (found := pattern.search(text)):
            return category, f"The description says {found.group().strip()}"
    if money_in:
        return Category.OTHER_INCOME, "Money in that is not a council payment: check it"
    return Category.OTHER_AGREED, "Nothing in the description says what it is: check it"


def classify(
    lines: list[Line],
    payments: list[CouncilPayment],
    choices: dict[str, Category],
    reference: str,
) -> list[Classified]:
    """Each line's category and why: a matched council payment; the person's own earlier
    choice for lines like it; the account's reference; the words in the description."""
    matched = match_payments(lines, payments)
    result = []
    for index, line in enumerate(lines):
        if payment := matched.get(index):
            reason = (
                f"Matches the council's payment of {format_money(payment.amount)} "
                f"on {payment.pay_date:%-d %B %Y}"
            )
            result.append(Classified(line, Category.COUNCIL_PAYMENT, reason, payment.id))
            continue
        chosen = choices.get(description_key(line.description)) if choices else None
        if chosen is not None and chosen.money_in == (line.amount > 0):
            result.append(Classified(line, chosen, "You chose this for lines like it before"))
        elif line.amount > 0 and _mentions(line, reference):
            reason = "Shows your reference, but we made no payment of this amount then: check it"
            result.append(Classified(line, Category.COUNCIL_PAYMENT, reason))
        else:
            result.append(Classified(line, *_by_words(line)))
    return result


def check_choice(category: Category, amount: Decimal) -> None:
    """A person's correction must keep money in as money in, and money out as money out."""
    if category.money_in != (amount > 0):
        direction = "paid in" if amount > 0 else "paid out"
        raise RuleError(
            f"This line is money {direction}, so it cannot be “{category.label}”: choose a "
            f"category for money {direction}"
        )


def choices_for(direction_in: bool) -> list[Category]:
    return [category for category in Category if category.money_in == direction_in]
