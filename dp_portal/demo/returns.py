"""The demo council's returns history: what people sent before today, with some late."""

from __future__ import annotations

import zlib
from datetime import date, timedelta

from ..core.bulk import insert_rows
from ..core.types import utcnow
from ..extensions import db
from ..monitoring.jobs import outstanding_periods
from ..monitoring.models import MonitoringReturn


def demo_returns(as_of: date, late_percent: int) -> int:
    """Returns history for the demo council: every return due before `as_of` sent and accepted,
    except `late_percent` of those due in the last 60 days and 1 in 40 of those due in the
    90 days before, which are still missing (so reminders, escalations and the reminder report
    have something to show). Older periods are all in: a council chases a missing return
    within weeks, not years. Deterministic. Returns
    how many returns it added."""
    recent = as_of - timedelta(days=60)
    overdue = as_of - timedelta(days=150)  # the quarter before: escalated by now

    def late(account_id: int, start: date, due: date) -> bool:
        key = zlib.crc32(f"{account_id}:{start.isoformat()}".encode())
        if due >= recent:
            return key % 100 < late_percent
        return due >= overdue and key % 40 == 0

    now = utcnow()
    table = MonitoringReturn.__table__
    defaults = {c.name: c.default.arg for c in table.columns if c.default and c.default.is_scalar}
    rows = [
        defaults
        | {
            "account_id": account_id,
            "period_start": period.start,
            "period_end": period.end,
            "due_date": period.due,
            "status": "accepted",
            "submitted_at": now,
            "created_at": now,
        }
        for account_id, period in outstanding_periods(as_of)
        if not late(account_id, period.start, period.due)
    ]
    for chunk in range(0, len(rows), 50_000):
        insert_rows(db.session, table, rows[chunk : chunk + 50_000])
    return len(rows)
