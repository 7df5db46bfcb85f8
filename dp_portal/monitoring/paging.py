"""A page of a long list, counted only so far: counting a million returns or audit events on
every view would cost more than showing the page. Up to COUNT_UP_TO rows the page says exactly
how many there are; beyond, "more than". (Belongs in core beside Flask-SQLAlchemy's paginate,
whose exact count it replaces, once core is free to change.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from ..extensions import db

COUNT_UP_TO = 10_000


@dataclass(frozen=True)
class CappedPage:
    items: list[Any]
    page: int
    per_page: int
    total: int  # exact, unless `more`: then at least this many
    more: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.more or self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def capped_page(query: Select, key: ColumnElement, page: int, per_page: int = 50) -> CappedPage:
    """Page `page` (from 1) of `query`'s rows, and how many rows there are, counted up to
    COUNT_UP_TO or just past this page, whichever is further. The count reads only `key`
    (the listed table's id) under the query's conditions: no joins, no other columns."""
    page = max(page, 1)
    offset = (page - 1) * per_page
    items = list(db.session.execute(query.limit(per_page).offset(offset)).unique().scalars())
    cap = max(COUNT_UP_TO, offset + per_page)
    keys = select(key)
    if query.whereclause is not None:
        keys = keys.where(query.whereclause)
    counted = db.session.execute(
        select(func.count()).select_from(keys.limit(cap + 1).subquery())
    ).scalar()
    return CappedPage(items, page, per_page, min(counted or 0, cap), (counted or 0) > cap)
