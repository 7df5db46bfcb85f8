"""Monitoring tiers and financial monitoring returns. Money is integer pence."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.money import from_pence
from ..core.storage import key_in
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from .lifecycle import ReturnStatus, TaskStatus, check_constraint
from .reconcile import SPENDING

# Where each kind of file is kept (core/storage keys: area/name). Return evidence has always
# been at the top level; bank statements, of accounts and of pooled accounts, in statements/.
EVIDENCE_AREA = ""
STATEMENTS_AREA = "statements"

SPEND_COLUMNS = [f"spend_{key}_pence" for key, _ in SPENDING]


class TierChange(db.Model):
    """A recorded decision to monitor an account more or less often, from a date."""

    __tablename__ = "monitoring_tier_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    tier: Mapped[str] = mapped_column(String(16), nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint("tier IN ('new', 'standard', 'light', 'monthly')", name="tier"),
    )


class MonitoringReturn(db.Model):
    """A return for one period. Submitted versions are never edited: a resubmission is a new
    version, and the earlier one is kept as superseded (lifecycle.RETURN)."""

    __tablename__ = "monitoring_returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ReturnStatus.DRAFT)

    opening_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    council_payments_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    contributions_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    other_income_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_pa_wages_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_hmrc_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_pension_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_provider_invoices_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_insurance_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_payroll_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_other_agreed_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spend_bank_charges_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closing_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    bank_balance_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    wages_owed_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hmrc_due_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    explanation: Mapped[str] = mapped_column(Text, nullable=False, default="")

    flags_json: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    surplus_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    query_message: Mapped[str | None] = mapped_column(Text)
    # What the officer checked before accepting (required when the return has flags).
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    account = relationship("Account")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])

    __table_args__ = (
        UniqueConstraint(
            "account_id", "period_start", "version", name="uq_monitoring_returns_version"
        ),
        CheckConstraint(check_constraint(ReturnStatus), name="status"),
        CheckConstraint("period_end >= period_start", name="dates"),
        # The queue, oldest first: with the id, PostgreSQL reads a page along the index even
        # when many returns were sent at the same moment (a whole import), instead of sorting.
        Index("ix_monitoring_returns_status_submitted", "status", "submitted_at", "id"),
        Index("ix_monitoring_returns_account_period", "account_id", "period_start"),
    )

    def money(self, column: str) -> Decimal:
        return from_pence(getattr(self, column))

    @property
    def flags(self) -> list[dict[str, str]]:
        return json.loads(self.flags_json)

    @property
    def status_label(self) -> str:
        return ReturnStatus(self.status).label


class Conversation(db.Model):
    """The conversation statutory guidance expects before any recovery: when, with whom, the
    reasons the person gave for the underspend, and the outcome."""

    __tablename__ = "underspend_conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_returns.id"), nullable=False, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    with_whom: Mapped[str] = mapped_column(String(300), nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint("outcome IN ('keep', 'recover', 'review_budget')", name="outcome"),
    )

    OUTCOMES = {
        "keep": "Keep the money for a planned use",
        "recover": "Recover the surplus",
        "review_budget": "Review the budget",
    }


class Evidence(db.Model):
    """A file sent with a return: bank statement, timesheet, payslip, invoice, receipt."""

    __tablename__ = "return_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    original_name: Mapped[str] = mapped_column(String(200), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (Index("ix_return_evidence_account_period", "account_id", "period_start"),)

    KINDS = {
        "bank_statement": "Bank statement",
        "timesheet": "Timesheet",
        "payslip": "Payslip",
        "hmrc": "HMRC or pension payment",
        "insurance": "Insurance certificate",
        "invoice": "Invoice",
        "receipt": "Receipt",
        "contribution": "Proof the contribution was paid",
        "other": "Other",
    }

    # Shown on the review page (served inline); anything else is only ever downloaded.
    PREVIEWS = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}

    @property
    def preview(self) -> str | None:
        return self.PREVIEWS.get(self.content_type)

    @property
    def storage_key(self) -> str:
        return key_in(EVIDENCE_AREA, self.stored_name)


class ReminderPolicy(db.Model):
    """A version of the published reminder timetable, in force from a date. Never edited: a
    change is a new version."""

    __tablename__ = "reminder_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    working_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    stages_json: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (CheckConstraint("working_days IN (0, 1)", name="working_days"),)


class ReminderIssue(db.Model):
    """One reminder stage issued for one return period. The unique key is what makes a stage
    go out at most once, whatever runs the job and however often."""

    __tablename__ = "reminder_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    stage_date: Mapped[date] = mapped_column(Date, nullable=False)
    policy_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("account_id", "period_start", "stage", name="uq_reminder_issues_stage"),
        Index("ix_reminder_issues_stage_date", "stage_date"),
    )


class EscalationTask(db.Model):
    """A finance officer's task opened when a return reaches the escalation stage: consider
    suspending payments. One per account and period. Its life (lifecycle.TASK): open ->
    suspended (the account is suspended, waiting to be reinstated) -> closed; or open ->
    closed with no suspension."""

    __tablename__ = "escalation_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    account = relationship("Account", lazy="joined", innerjoin=True)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=TaskStatus.OPEN)
    outcome: Mapped[str | None] = mapped_column(String(24))
    return_received_on: Mapped[date | None] = mapped_column(Date)
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("account_id", "period_start", name="uq_escalation_tasks_period"),
        CheckConstraint(check_constraint(TaskStatus), name="status"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN "
            "('no_suspension', 'return_received', 'reinstated', 'account_closed')",
            name="outcome",
        ),
        Index("ix_escalation_tasks_status", "status", "opened_on"),
    )

    STATUSES = {status.value: status.label for status in TaskStatus}
    OUTCOMES = {
        "no_suspension": "Closed without suspending payments",
        "return_received": "Closed: the return arrived before a decision",
        "reinstated": "Payments reinstated",
        "account_closed": "Closed: the account was closed",
    }


class ExpectedReturn(db.Model):
    """A return period, begun by the last refresh, whose return is owed and not yet sent
    (none, a draft, or a queried one), for an account not closed. Kept as returns are sent
    or queried, tiers change and accounts change (monitoring/expected.py), and rebuilt by each
    morning's reminder run, so that the reminder report counts overdue returns by reading it
    rather than working out every account's periods on every view."""

    __tablename__ = "expected_returns"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)


class SummaryRefresh(db.Model):
    """The day a whole-council summary was last rebuilt (its rows are complete up to it)."""

    __tablename__ = "summary_refreshes"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    refreshed_on: Mapped[date] = mapped_column(Date, nullable=False)


class ReminderTally(db.Model):
    """How many reminders of a stage, for returns due on a day, were dated on a day and
    really issued on a day (the UK day of issued_at): the reminder report's figures, added to
    in the transaction that issues the reminders."""

    __tablename__ = "reminder_tallies"

    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    stage_date: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    issued_on: Mapped[date] = mapped_column(Date, primary_key=True)
    reminders: Mapped[int] = mapped_column(Integer, nullable=False)
