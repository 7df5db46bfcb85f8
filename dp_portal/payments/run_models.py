"""Payment runs and the line each proposes per account. Money is integer pence."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
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

PAID_ORGANISATIONS = "outcome = 'pay' AND payee_type = 'organisation'"
# The few paid lines the commit reads back, each through a partial index of its own by run
# (migration 0036): arrears become payments of their own periods, offsets are recorded
# against their recoveries, and a contribution invoiced (gross payment) is a letter.
READ_BACK = {
    "ix_run_lines_paid_arrears": "outcome = 'pay' AND arrears_pence <> 0",
    "ix_run_lines_paid_offsets": "outcome = 'pay' AND offset_pence > 0",
    "ix_run_lines_paid_invoices": "outcome = 'pay' AND invoice_pence > 0",
}


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
    # When the run's totals and its changes since the last committed run were worked out (at
    # the build; run_summary.py), and which run it was compared with.
    summarised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    compared_with_run_id: Mapped[int | None] = mapped_column(ForeignKey("payment_runs.id"))

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


@append_only
class RunLine(db.Model):
    """What a run proposes for one account: a payment, or a reason to withhold it. Never
    changed once written: it is what the approver approved, the commit copied into payments
    and the bank file pays (run_files.run_transfers). A different proposal is a new run."""

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
        # Partial indexes (migration 0031): the run page and its approval read the lines paying
        # an organisation (checked against the pooled accounts, run_review._payees_moved) and
        # the withheld lines, a few in every hundred thousand, without reading the whole run.
        Index(
            "ix_run_lines_paid_organisations",
            "run_id",
            "account_id",
            postgresql_include=["payee_name", "sort_code", "account_number"],
            sqlite_where=text(PAID_ORGANISATIONS),
            postgresql_where=text(PAID_ORGANISATIONS),
        ),
        Index(
            "ix_run_lines_withheld",
            "run_id",
            "account_id",
            sqlite_where=text("outcome = 'withhold'"),
            postgresql_where=text("outcome = 'withhold'"),
        ),
        *(
            Index(name, "run_id", sqlite_where=text(lines), postgresql_where=text(lines))
            for name, lines in READ_BACK.items()
        ),
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


class RunTotal(db.Model):
    """A run's paid lines and total for one SDS option and payee type, or its withheld lines
    for one reason: kept at the build so the run's page does not add up 100,000 lines."""

    __tablename__ = "run_totals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), nullable=False, index=True)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    sds_option: Mapped[int | None] = mapped_column(Integer)
    payee_type: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))
    lines: Mapped[int] = mapped_column(Integer, nullable=False)
    total_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        CheckConstraint("outcome IN ('pay', 'withhold')", name="outcome"),
        CheckConstraint("lines > 0", name="lines"),
    )


class RunChange(db.Model):
    """A paid line an approver should look at twice, against the run it was compared with:
    a new payee, new bank details, or an amount more than 10% up or down."""

    __tablename__ = "run_changes"

    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    before_pence: Mapped[int | None] = mapped_column(Integer)  # None: not paid last time
    new_payee: Mapped[bool] = mapped_column(Boolean, nullable=False)
    new_bank_details: Mapped[bool] = mapped_column(Boolean, nullable=False)
    big_change: Mapped[bool] = mapped_column(Boolean, nullable=False)


class RunPageStart(db.Model):
    """The first paid line of each page of a run's paid lines (50 a page, in account order),
    kept at the build: page 1,000 then reads its 50 lines from the index, not 50,000 before."""

    __tablename__ = "run_page_starts"

    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_account_id: Mapped[int] = mapped_column(Integer, nullable=False)


class RunChanger(db.Model):
    """Someone who changed (or asked to change) something a run pays on, since the last
    committed run and up to its build: how many of its accounts, by kind of change. Kept at
    the build, so the run's page knows who may not approve it without reading every change."""

    __tablename__ = "run_changers"

    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), primary_key=True)
    action: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    accounts: Mapped[int] = mapped_column(Integer, nullable=False)


@append_only
class RunBankFile(db.Model):
    """A committed run's bank file (Bacs Standard 18 'txt', or CSV), made at its first
    download and kept through core/storage: every later download is the same bytes, so what
    the bank received can be shown years later whatever the settings have become since."""

    __tablename__ = "run_bank_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), nullable=False)
    fmt: Mapped[str] = mapped_column(String(4), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("run_id", "fmt", name="uq_run_bank_files_run_fmt"),
        CheckConstraint("fmt IN ('txt', 'csv')", name="fmt"),
    )
