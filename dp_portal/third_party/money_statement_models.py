"""Client money's bank statements and fees: the pooled client account's imported statements
and their lines (each assigned to a client's sub-ledger, or left on the statement), what staff
chose for lines like one another, and the organisation's fee policy with the fee charged to
each client per period (client_money/pooled_*.py and fees*.py hold the rules)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.audit import append_only
from ..core.money import from_pence
from ..core.storage import key_in
from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class PooledStatement(db.Model):
    """A statement of an organisation's pooled client account, imported by its staff. The file
    is kept under a random name beside the evidence; its lines are PooledStatementLine rows."""

    __tablename__ = "pooled_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
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

    imported_by = relationship("User")

    # Kept beside accounts' statements (monitoring's STATEMENTS_AREA).
    STORAGE_AREA = "statements"

    @property
    def storage_key(self) -> str:
        return key_in(self.STORAGE_AREA, self.stored_name)

    __table_args__ = (
        CheckConstraint("status IN ('awaiting_columns', 'imported', 'abandoned')", name="status"),
        CheckConstraint("source IN ('CSV', 'OFX')", name="source"),
        Index("ix_pooled_statements_organisation_id", "organisation_id"),
    )


class PooledStatementLine(db.Model):
    """A line of the pooled account's statement: its category (and why), the council payment
    it matches, and the client whose sub-ledger it belongs to (and why). Once posted, the
    sub-ledger line names it (ClientPosting.statement_line_id), or, for a council payment
    posted when the run committed, shares its payment_id. Unique per organisation by its
    fingerprint, so importing the same lines again adds nothing."""

    __tablename__ = "pooled_statement_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("pooled_statements.id"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)
    line_date: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    balance_pence: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    category: Mapped[str] = mapped_column(String(24), nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    assigned_reason: Mapped[str | None] = mapped_column(String(200))

    account = relationship("Account")

    __table_args__ = (
        UniqueConstraint("organisation_id", "fingerprint", name="uq_pooled_lines_fingerprint"),
        Index("ix_pooled_statement_lines_org_date", "organisation_id", "line_date"),
        CheckConstraint("amount_pence != 0", name="not_zero"),
    )

    def money(self) -> Decimal:
        return from_pence(self.amount_pence)


class PooledStatementChoice(db.Model):
    """What staff chose for a pooled statement line (its category, its client), remembered
    for lines like it (monitoring.statements.description_key) in the organisation's next
    statements."""

    __tablename__ = "pooled_statement_choices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    description_key: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str | None] = mapped_column(String(24))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    chosen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("organisation_id", "description_key", name="uq_pooled_choices_key"),
    )


FEE_PERIODS = {"four_weeks": "every 4 weeks", "month": "a month"}


@append_only
class FeePolicy(db.Model):
    """The organisation's fee per client, from a date: never edited (a change is a new row
    from a later date), set by a council finance officer or administrator."""

    __tablename__ = "fee_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    per: Mapped[str] = mapped_column(String(12), nullable=False)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    set_by = relationship("User")

    __table_args__ = (
        UniqueConstraint("organisation_id", "effective_from", name="uq_fee_policies_from"),
        CheckConstraint("amount_pence >= 0", name="not_negative"),
        CheckConstraint("per IN ('four_weeks', 'month')", name="per"),
    )

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)

    @property
    def per_label(self) -> str:
        return FEE_PERIODS[self.per]


class FeeCharge(db.Model):
    """The fee for one client and one period: made once (its unique key), posted to the
    client's sub-ledger, or refused with the reason while the balance is too low (the daily
    job tries a refused one again, and posts it once the money is there)."""

    __tablename__ = "fee_charges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    policy_id: Mapped[int] = mapped_column(ForeignKey("fee_policies.id"), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("client_postings.id"), unique=True)
    refused_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    account = relationship("Account")

    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "account_id", "period_start", name="uq_fee_charges_period"
        ),
        CheckConstraint("(posting_id IS NULL) = (refused_reason IS NOT NULL)", name="outcome"),
        CheckConstraint("amount_pence > 0", name="positive"),
    )

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)
