"""Budgets and their lines: what an account should be paid, version by version. Money is
integer pence.

Rate tables are in rate_models.py, payment runs and their lines in run_models.py; payments, the
ledger and recoveries in ledger_models.py."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
