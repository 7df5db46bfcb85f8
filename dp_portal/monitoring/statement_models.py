"""The bank statements people import for their accounts (statement_services.py): each
import, its lines, the columns chosen for a CSV layout and the categories chosen for a
description. Money is integer pence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.money import from_pence
from ..core.storage import key_in
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from .models import STATEMENTS_AREA


class StatementImport(db.Model):
    """A bank statement file imported for an account (statement_services.py). Its lines are
    StatementLine rows; the file itself is kept, under a random name, beside the evidence."""

    __tablename__ = "statement_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    original_name: Mapped[str] = mapped_column(String(200), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    layout_key: Mapped[str | None] = mapped_column(String(32))
    line_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closing_balance_pence: Mapped[int | None] = mapped_column(Integer)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    @property
    def storage_key(self) -> str:
        return key_in(STATEMENTS_AREA, self.stored_name)

    __table_args__ = (
        CheckConstraint("status IN ('awaiting_columns', 'imported', 'abandoned')", name="status"),
        CheckConstraint("source IN ('CSV', 'OFX')", name="source"),
        Index("ix_statement_imports_account_sha256", "account_id", "sha256"),
    )


class StatementLine(db.Model):
    """One line of money in or out from an imported statement, with its category (and why)
    and, for a council payment, the committed payment it matches. Unique per account by its
    fingerprint (statements.fingerprints): importing the same lines again adds nothing."""

    __tablename__ = "statement_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("statement_imports.id"), nullable=False, index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)
    line_date: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    balance_pence: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    category: Mapped[str] = mapped_column(String(24), nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)

    __table_args__ = (
        UniqueConstraint("account_id", "fingerprint", name="uq_statement_lines_fingerprint"),
        Index("ix_statement_lines_account_date", "account_id", "line_date"),
    )

    def money(self) -> Decimal:
        return from_pence(self.amount_pence)


class StatementLayout(db.Model):
    """The columns a person chose for a CSV layout their bank uses (no column names, or
    ambiguous ones), remembered for their next file of the same layout."""

    __tablename__ = "statement_layouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    layout_key: Mapped[str] = mapped_column(String(32), nullable=False)
    columns_json: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (UniqueConstraint("user_id", "layout_key", name="uq_statement_layouts_key"),)


class StatementChoice(db.Model):
    """A category the person chose for a line, remembered for lines like it on this account
    (statements.description_key)."""

    __tablename__ = "statement_choices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    description_key: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(24), nullable=False)
    chosen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("account_id", "description_key", name="uq_statement_choices_key"),
    )
