"""Writing a provider's invoice once every line has passed its checks (issue 14, part B): the
invoice's row, the period of each agreement it is the first invoice of (with its planned
hours), its lines, and the audit row of its receipt, in the session's transaction. Never
commits.

On PostgreSQL the invoice, its new periods, its lines and the audit row are one statement
(their values as parameters, the periods and the lines as arrays a column, so its text is
the same for every invoice and psycopg prepares it once): each statement is a round trip
with the server's and the drivers' work around it, and an invoice was five of them before
the commit, then two (the lines by COPY, itself two round trips), now one
(bench/provider_invoices.py). Elsewhere (SQLite, in process) one statement each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached

from ..core import audit
from ..core.calendar import Period
from ..core.types import utcnow
from ..extensions import db
from ..payments.council_scale import insert_tuples
from . import invoices
from .delivery_models import IsfInvoice, IsfInvoiceLine
from .lifecycles import InvoiceStatus, PeriodStatus

LINE_COLUMNS = (
    "invoice_id",
    "agreement_id",
    "period_id",
    "account_id",
    "row_number",
    "service_type",
    "hours_hundredths",
    "rate_pence",
    "amount_pence",
    "state",
    "hold_reason",
)
INVOICE_COLUMNS = (
    "organisation_id",
    "provider_reference",
    "period_start",
    "period_end",
    "status",
    "source",
    "original_name",
    "stored_name",
    "sha256",
    "total_pence",
    "submitted_by_id",
    "submitted_at",
)
AUDIT_COLUMNS = (
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "account_id",
    "summary",
    "before_json",
    "after_json",
)


def _names(columns) -> str:
    return ", ".join(f'"{name}"' for name in columns)


def _marks(columns) -> str:
    return ", ".join("%s" for _ in columns)


PERIOD_INSERT = (
    'INSERT INTO "isf_periods" ("agreement_id", "account_id", "period_start", "period_end", '
    '"planned_hours_hundredths", "status") '
)
RETURNING = ' RETURNING "agreement_id", "id"'
# The lines as one array a column, in LINE_COLUMNS' order after the invoice's id (a line's
# period null where this invoice makes it): (name in the statement, SQL type). The text
# arrays go in psycopg's binary format (%b): in its text format each element was checked for
# quoting by a regular expression in Python, 2,400 of them an invoice. The whole numbers go
# as the text of an array literal, joined here (half the time of the binary dump, and no
# element of one needs quoting).
LINE_ARRAYS = (
    *((name, "integer") for name in ("a", "p", "acc", "n")),
    ("kind", "varchar"),
    *((name, "integer") for name in ("h", "rate", "amount")),
    ("state", "varchar"),
    ("reason", "varchar"),
)
UNNEST_LINES = (
    "unnest("
    + ", ".join(
        f"%s::{kind}[]" if kind == "integer" else f"%b::{kind}[]" for _, kind in LINE_ARRAYS
    )
    + ") AS l("
    + ", ".join(name for name, _ in LINE_ARRAYS)
    + ")"
)


def _array(column: tuple, kind: str):
    """A column of the lines as its parameter: whole numbers as an array literal's text."""
    if kind != "integer":
        return list(column)
    if None in column:  # the periods this invoice makes
        column = ("NULL" if n is None else n for n in column)
    return "{" + ",".join(map(str, column)) + "}"


# The invoice, its new periods, its lines and its audit row; the invoice's id beside each
# new period's (agreement, id), in one row with nulls when every period was made before.
# (The names are the models' columns; every value is a parameter.)
RECEIVED = (
    f'WITH invoice AS (INSERT INTO "isf_invoices" ({_names(INVOICE_COLUMNS)}) '  # noqa: S608
    f'VALUES ({_marks(INVOICE_COLUMNS)}) RETURNING "id"), '
    f"periods AS ({PERIOD_INSERT}"
    "SELECT a, acc, %s::date, %s::date, h, %s "
    "FROM unnest(%b::integer[], %b::integer[], %b::integer[]) AS t(a, acc, h)"
    f"{RETURNING}), "
    f'lines AS (INSERT INTO "isf_invoice_lines" ({_names(LINE_COLUMNS)}) '
    "SELECT invoice.id, l.a, coalesce(l.p, periods.id), l.acc, l.n, l.kind, l.h, l.rate, "
    f"l.amount, l.state, l.reason FROM invoice CROSS JOIN {UNNEST_LINES} "
    "LEFT JOIN periods ON periods.agreement_id = l.a ORDER BY l.n), "  # ids in the file's order
    f'received AS (INSERT INTO "audit_events" ("occurred_at", "object_id", '
    f"{_names(AUDIT_COLUMNS)}) "
    f"SELECT %s, invoice.id, {_marks(AUDIT_COLUMNS)} FROM invoice) "
    "SELECT invoice.id, periods.agreement_id, periods.id FROM invoice LEFT JOIN periods ON true"
)
_INSERT_INVOICE = insert(IsfInvoice.__table__).returning(IsfInvoice.__table__.c.id)


