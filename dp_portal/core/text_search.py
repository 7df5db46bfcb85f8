"""Prefix matches that an index answers, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_


def starts_with_range(column, prefix: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, written as a range (a plain B-tree index answers it; on
    SQLite LIKE 'x%' cannot use one). Exact for text compared code point by code point (SQLite,
    and letters and digits under any PostgreSQL collation)."""
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < after)


def like_escaped(text: str) -> str:
    """`text` with LIKE's wildcards escaped (use with escape='\\\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def glob_escaped(text: str) -> str:
    """`text` with GLOB's wildcards made literal (SQLite)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def starts_with_text(column, prefix: str, dialect: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, for any text: LIKE on PostgreSQL (answered by an index
    with varchar_pattern_ops whatever the collation), GLOB on SQLite (answered by its
    ordinary index; both are case-sensitive)."""
    if dialect == "sqlite":
        return column.op("GLOB")(glob_escaped(prefix) + "*")
    return column.like(like_escaped(prefix) + "%", escape="\\")
