"""The audit log page's search: names an officer types turned into the ids the log is indexed
by, then one bounded page of events (core/audit.py, core/pagination.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ..accounts.services import account_id_for_reference
from ..auth.services import find_user_by_email
from ..core.audit import EventFilter, find_events
from ..core.pagination import BoundedPage, bounded_page


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None


def event_filter(
    *, action: str, actor: str, account: str, date_from: date | None, date_to: date | None
) -> EventFilter:
    actor = actor.strip()
    user = find_user_by_email(actor) if actor else None
    account_id = None
    if account.strip():
        account_id = account_id_for_reference(account) or -1  # no such account: no events
    return EventFilter(
        action_prefix=action.strip().lower(),
        actor_id=user.id if user is not None else None,
        by_system=actor.lower() == "system",
        actor_label=actor if user is None else "",
        account_id=account_id,
        occurred_from=_midnight(date_from),
        occurred_before=_midnight(date_to + timedelta(days=1) if date_to else None),
    )


def events_page(wanted: EventFilter, page: int) -> BoundedPage:
    return bounded_page(find_events(wanted), page)
