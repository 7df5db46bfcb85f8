"""What happens under an ISF agreement once it is in force (issue 14, part B): the periods
(planned hours; sealed once reconciled against a provider's invoice), the provider's invoices
of delivered hours and their lines (accepted, or held over the cap and then released or
refused), banked hours, change requests to a sealed period with their conversation, and the
adjustment lines an agreed change request pays in the next run (never an edit of the period).

The states and allowed moves of each are in lifecycles.py. Money is integer pence; hours are
integer hundredths of an hour.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.storage import key_in
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from ..payments.models import SERVICE_TYPES


class IsfPeriod(db.Model):
    """One payment period of an agreement: hours planned, and once reconciled against the
    provider's invoice, sealed (later corrections are change requests)."""

    __tablename__ = "isf_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The agreement and its person's account: one key to the agreement (below), so that a
    # line's one key to its period (IsfInvoiceLine) proves its agreement and account too.
    agreement_id: Mapped[int] = mapped_column(Integer, nullable=False)
    account_id: Mapped[int] = mapped_column(Integer, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    planned_hours_hundredths: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sealed_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("isf_invoices.id"))

    agreement = relationship("IsfAgreement")

    __table_args__ = (
        ForeignKeyConstraint(
            ["agreement_id", "account_id"],
            ["isf_agreements.id", "isf_agreements.account_id"],
            name="fk_isf_periods_agreement_account",
        ),
        # What an invoice line's key refers to (the id alone is unique already).
        UniqueConstraint("id", "agreement_id", "account_id", name="uq_isf_periods_key"),
        UniqueConstraint("agreement_id", "period_start", name="uq_isf_periods_start"),
        CheckConstraint("period_end >= period_start", name="dates"),
        CheckConstraint("planned_hours_hundredths >= 0", name="planned"),
        CheckConstraint("status IN ('open', 'sealed')", name="status"),
        CheckConstraint("(status = 'sealed') = (sealed_at IS NOT NULL)", name="sealed_at"),
        # The periods not sealed yet, oldest first (the finance page, the year-end report):
        # every agreement's period is opened on its first day, and most are sealed later.
        Index(
            "ix_isf_periods_open",
            "period_start",
            "id",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


# Where an uploaded invoice's file is kept (core/storage); the row records its name there.
INVOICES_AREA = "invoices"


class IsfInvoice(db.Model):
    """A provider's invoice of delivered hours, entered on a form or uploaded as XLSX (the
    file kept as it was sent: `stored_name` in INVOICES_AREA, with its SHA-256)."""

    __tablename__ = "isf_invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    provider_reference: Mapped[str] = mapped_column(String(40), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received")
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    original_name: Mapped[str | None] = mapped_column(String(200))
    stored_name: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64))
    total_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))

    lines = relationship("IsfInvoiceLine", order_by="IsfInvoiceLine.id", back_populates="invoice")

    @property
    def storage_key(self) -> str:
        return key_in(INVOICES_AREA, self.stored_name)

    __table_args__ = (
        UniqueConstraint("organisation_id", "provider_reference", name="uq_isf_invoices_ref"),
        CheckConstraint("period_end >= period_start", name="dates"),
        CheckConstraint("status IN ('received', 'approved', 'paid', 'rejected')", name="status"),
        CheckConstraint("source IN ('form', 'upload')", name="source"),
        CheckConstraint("total_pence >= 0", name="total"),
        Index("ix_isf_invoices_organisation_status", "organisation_id", "status"),
    )


class IsfInvoiceLine(db.Model):
    """Delivered hours for one person and period. Within what remains of the person's budget
    for the year it is accepted; over it, held for an officer with the reason shown, then
    released or refused with a note."""

    __tablename__ = "isf_invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("isf_invoices.id"), nullable=False)
    # The period, its agreement and the agreement's account: one key to the period (below),
    # which proves all three belong together (the period's own key is to the agreement).
    agreement_id: Mapped[int] = mapped_column(Integer, nullable=False)
    period_id: Mapped[int] = mapped_column(Integer, nullable=False)
    account_id: Mapped[int] = mapped_column(Integer, nullable=False)
    row_number: Mapped[int | None] = mapped_column(Integer)  # the sheet row it was read from
    service_type: Mapped[str] = mapped_column(String(16), nullable=False)
    hours_hundredths: Mapped[int] = mapped_column(Integer, nullable=False)
    rate_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    hold_reason: Mapped[str | None] = mapped_column(String(300))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))

    invoice = relationship("IsfInvoice", back_populates="lines")

    __table_args__ = (
        # One check a line where the period's, the agreement's and the account's keys were
        # three, then two: PostgreSQL checks a key for each row written, and an invoice
        # writes hundreds of lines at once (bench/provider_invoices.py: a 200-line invoice's
        # lines took 5.6 ms of the server's CPU with two keys, 4.3 with this one). It also
        # proves what the two did not: that the line's period is its agreement's.
        ForeignKeyConstraint(
            ["period_id", "agreement_id", "account_id"],
            ["isf_periods.id", "isf_periods.agreement_id", "isf_periods.account_id"],
            name="fk_isf_invoice_lines_period_key",
        ),
        CheckConstraint(SERVICE_TYPES, name="service_type"),
        CheckConstraint("hours_hundredths > 0", name="hours"),
        CheckConstraint("rate_pence > 0 AND amount_pence >= 0", name="money"),
        CheckConstraint("state IN ('accepted', 'held', 'released', 'refused')", name="state"),
        # A held line always says why; a released or refused one says who decided and why.
        CheckConstraint("state != 'held' OR hold_reason IS NOT NULL", name="held_reason"),
        CheckConstraint(
            "state NOT IN ('released', 'refused') "
            "OR (decided_by_id IS NOT NULL AND decision_note IS NOT NULL)",
            name="decided",
        ),
        Index("ix_isf_invoice_lines_invoice_id", "invoice_id"),
        Index("ix_isf_invoice_lines_agreement_period", "agreement_id", "period_id"),
        # The lines held for an officer, few among many (a partial index: the others, most
        # of every invoice, are written without it).
        Index(
            "ix_isf_invoice_lines_held",
            "invoice_id",
            sqlite_where=text("state = 'held'"),
            postgresql_where=text("state = 'held'"),
        ),
        # What is waiting to be paid for a person is summed for each line of an invoice.
        Index("ix_isf_invoice_lines_account_state", "account_id", "state"),
        # Which provider a payment paid (each provider's budget counts its own payments);
        # lines not yet paid are not in it.
        Index(
            "ix_isf_invoice_lines_payment_id",
            "payment_id",
            sqlite_where=text("payment_id IS NOT NULL"),
            postgresql_where=text("payment_id IS NOT NULL"),
        ),
    )


