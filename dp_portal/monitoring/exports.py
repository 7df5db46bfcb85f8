"""Returns as spreadsheets (the queue, an account's history); every export is in the audit
log with who took it. Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.money import from_pence
from ..core.spreadsheets import workbook_bytes
from ..extensions import db
from .drafts import figures_of
from .lifecycle import ReturnStatus
from .models import MonitoringReturn
from .review import QueueFilters, queue

QUEUE_EXPORT_LIMIT = 50_000

EXPORT_HEADER = [
    "Account",
    "Supported person",
    "Period start",
    "Period end",
    "Due",
    "Version",
    "Status",
    "Sent",
    "Opening",
    "Money in",
    "Money out",
    "Closing",
    "Bank statement",
    "Surplus",
    "Flags",
]


def export_workbook(
    returns: list[MonitoringReturn], file_name: str, *, actor: User, account_id: int | None = None
) -> bytes:
    """Returns as a spreadsheet, with the download in the audit log."""
    data = workbook_bytes({"Returns": (EXPORT_HEADER, export_rows(returns))})
    audit.record_download(
        actor, "returns", file_name, detail=f"{len(returns)} returns", account_id=account_id
    )
    return data


def export_rows(returns: list[MonitoringReturn]):
    for row in returns:
        figures = figures_of(row)
        yield [
            row.account.reference,
            row.account.person.full_name,
            row.period_start.isoformat(),
            row.period_end.isoformat(),
            row.due_date.isoformat(),
            row.version,
            row.status_label,
            row.submitted_at.date().isoformat() if row.submitted_at else "",
            figures.opening,
            figures.money_in,
            figures.money_out,
            figures.closing,
            figures.bank_balance,
            from_pence(row.surplus_pence),
            "; ".join(flag["message"] for flag in row.flags),
        ]


def history(account_id: int) -> list[MonitoringReturn]:
    return list(
        db.session.execute(
            select(MonitoringReturn)
            .where(
                MonitoringReturn.account_id == account_id,
                MonitoringReturn.status != ReturnStatus.DRAFT,
            )
            .order_by(MonitoringReturn.period_start, MonitoringReturn.version)
        ).scalars()
    )


def queue_workbook(filters: QueueFilters, today: date, *, actor: User) -> bytes:
    """The queue as filtered on the page, every row of it (up to 50,000)."""
    rows = db.session.execute(queue(filters, today).limit(QUEUE_EXPORT_LIMIT)).scalars().all()
    return export_workbook(list(rows), "returns.xlsx", actor=actor)


def history_workbook(account: Account, *, actor: User) -> tuple[bytes, str]:
    """Every version of every return the account has sent, and the file's name."""
    name = f"returns-{account.reference}.xlsx"
    return export_workbook(history(account.id), name, actor=actor, account_id=account.id), name
