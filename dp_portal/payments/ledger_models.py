"""Committed payments, the account ledger and recoveries: append-only where money moved.
Money is integer pence."""

from __future__ import annotations

import json
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.audit import append_only
from ..core.money import from_pence
from ..core.types import UTCDateTime, utcnow
from ..extensions import db


@append_only
class Payment(db.Model):
    """A committed payment. Never edited: a correction is an adjustment that references it."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payment_runs.id"))
    period_index: Mapped[int] = mapped_column(Integer, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    payee_type: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="regular")
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    pay_date: Mapped[date] = mapped_column(Date, nullable=False)
    breakdown_json: Mapped[str] = mapped_column(Text, nullable=False)
    corrects_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    payee_name: Mapped[str | None] = mapped_column(String(18))
    sort_code: Mapped[str | None] = mapped_column(String(6))
    account_number: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    account = relationship("Account")

    __table_args__ = (
        # regular: the period's own payment; arrears: money owed for an earlier period (a
        # back-dated rise, or a period withheld), paid in a later run; adjustment: a correction.
        CheckConstraint("kind IN ('regular', 'arrears', 'adjustment')", name="kind"),
        CheckConstraint("payee_type IN ('person', 'organisation')", name="payee_type"),
        CheckConstraint(
            "(kind = 'adjustment') = (corrects_payment_id IS NOT NULL)", name="adjustment_refers"
        ),
        # Exactly once: one regular payment per account, period and payee, whatever happens.
        Index(
            "uq_payments_once_per_period",
            "account_id",
            "period_index",
            "payee_type",
            unique=True,
            sqlite_where=text("kind = 'regular'"),
            postgresql_where=text("kind = 'regular'"),
        ),
        Index("ix_payments_run_id", "run_id"),
        Index("ix_payments_corrects_payment_id", "corrects_payment_id"),
        # A return is reconciled against what was paid into the account in its period.
        Index("ix_payments_account_pay_date", "account_id", "pay_date"),
    )

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)

    @property
    def breakdown(self) -> dict:
        return json.loads(self.breakdown_json)


@append_only
class LedgerEntry(db.Model):
    """Money in and out of an account as the council sees it; balances are sums of entries."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    entry_date: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('payment', 'contribution', 'recovery', 'adjustment')", name="kind"
        ),
        Index("ix_ledger_entries_account_date", "account_id", "entry_date"),
    )

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)


class Recovery(db.Model):
    """Money the council asks back (a surplus), by offset against the next payments or by
    invoice. Raised from a reviewed return, only after a recorded conversation."""

    __tablename__ = "recoveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    recovered_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    source: Mapped[str] = mapped_column(String(120), nullable=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="positive"),
        CheckConstraint(
            "recovered_pence >= 0 AND recovered_pence <= amount_pence", name="recovered"
        ),
        CheckConstraint("method IN ('offset', 'invoice')", name="method"),
        CheckConstraint("status IN ('open', 'recovered', 'cancelled')", name="status"),
    )