def write_invoice(data, org, actor, priced: list[tuple], received: dict[str, Any]) -> IsfInvoice:
    """Write the checked invoice `data` of `priced` lines (invoice_services._priced) and the
    audit row `received` (audit.row_values, its object the invoice): the invoice as the
    session's object, with no query to read it back."""
    values = {
        "organisation_id": org.id,
        "provider_reference": data.reference.strip(),
        "period_start": data.period_start,
        "period_end": data.period_end,
        "status": str(InvoiceStatus.RECEIVED),
        "source": data.source,
        "original_name": data.original_name,
        "stored_name": data.stored_name,
        "sha256": data.sha256,
        "total_pence": sum(line[5] for line in priced),
        "submitted_by_id": actor.id,
        "submitted_at": utcnow(),
    }
    people = list({p.agreement_id: p for p, *_ in priced}.values())
    period = Period(data.period_start, data.period_end)
    missing = {p.agreement_id: p for p in people if p.period_id is None}
    rows = _planned(list(missing.values()), period)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        lines = [(p.agreement_id, p.period_id, p.account_id, *rest) for p, *rest in priced]
        invoice_id, made = _received(connection, values, rows, period, lines, received)
    else:
        invoice_id = connection.execute(_INSERT_INVOICE, values).scalar_one()
        made = _insert_periods(connection, rows, period) if rows else []
        db.session.add(audit.AuditEvent(**{**received, "object_id": invoice_id}))  # as record
    for agreement_id, period_id in made:
        missing[agreement_id].period_id = period_id
    if connection.dialect.name != "postgresql":
        insert_tuples(
            db.session,
            IsfInvoiceLine.__table__,
            LINE_COLUMNS,
            [(invoice_id, p.agreement_id, p.period_id, p.account_id, *r) for p, *r in priced],
        )
    invoice = IsfInvoice(id=invoice_id, **values)
    make_transient_to_detached(invoice)  # a row the database holds, whose id is known
    db.session.add(invoice)
    return invoice


def _planned(people: list, period: Period) -> list[tuple[int, int, int]]:
    """(agreement id, account id, planned hours) of each period to make: the funded hours a
    week, pro rata."""
    planned = invoices.plans((p.weekly_hundredths for p in people), period)
    return [(p.agreement_id, p.account_id, planned[p.weekly_hundredths]) for p in people]


def _received(connection, values: dict, rows: list, period: Period, lines: list, received):
    """PostgreSQL: the invoice, its new periods, its lines (tuples in LINE_COLUMNS' order
    without the invoice's id) and its audit row in one statement; the invoice's id and each
    new period's (agreement id, period id)."""
    parameters = (
        *(values[name] for name in INVOICE_COLUMNS),
        period.start,
        period.end,
        str(PeriodStatus.OPEN),
        *([row[n] for row in rows] for n in range(3)),  # agreements, accounts, hours
        *(
            _array(column, kind)
            for column, (_, kind) in zip(zip(*lines, strict=True), LINE_ARRAYS, strict=True)
        ),
        utcnow(),
        *(received[name] for name in AUDIT_COLUMNS),
    )
    found = connection.exec_driver_sql(RECEIVED, parameters).all()
    return found[0][0], [(a, p) for _, a, p in found if a is not None]


def _insert_periods(connection, rows: list[tuple[int, int, int]], period: Period) -> list:
    """Open periods from `period` for (agreement id, account id, planned hours) rows in one
    statement of the driver's own (SQLAlchemy's insert worked out each row's parameters one
    by one, as long again as the rest of an invoice's checks): (agreement id, period id) of
    each. Dates as the text SQLite keeps them as (SQLAlchemy's own format for Date columns)."""
    sql = PERIOD_INSERT + "VALUES " + ", ".join("(?, ?, ?, ?, ?, ?)" for _ in rows) + RETURNING
    start, end, status = period.start.isoformat(), period.end.isoformat(), str(PeriodStatus.OPEN)
    values = tuple(v for a, acc, h in rows for v in (a, acc, start, end, h, status))
    return connection.exec_driver_sql(sql, values).all()
