"""A run's lines: one per account, paid or withheld with a reason, each with its payee as it
was when the run was built. A build writes them for a whole council at once, as tuples in
COLUMNS order."""

from __future__ import annotations

import json

from .hooks import Replacement
from .schedule import PeriodAmount

# The order of every tuple a build writes (see line()).
COLUMNS = (
    "run_id",
    "account_id",
    "payee_type",
    "sds_option",
    "outcome",
    "reason",
    "amount_pence",
    "arrears_pence",
    "contribution_pence",
    "invoice_pence",
    "offset_pence",
    "breakdown_json",
    "payee_name",
    "sort_code",
    "account_number",
    "payee_reference",
)
AMOUNT, ARREARS = COLUMNS.index("amount_pence"), COLUMNS.index("arrears_pence")
OUTCOME = COLUMNS.index("outcome")


def withhold_reason(status: str, has_plan: bool, sort_code, total_pence: int) -> str | None:
    """Why an account is not paid this period, or None when it is."""
    if status == "closed":
        return "Account closed"
    if not has_plan:
        return "No approved budget"
    if status == "suspended":
        return "Account suspended: payments withheld until it is reinstated"
    if not sort_code:
        return "No bank details"
    if total_pence <= 0:
        return "Nothing to pay: the amount is zero or less"
    return None


def figures(amount: PeriodAmount, arrears: list[dict]) -> tuple[int, int, int, int, int, str]:
    """(amount, arrears, contribution, invoice and offset pence, breakdown) for a line. The
    figures of a payment with no arrears or offsets are the priced period's own, shared."""
    if not (arrears or amount.offsets):
        return amount.line_figures
    breakdown = amount.breakdown_json_with(json.dumps(arrears, separators=(",", ":")))
    return (
        amount.total_pence,
        sum(item["due_pence"] for item in arrears),
        amount.contribution_pence,
        amount.invoiced_pence,
        amount.offset_pence,
        breakdown,
    )


def replaced_line(
    run_id: int, account_id: int, status: str, option: int, target: Replacement, reference: str
) -> tuple:
    """The line of an account another package priced (hooks.Replacement), in COLUMNS order:
    paid to its payee, unless the account is closed or suspended or nothing is due (then
    withheld, and what it would pay waits for a later run)."""
    total = target.amount_pence + target.arrears_pence
    reason = withhold_reason(status, True, target.payee[1], total)
    breakdown = json.dumps(target.breakdown, separators=(",", ":"))
    return (
        run_id,
        account_id,
        "organisation",
        option,
        "withhold" if reason else "pay",
        reason,
        target.amount_pence,
        target.arrears_pence,
        0,
        0,
        0,
        breakdown,
        *target.payee,
        reference,
    )