class IsfBankedHours(db.Model):
    """Hours put by for later in the year (banked), drawn on (used), or beyond the agreed
    limit at the year end (over_limit: reported, never silently lost). Rows are added, never
    changed; an agreement's balance for a year is their sum."""

    __tablename__ = "isf_banked_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("isf_agreements.id"), nullable=False)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("isf_periods.id"))
    year_start: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    hours_hundredths: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint("kind IN ('banked', 'used', 'over_limit')", name="kind"),
        CheckConstraint("hours_hundredths > 0", name="hours"),
        Index("ix_isf_banked_hours_agreement_year", "agreement_id", "year_start"),
    )


class IsfChangeRequest(db.Model):
    """A correction to a sealed period, argued on screen (not by email) and decided once."""

    __tablename__ = "isf_change_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("isf_agreements.id"), nullable=False)
    period_id: Mapped[int] = mapped_column(ForeignKey("isf_periods.id"), nullable=False)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    raised_by_party: Mapped[str] = mapped_column(String(16), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    hours_hundredths: Mapped[int | None] = mapped_column(Integer)  # signed: more or fewer
    amount_pence: Mapped[int | None] = mapped_column(Integer)  # signed: owed to or by
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    # 10 working days from raising (or from the last answer), then overdue.
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    messages = relationship(
        "IsfChangeMessage", order_by="IsfChangeMessage.id", back_populates="change_request"
    )

    __table_args__ = (
        CheckConstraint("raised_by_party IN ('provider', 'council')", name="party"),
        CheckConstraint(
            "status IN ('open', 'answered', 'agreed', 'refused', 'overdue')", name="status"
        ),
        CheckConstraint(
            "(status IN ('agreed', 'refused')) = (decided_at IS NOT NULL)", name="decided"
        ),
        Index("ix_isf_change_requests_status_due", "status", "due_on"),
        Index("ix_isf_change_requests_agreement_id", "agreement_id"),
    )


class IsfChangeMessage(db.Model):
    """One message in a change request's conversation between provider and council."""

    __tablename__ = "isf_change_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_request_id: Mapped[int] = mapped_column(
        ForeignKey("isf_change_requests.id"), nullable=False, index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    party: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    change_request = relationship("IsfChangeRequest", back_populates="messages")

    __table_args__ = (CheckConstraint("party IN ('provider', 'council')", name="party"),)


class IsfAdjustment(db.Model):
    """What an agreed change request pays (or takes back) in the next run, naming the sealed
    period it corrects."""

    __tablename__ = "isf_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_request_id: Mapped[int] = mapped_column(
        ForeignKey("isf_change_requests.id"), nullable=False, unique=True
    )
    agreement_id: Mapped[int] = mapped_column(ForeignKey("isf_agreements.id"), nullable=False)
    period_id: Mapped[int] = mapped_column(ForeignKey("isf_periods.id"), nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)  # signed
    hours_hundredths: Mapped[int | None] = mapped_column(Integer)  # signed
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payment_runs.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint("amount_pence != 0", name="not_zero"),
        CheckConstraint("status IN ('pending', 'paid', 'cancelled')", name="status"),
        CheckConstraint("status != 'paid' OR payment_id IS NOT NULL", name="paid_has_payment"),
        Index("ix_isf_adjustments_status", "status"),
        # Which provider a payment paid a correction to: the cap check asks it of every
        # payment to an organisation for each person on an invoice (and the remittance of
        # each payment); corrections not yet paid are not in it.
        Index(
            "ix_isf_adjustments_payment_id",
            "payment_id",
            sqlite_where=text("payment_id IS NOT NULL"),
            postgresql_where=text("payment_id IS NOT NULL"),
        ),
    )
