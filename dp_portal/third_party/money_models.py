"""Client money: each managed person's sub-ledger inside the organisation's pooled client
account, the monthly reconciliation of that account, and returns built from a sub-ledger
(shared/design.md 2.5). The rules are client_money/ledger.py and reconciliation.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
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

from ..core.audit import append_only
from ..core.money import from_pence
from ..core.types import UTCDateTime, utcnow
from ..extensions import db

# Each managed person's sub-ledger inside the organisation's pooled client account, and the
# monthly reconciliation of that account (shared/design.md 2.5). Until the organisations work
# adds the pooled account itself, a sub-ledger is keyed on (organisation, account).


class PostingKind(StrEnum):
    """What a sub-ledger line is. Money in is positive, money out negative (sign checked by
    the database); an adjustment may be either and always names the line it corrects."""

    COUNCIL_PAYMENT = "council_payment"
    CONTRIBUTION = "contribution"
    REFUND_RECEIVED = "refund_received"
    PA_WAGES = "pa_wages"
    HMRC = "hmrc"
    PENSION = "pension"
    AGENCY_INVOICE = "agency_invoice"
    PROVIDER_INVOICE = "provider_invoice"
    OTHER_AGREED = "other_agreed"
    FEE = "fee"
    REFUND_TO_COUNCIL = "refund_to_council"
    ADJUSTMENT = "adjustment"

    @property
    def label(self) -> str:
        return POSTING_LABELS[self]

    @property
    def money_in(self) -> bool:
        return self in MONEY_IN


POSTING_LABELS = {
    PostingKind.COUNCIL_PAYMENT: "Council payment",
    PostingKind.CONTRIBUTION: "The person's contribution",
    PostingKind.REFUND_RECEIVED: "Refund received",
    PostingKind.PA_WAGES: "Personal assistant wages",
    PostingKind.HMRC: "HMRC (tax and National Insurance)",
    PostingKind.PENSION: "Pension contributions",
    PostingKind.AGENCY_INVOICE: "Agency invoice",
    PostingKind.PROVIDER_INVOICE: "Provider invoice",
    PostingKind.OTHER_AGREED: "Other agreed spending",
    PostingKind.FEE: "Our fee",
    PostingKind.REFUND_TO_COUNCIL: "Money returned to the council",
    PostingKind.ADJUSTMENT: "Correction",
}
MONEY_IN = frozenset(
    {PostingKind.COUNCIL_PAYMENT, PostingKind.CONTRIBUTION, PostingKind.REFUND_RECEIVED}
)
MONEY_OUT = frozenset(PostingKind) - MONEY_IN - {PostingKind.ADJUSTMENT}


def _quoted(kinds) -> str:
    return ", ".join(f"'{k.value}'" for k in sorted(kinds))


class ClientBalance(db.Model):
    """One person's balance in one organisation's pooled account. Every posting locks this
    row first, so two postings at once cannot both spend the same money (ledger.py)."""

    __tablename__ = "client_balances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    balance_pence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    account = relationship("Account")
    organisation = relationship("Organisation")

    __table_args__ = (
        UniqueConstraint("organisation_id", "account_id", name="uq_client_balances_sub_ledger"),
        # The backstop: one person's money is never used for another's.
        CheckConstraint("balance_pence >= 0", name="not_below_zero"),
        Index("ix_client_balances_account_id", "account_id"),
    )

    @property
    def balance(self) -> Decimal:
        return from_pence(self.balance_pence)


@append_only
class ClientPosting(db.Model):
    """A line of a sub-ledger. Never edited or deleted: a correction is an adjusting entry
    that references the line it corrects."""

    __tablename__ = "client_postings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    balance_id: Mapped[int] = mapped_column(ForeignKey("client_balances.id"), nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False)
    entry_date: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    balance_after_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    corrects_posting_id: Mapped[int | None] = mapped_column(ForeignKey("client_postings.id"))
    # The pooled statement's line this was posted from (each line is posted at most once).
    statement_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("pooled_statement_lines.id"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    created_by = relationship("User")

    __table_args__ = (
        CheckConstraint(f"kind IN ({_quoted(PostingKind)})", name="kind"),
        CheckConstraint(
            f"(kind IN ({_quoted(MONEY_IN)}) AND amount_pence > 0)"
            f" OR (kind IN ({_quoted(MONEY_OUT)}) AND amount_pence < 0)"
            " OR (kind = 'adjustment' AND amount_pence != 0)",
            name="sign",
        ),
        CheckConstraint("balance_after_pence >= 0", name="not_below_zero"),
        CheckConstraint(
            "(kind = 'adjustment') = (corrects_posting_id IS NOT NULL)", name="adjustment_refers"
        ),
        CheckConstraint(
            "(kind = 'council_payment') = (payment_id IS NOT NULL)", name="council_payment_refers"
        ),
        # A committed council payment is posted once, whatever happens.
        UniqueConstraint("payment_id", name="uq_client_postings_payment_id"),
        Index("ix_client_postings_org_date", "organisation_id", "entry_date"),
        Index("ix_client_postings_balance_date", "balance_id", "entry_date", "id"),
        Index("ix_client_postings_corrects", "corrects_posting_id"),
    )

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)

    @property
    def balance_after(self) -> Decimal:
        return from_pence(self.balance_after_pence)

    @property
    def kind_label(self) -> str:
        return PostingKind(self.kind).label


class PooledReconciliation(db.Model):
    """One month of one organisation's pooled client account, reconciled to the penny
    (reconciliation.py holds the rules and the lifecycle)."""

    __tablename__ = "pooled_reconciliations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    month: Mapped[date] = mapped_column(Date, nullable=False)  # the first day of the month
    status: Mapped[str] = mapped_column(String(24), nullable=False, default="open")
    statement_closing_pence: Mapped[int | None] = mapped_column(Integer)
    # Fixed when sent for sign-off: the sub-ledgers' total and the council's payments.
    ledger_total_pence: Mapped[int | None] = mapped_column(Integer)
    council_paid_pence: Mapped[int | None] = mapped_column(Integer)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_note: Mapped[str | None] = mapped_column(String(500))
    # The newest sub-ledger line and statement line when the differences were last listed
    # from the statement (client_money/pooled_differences.py): nothing newer, nothing to redo.
    listed_to_posting_id: Mapped[int | None] = mapped_column(Integer)
    listed_to_line_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organisation = relationship("Organisation")
    prepared_by = relationship("User", foreign_keys=[prepared_by_id])
    signed_off_by = relationship("User", foreign_keys=[signed_off_by_id])

    __table_args__ = (
        UniqueConstraint("organisation_id", "month", name="uq_pooled_reconciliations_month"),
        CheckConstraint("status IN ('open', 'awaiting_sign_off', 'signed_off')", name="status"),
        # Four eyes: whoever prepared the month never signs it off.
        CheckConstraint(
            "signed_off_by_id IS NULL OR signed_off_by_id != prepared_by_id",
            name="second_person",
        ),
        CheckConstraint("(status = 'signed_off') = (signed_off_at IS NOT NULL)", name="sealed"),
    )


class ReconciliationDifference(db.Model):
    """A difference between the bank statement and the sub-ledgers (or the council's payment
    records), with the explanation sign-off needs."""

    __tablename__ = "reconciliation_differences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(
        ForeignKey("pooled_reconciliations.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    # Signed: what the difference adds to the statement beyond the sub-ledgers.
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    # Listed automatically from the statement (client_money/pooled_differences.py): the line
    # or the sub-ledger posting it is about. Manual differences name neither.
    statement_line_id: Mapped[int | None] = mapped_column(ForeignKey("pooled_statement_lines.id"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("client_postings.id"))
    explanation: Mapped[str | None] = mapped_column(Text)
    explained_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('statement_line_not_in_ledger', 'posting_not_on_statement', "
            "'council_payment_not_received', 'council_payment_not_posted')",
            name="kind",
        ),
        CheckConstraint("amount_pence != 0", name="not_zero"),
        CheckConstraint("(explanation IS NULL) = (explained_at IS NULL)", name="explained"),
    )

    KIND_LABELS = {
        "statement_line_not_in_ledger": "On the statement, not in the sub-ledgers",
        "posting_not_on_statement": "In the sub-ledgers, not yet on the statement",
        "council_payment_not_received": "Council payment not yet received",
        "council_payment_not_posted": "Council payment not in the sub-ledgers",
    }

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS[self.kind]

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)


class LedgerReturn(db.Model):
    """A monitoring return built from a sub-ledger: the officer reviewing it sees where its
    figures came from and whether the months it covers were reconciled and signed off."""

    __tablename__ = "ledger_returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_returns.id"), nullable=False, unique=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    reconciled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    postings: Mapped[int] = mapped_column(Integer, nullable=False)
    built_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organisation = relationship("Organisation")


# The pooled account's statements and the fee policy: a module of their own, imported here so
# that one import of third_party.models registers every table.
from . import money_statement_models  # noqa: E402, F401
