"""Rates, budgets, payment runs, payments and the account ledger. Money is integer pence."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.audit import append_only
from ..core.money import from_pence
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from .rate_models import SERVICE_TYPES

HUNDRED = Decimal(100)


class Budget(db.Model):
    """A version of an account's support plan, in force from its date once approved."""

    __tablename__ = "budgets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="proposed")
    weekly_contribution_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    contribution_basis: Mapped[str] = mapped_column(String(8), nullable=False, default="net")
    # The weekly amount when proposed, which decides who may approve it.
    weekly_at_proposal_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))

    lines = relationship("BudgetLine", order_by="BudgetLine.id", lazy="selectin")
    account = relationship("Account")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        UniqueConstraint("account_id", "version", name="uq_budgets_account_version"),
        CheckConstraint("status IN ('proposed', 'approved', 'rejected')", name="status"),
        CheckConstraint("contribution_basis IN ('net', 'gross')", name="contribution_basis"),
        CheckConstraint("weekly_contribution_pence >= 0", name="contribution_not_negative"),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id != proposed_by_id", name="no_self_approval"
        ),
        Index("ix_budgets_account_effective", "account_id", "status", "effective_from"),
    )

    @property
    def weekly_contribution(self) -> Decimal:
        return from_pence(self.weekly_contribution_pence)


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[str] = mapped_column(String(120), nullable=False)
    hours_hundredths: Mapped[int | None] = mapped_column(Integer)
    amount_pence: Mapped[int | None] = mapped_column(Integer)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # Provider hours only: which of the provider's agreed rates prices them.
    service_type: Mapped[str | None] = mapped_column(String(16))

    provider = relationship("Organisation")

    __table_args__ = (
        CheckConstraint(
            "kind IN ('pa_hours', 'provider_hours', 'fixed_weekly', 'fixed_annual')", name="kind"
        ),
        CheckConstraint(
            "(kind IN ('pa_hours', 'provider_hours')) = (hours_hundredths IS NOT NULL)",
            name="hours_for_hours_lines",
        ),
        CheckConstraint(
            "(kind = 'provider_hours') = (provider_id IS NOT NULL)", name="provider_for_option_2"
        ),
        CheckConstraint(
            "(kind = 'provider_hours') = (service_type IS NOT NULL)", name="service_for_option_2"
        ),
        CheckConstraint(f"service_type IS NULL OR {SERVICE_TYPES}", name="service_type"),
        CheckConstraint(
            "(kind IN ('fixed_weekly', 'fixed_annual')) = (amount_pence IS NOT NULL)",
            name="amount_for_fixed_lines",
        ),
        CheckConstraint("hours_hundredths IS NULL OR hours_hundredths > 0", name="hours_positive"),
        CheckConstraint("amount_pence IS NULL OR amount_pence > 0", name="amount_positive"),
    )

    @property
    def hours(self) -> Decimal | None:
        return None if self.hours_hundredths is None else Decimal(self.hours_hundredths) / HUNDRED

    @property
    def amount(self) -> Decimal | None:
        return None if self.amount_pence is None else from_pence(self.amount_pence)


class PaymentRun(db.Model):
    __tablename__ = "payment_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_index: Mapped[int] = mapped_column(Integer, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    pay_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="built")
    # A national run passes £21m, the limit of a 32-bit column in pence.
    total_pence: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    payment_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    withheld_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    built_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the officer chose to pay a period whose pay date had already passed.
    late_reason: Mapped[str | None] = mapped_column(String(500))

    built_by = relationship("User", foreign_keys=[built_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (
        CheckConstraint("status IN ('built', 'approved', 'committed', 'cancelled')", name="status"),
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id != built_by_id", name="two_officers"
        ),
        # One live run per period; a cancelled run can be built again.
        Index(
            "uq_payment_runs_live_period",
            "period_index",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    @property
    def total(self) -> Decimal:
        return from_pence(self.total_pence)


class RunLine(db.Model):
    """What a run proposes for one account: a payment, or a reason to withhold it."""

    __tablename__ = "run_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    payee_type: Mapped[str] = mapped_column(String(16), nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    arrears_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Net payments only: the contribution the person pays in for the period, for the ledger.
    contribution_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Gross payments only: the contribution invoiced for the period.
    invoice_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Recoveries taken from this payment (already deducted from amount_pence).
    offset_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sds_option: Mapped[int] = mapped_column(Integer, nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)  # pay | withhold
    reason: Mapped[str | None] = mapped_column(String(200))
    breakdown_json: Mapped[str] = mapped_column(Text, nullable=False)
    # The payee as it was when the run was built: the approver sees it, the commit pays it
    # (and nothing else), and a later change of bank details makes the run stale.
    payee_name: Mapped[str | None] = mapped_column(String(18))
    sort_code: Mapped[str | None] = mapped_column(String(6))
    account_number: Mapped[str | None] = mapped_column(String(8))
    payee_reference: Mapped[str | None] = mapped_column(String(18))

    account = relationship("Account")

    __table_args__ = (
        UniqueConstraint("run_id", "account_id", name="uq_run_lines_run_account"),
        CheckConstraint("outcome IN ('pay', 'withhold')", name="outcome"),
        # A payment always has somewhere to go.
        CheckConstraint(
            "outcome = 'withhold' OR (sort_code IS NOT NULL AND account_number IS NOT NULL)",
            name="pay_has_payee",
        ),
        CheckConstraint("payee_type IN ('person', 'organisation')", name="payee_type"),
    )

    @property
    def breakdown(self) -> dict:
        return json.loads(self.breakdown_json)

    @property
    def total_pence(self) -> int:
        return self.amount_pence + self.arrears_pence

    @property
    def account_number_masked(self) -> str | None:
        return f"****{self.account_number[-4:]}" if self.account_number else None

    @property
    def sort_code_display(self) -> str | None:
        code = self.sort_code
        return f"{code[0:2]}-{code[2:4]}-{code[4:6]}" if code else None


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


# The rate tables are in rate_models.py; imported here so that one import of payments.models
# registers every table, and the names stay where other modules look for them.
from .rate_models import ProviderRate, RateRow, Uplift  # noqa: E402, F401
