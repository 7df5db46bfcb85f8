"""What each endpoint sends: its schema (defined here, with schemas.py's helpers) beside the
function that builds it from a service's rows, so the two are read and changed together.
The schemathesis test checks every response against these schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ..core.money import from_pence
from ..monitoring.lifecycle import ReturnStatus
from ..monitoring.models import MonitoringReturn
from ..payments.ledger_models import Recovery
from .journal import KINDS, JournalLine, JournalPage
from .reads import Page, is_overdue
from .schemas import day, define, instant, integer, money_pair, obj, page_of, ref, text

NULLABLE_ID = {"type": ["integer", "null"]}


def money(name: str, pence: int) -> dict[str, Any]:
    """An amount as the schemas promise: pounds as text with two decimals, and pence."""
    return {name: format(from_pence(pence), "f"), f"{name}_pence": pence}


def when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def paged(name: str, items: list[dict], next_cursor: str, has_more: bool, next_path: str) -> dict:
    return {name: items, "next_cursor": next_cursor, "has_more": has_more, "next": next_path}


# --- The journal ------------------------------------------------------------------------------

PAYMENT_REF = define(
    "JournalPayment",
    obj(
        {
            "id": integer("The payment's id"),
            "run_id": NULLABLE_ID
            | {"description": "The payment run that paid it (none for a correction)"},
            "kind": text(
                "regular (the period's payment), arrears or adjustment (a correction)",
                enum=["regular", "arrears", "adjustment"],
            ),
            "period_start": day("First day of the payment period"),
            "period_end": day("Last day of the payment period"),
            "pay_date": day("The day the money reaches the bank"),
            "payee_type": text(
                "Paid to the person or to an organisation for them", enum=["person", "organisation"]
            ),
            "corrects_payment_id": NULLABLE_ID
            | {"description": "The payment a correction corrects"},
        },
        description="The committed payment behind a ledger entry",
    ),
)
JOURNAL_ENTRY = define(
    "JournalEntry",
    obj(
        {
            "id": integer("The entry's id: entries only grow in id, in the order written"),
            "entry_date": day("The day the money moved (a payment's pay date)"),
            "recorded_at": instant("When the entry was written"),
            "account_reference": text("The direct payment account's reference"),
            "sds_option": integer("The account's SDS option (1, 2 or 4)", enum=[1, 2, 4]),
            "locality": {"type": ["string", "null"], "description": "The account's locality"},
            "kind": text(
                "payment (a committed payment), contribution (the person's own contribution "
                "paid into the account: not council money), adjustment (a correction) or "
                "recovery (money paid back to the council)",
                enum=list(KINDS),
            ),
            "description": text("The entry as the account's ledger shows it"),
            "side": text(
                "debit: money into the person's direct payment account (council spending, or "
                "the person's contribution); credit: money out of it, back to the council",
                enum=["debit", "credit"],
            ),
            **money_pair("amount", "The amount (always zero or more: `side` gives direction)"),
            "payment": {"oneOf": [ref(PAYMENT_REF), {"type": "null"}]},
        }
    ),
)
JOURNAL_PAGE = define("JournalPage", page_of("entries", JOURNAL_ENTRY, "Entries in id order"))


def journal_entry(line: JournalLine) -> dict[str, Any]:
    paid = line.payment
    return {
        "id": line.id,
        "entry_date": line.entry_date.isoformat(),
        "recorded_at": when(line.recorded_at),
        "account_reference": line.account_reference,
        "sds_option": line.sds_option,
        "locality": line.locality,
        "kind": line.kind,
        "description": line.description,
        "side": "credit" if line.amount_pence < 0 else "debit",
        **money("amount", abs(line.amount_pence)),
        "payment": None
        if paid is None
        else {
            "id": paid.id,
            "run_id": paid.run_id,
            "kind": paid.kind,
            "period_start": paid.period_start.isoformat(),
            "period_end": paid.period_end.isoformat(),
            "pay_date": paid.pay_date.isoformat(),
            "payee_type": paid.payee_type,
            "corrects_payment_id": paid.corrects_payment_id,
        },
    }


def journal_entries(page: JournalPage) -> list[dict[str, Any]]:
    return [journal_entry(line) for line in page.lines]


# --- Returns ----------------------------------------------------------------------------------

RETURN = define(
    "Return",
    obj(
        {
            "id": integer("The return's id (each version has its own)"),
            "account_reference": text("The direct payment account's reference"),
            "period_start": day("First day of the monitoring period"),
            "period_end": day("Last day of the monitoring period"),
            "due_date": day("The day the return is due"),
            "version": integer("1, or higher for a return sent again", minimum=1),
            "status": text("Where the return is", enum=[s.value for s in ReturnStatus]),
            "status_label": text("The status in words"),
            "overdue": {"type": "boolean", "description": "Past its due date and still owed"},
            "submitted_at": instant("When it was sent", nullable=True),
            "decided_at": instant("When a finance officer accepted or queried it", nullable=True),
            "flag_count": integer("How many checks flagged something", minimum=0),
            **money_pair("closing_balance", "The closing balance the return states", signed=True),
            **money_pair("surplus", "The surplus above the contingency", signed=True),
        }
    ),
)
RETURNS_PAGE = define("ReturnsPage", page_of("returns", RETURN, "Returns in id order"))


def return_row(row: MonitoringReturn, reference: str, today: date) -> dict[str, Any]:
    return {
        "id": row.id,
        "account_reference": reference,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "due_date": row.due_date.isoformat(),
        "version": row.version,
        "status": row.status,
        "status_label": ReturnStatus(row.status).label,
        "overdue": is_overdue(row, today),
        "submitted_at": when(row.submitted_at),
        "decided_at": when(row.decided_at),
        "flag_count": len(row.flags),
        **money("closing_balance", row.closing_pence),
        **money("surplus", row.surplus_pence),
    }


def returns(page: Page) -> list[dict[str, Any]]:
    return [return_row(row, reference, page.today) for row, reference in page.rows]


# --- Recoveries -------------------------------------------------------------------------------

RECOVERY = define(
    "Recovery",
    obj(
        {
            "id": integer("The recovery's id"),
            "account_reference": text("The direct payment account's reference"),
            "status": text(
                "open (still owed), recovered or cancelled", enum=["open", "recovered", "cancelled"]
            ),
            "method": text(
                "offset (taken from the next payments) or invoice", enum=["offset", "invoice"]
            ),
            "raised_at": instant("When it was raised"),
            "source": text("What it came from, such as a return's period"),
            **money_pair("amount", "The amount asked back"),
            **money_pair("recovered", "How much has come back so far"),
            **money_pair("outstanding", "How much is still owed"),
        }
    ),
)
RECOVERIES_PAGE = define("RecoveriesPage", page_of("recoveries", RECOVERY, "In id order"))


def recovery_row(row: Recovery, reference: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "account_reference": reference,
        "status": row.status,
        "method": row.method,
        "raised_at": when(row.created_at),
        "source": row.source,
        **money("amount", row.amount_pence),
        **money("recovered", row.recovered_pence),
        **money("outstanding", row.amount_pence - row.recovered_pence),
    }


def recoveries(page: Page) -> list[dict[str, Any]]:
    return [recovery_row(row, reference) for row, reference in page.rows]


# --- Payment runs -----------------------------------------------------------------------------

RUN = define(
    "PaymentRun",
    obj(
        {
            "id": integer("The run's id (the journal's payments name it as run_id)"),
            "period_start": day("First day of the payment period"),
            "period_end": day("Last day of the payment period"),
            "pay_date": day("The day the money reaches the banks"),
            "committed_at": instant("When it was committed", nullable=True),
            "payment_count": integer("How many payments it made", minimum=0),
            **money_pair("total", "What it paid, in all", signed=True),
        }
    ),
)
RUNS_PAGE = define("PaymentRunsPage", page_of("runs", RUN, "Committed runs in id order"))


def runs(page: Page) -> list[dict[str, Any]]:
    return [
        {
            "id": run.id,
            "period_start": run.period_start.isoformat(),
            "period_end": run.period_end.isoformat(),
            "pay_date": run.pay_date.isoformat(),
            "committed_at": when(run.committed_at),
            "payment_count": run.payment_count,
            **money("total", run.total_pence),
        }
        for (run,) in page.rows
    ]
