"""Pages of a long list that cost the same on page 1 and page 200, whatever the table's size.

Counting every matching row (COUNT(*) over 100,000 accounts or a million audit events) was
most of a list page's time, for a number nobody reads past "a lot". A bounded page counts at
most `cap` rows (the list then says "more than 10,000"), and offers pages only within them,
so no page walks further than `cap` rows into the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import Select, func, literal_column, select

from ..extensions import db

PER_PAGE = 50
CAP = 10_000


@dataclass(frozen=True)
class BoundedPage:
    """What the page template reads (the same names as Flask-SQLAlchemy's pagination)."""

    items: list[Any]
    page: int
    per_page: int
    total: int  # at most the cap; `capped` says there are more
    capped: bool

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def count_rows(query: Select) -> int:
    """How many rows `query` has, all of them (its order dropped: it changes no count). For
    a short list's "N in all"; a long list counts at most its cap (bounded_page)."""
    return db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()


def bounded_page(
    query: Select,
    page: int,
    *,
    per_page: int = PER_PAGE,
    cap: int | None = None,
    total: int | None = None,
) -> BoundedPage:
    """Page `page` of `query` (clamped to the pages there are), counting at most `cap` rows
    (CAP unless given). When the caller already knows how many rows there are (`total`,
    such as a payment run's count of payments), nothing is counted and every page is offered."""
    if total is not None:
        page = min(max(page, 1), max(1, ceil(total / per_page)))
        rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
        return BoundedPage(list(rows.scalars().unique()), page, per_page, total, False)
    cap = CAP if cap is None else cap
    # Counted on one narrow column: the rows' other columns (and their joins) are not read.
    narrow = query.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True)
    counted = db.session.execute(
        select(func.count()).select_from(narrow.limit(cap + 1).subquery())
    ).scalar_one()
    last = max(1, ceil(min(counted, cap) / per_page))
    page = min(max(page, 1), last)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    return BoundedPage(
        items=list(rows.scalars().unique()),
        page=page,
        per_page=per_page,
        total=min(counted, cap),
        capped=counted > cap,
    )


def list_page(items: list[Any], page: int, *, per_page: int = PER_PAGE) -> BoundedPage:
    """Page `page` (clamped) of a list already worked out in full, such as a preview."""
    last = max(1, ceil(len(items) / per_page))
    page = min(max(page, 1), last)
    start = (page - 1) * per_page
    return BoundedPage(items[start : start + per_page], page, per_page, len(items), False)
