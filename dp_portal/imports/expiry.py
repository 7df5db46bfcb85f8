"""When an import nobody finished is cancelled by the system.

An import holds the rows of a case-management export as text (names, addresses, bank details)
until it is applied or cancelled. One left at "choose the columns", "checked" or "failed" would
keep them for ever; UK GDPR's storage limitation principle (Article 5(1)(e)) says personal
data is kept no longer than needed for its purpose. So an unfinished import that nobody has
touched for `IMPORT_KEPT_DAYS` (default 30: a month-end export can wait for the next month's
go-live checks) is cancelled by the scheduler and its rows dropped; the report stays, as it
does when an officer cancels.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def last_touched(
    created_at: datetime, checked_at: datetime | None, finished_at: datetime | None
) -> datetime:
    """When an officer last did something to the import: uploaded, checked, or saw it fail."""
    return max(moment for moment in (created_at, checked_at, finished_at) if moment is not None)


def abandoned(touched: datetime, now: datetime, days: int) -> bool:
    """Untouched for `days` whole days (24-hour days: the job runs every morning)."""
    return now - touched >= timedelta(days=days)
