"""Reconciling a return against what the council knows, as plain-English flags.

closing = opening + council payments + contributions + other income - spending;
surplus = closing - liabilities - contingency (weeks of the budget). Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..core.money import ZERO, format_money, round_money

CONTINGENCY_WEEKS = 8  # shared/design.md 2.3: councils use 4-10

SPENDING = (
    ("pa_wages", "Personal assistant wages"),
    ("hmrc", "HMRC PAYE and National Insurance"),
    ("pension", "Pension contributions"),
    ("provider_invoices", "Agency or provider invoices"),
    ("insurance", "Insurance"),
    ("payroll", "Payroll service"),
    ("other_agreed", "Other agreed items"),
    ("bank_charges", "Bank charges"),
)


@dataclass(frozen=True)
class Figures:
    opening: Decimal
    council_payments: Decimal
    contributions: Decimal
    other_income: Decimal
    spending: dict[str, Decimal]
    closing: Decimal
    bank_balance: Decimal
    wages_owed: Decimal = ZERO
    hmrc_due: Decimal = ZERO

    @property
    def money_in(self) -> Decimal:
        return self.council_payments + self.contributions + self.other_income

    @property
    def money_out(self) -> Decimal:
        return sum(self.spending.values(), ZERO)

    @property
    def calculated_closing(self) -> Decimal:
        return self.opening + self.money_in - self.money_out


def figures_from(values: dict[str, Decimal]) -> Figures:
    """A return's figures from the form's or the spreadsheet's fields (spend_pa_wages...)."""
    return Figures(
        opening=values["opening"],
        council_payments=values["council_payments"],
        contributions=values["contributions"],
        other_income=values["other_income"],
        spending={key: values[f"spend_{key}"] for key, _ in SPENDING},
        closing=values["closing"],
        bank_balance=values["bank_balance"],
        wages_owed=values["wages_owed"],
        hmrc_due=values["hmrc_due"],
    )


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


@dataclass(frozen=True)
class Reconciliation:
    flags: list[Flag]
    contingency: Decimal
    surplus: Decimal = field(default=ZERO)

    @property
    def clean(self) -> bool:
        return not self.flags


def _against_our_records(
    figures: Figures, expected_opening: Decimal | None, payments_made: list[tuple[str, Decimal]]
) -> list[Flag]:
    """The opening balance against the last accepted return; the council's payments against
    what the council paid."""
    flags = []
    if expected_opening is not None and figures.opening != expected_opening:
        flags.append(
            Flag(
                "opening",
                f"The opening balance of {format_money(figures.opening)} is not the closing "
                f"balance of the last accepted return, {format_money(expected_opening)}.",
            )
        )
    paid = sum((amount for _, amount in payments_made), ZERO)
    if figures.council_payments != paid:
        listed = ", ".join(f"{label} {format_money(amount)}" for label, amount in payments_made)
        flags.append(
            Flag(
                "council_payments",
                f"The council paid {format_money(paid)} in this period"
                f"{' (' + listed + ')' if listed else ''}, but the return shows "
                f"{format_money(figures.council_payments)}.",
            )
        )
    return flags


def _within_the_return(figures: Figures, has_provider_line: bool) -> list[Flag]:
    """The arithmetic, the bank statement, and spending the support plan does not allow."""
    flags = []
    if figures.calculated_closing != figures.closing:
        flags.append(
            Flag(
                "arithmetic",
                f"The figures do not add up: opening plus money in less money out is "
                f"{format_money(figures.calculated_closing)}, not "
                f"{format_money(figures.closing)}.",
            )
        )
    if figures.closing != figures.bank_balance:
        flags.append(
            Flag(
                "bank",
                f"The closing balance of {format_money(figures.closing)} is not the bank "
                f"statement's {format_money(figures.bank_balance)}.",
            )
        )
    if figures.spending.get("provider_invoices", ZERO) > 0 and not has_provider_line:
        flags.append(
            Flag(
                "provider_invoices",
                "The return shows agency or provider invoices, but the support plan has no "
                "provider (Option 2) line.",
            )
        )
    return flags


def reconcile(
    figures: Figures,
    *,
    expected_opening: Decimal | None,
    payments_made: list[tuple[str, Decimal]],
    weekly_budget: Decimal,
    contingency_weeks: int,
    has_provider_line: bool,
) -> Reconciliation:
    flags = _against_our_records(figures, expected_opening, payments_made)
    flags += _within_the_return(figures, has_provider_line)
    contingency = round_money(weekly_budget * contingency_weeks)
    surplus = round_money(figures.closing - figures.wages_owed - figures.hmrc_due - contingency)
    if surplus > 0:
        flags.append(
            Flag(
                "surplus",
                f"The balance is {format_money(surplus)} more than the contingency of "
                f"{contingency_weeks} weeks' budget ({format_money(contingency)}) after the "
                "wages and HMRC payments still owed. Talk to the person about why before "
                "deciding anything.",
            )
        )
    return Reconciliation(flags, contingency, max(surplus, ZERO))
