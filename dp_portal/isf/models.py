"""Option 2 individual service funds (ISF, issue 14): providers' services and contacts, and
three-party agreements (the person, the council and the provider) in versions that each party
confirms on screen.

A provider is a third_party Organisation of the provider kind; its bank account is the
organisation's approved (four-eyes) account, and its agreed hourly rates per service type
are payments' ProviderRate rows. The agreement's lifecycle is in agreements.py; what part B
of the issue uses (periods, invoices, banked hours, change requests, adjustments) is in
delivery_models.py, imported at the end so that one import registers every table.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.money import from_pence
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from ..payments.models import SERVICE_TYPES


class ProviderService(db.Model):
    """A kind of support a provider offers (payments.rates.ServiceType), in its own words."""

    __tablename__ = "provider_services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    service_type: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        UniqueConstraint("organisation_id", "service_type", name="uq_provider_services_type"),
        CheckConstraint(SERVICE_TYPES, name="service_type"),
    )


class ProviderContact(db.Model):
    """Someone at the provider the council talks to (a manager, the finance contact)."""

    __tablename__ = "provider_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    job_title: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class IsfAgreement(db.Model):
    """The arrangement between a person's account and a provider; its terms are versions."""

    __tablename__ = "isf_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    account = relationship("Account")
    provider = relationship("Organisation")
    versions = relationship(
        "IsfAgreementVersion",
        order_by="IsfAgreementVersion.version",
        back_populates="agreement",
        lazy="selectin",
    )

    # What an invoice line's key names: its agreement and that agreement's account together.
    __table_args__ = (UniqueConstraint("id", "account_id"),)


# The statuses whose terms apply between the version's start and end dates: an agreement
# ended from a date stays in force up to that date.
IN_FORCE = ("active", "ended")


class IsfAgreementVersion(db.Model):
    """One set of terms, confirmed by all three parties before it is in force. A change is a
    new version (the older one stays readable); states and moves are in agreements.py."""

    __tablename__ = "isf_agreement_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("isf_agreements.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default="awaiting")
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    annual_budget_pence: Mapped[int] = mapped_column(Integer, nullable=False)
    # The approved budget version whose provider lines this agreement funds (isf_funded_lines).
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), nullable=False)
    # Who confirms for the person: the person, or one of their representatives.
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("representatives.id"))
    money_holder: Mapped[str] = mapped_column(String(16), nullable=False)
    payment_basis: Mapped[str] = mapped_column(String(16), nullable=False)
    # The provider's management fee: hundredths of a percent of the budget (5% is 500).
    management_fee_bp: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    contribution_to: Mapped[str] = mapped_column(String(16), nullable=False)
    bankable_hours_hundredths: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reporting_frequency: Mapped[str] = mapped_column(String(16), nullable=False)
    underspend: Mapped[str] = mapped_column(String(16), nullable=False)
    change_note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Ending an agreement (agreements.py): who ended it and why; ends_on is its last day.
    end_reason: Mapped[str | None] = mapped_column(String(500))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agreement = relationship("IsfAgreement", back_populates="versions")
    budget = relationship("Budget")
    representative = relationship("Representative")
    confirmations = relationship(
        "IsfConfirmation", order_by="IsfConfirmation.confirmed_at", lazy="selectin"
    )
    funded_lines = relationship("IsfFundedLine", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("agreement_id", "version", name="uq_isf_agreement_versions_version"),
        CheckConstraint(
            "status IN ('awaiting', 'active', 'superseded', 'withdrawn', 'ended')", name="status"
        ),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("annual_budget_pence > 0", name="budget_positive"),
        CheckConstraint("money_holder IN ('council', 'provider')", name="money_holder"),
        CheckConstraint("payment_basis IN ('scheduled', 'invoice')", name="payment_basis"),
        # A provider holding the budget is paid it in advance, on the schedule.
        CheckConstraint(
            "money_holder = 'council' OR payment_basis = 'scheduled'", name="provider_held_paid"
        ),
        CheckConstraint(
            "management_fee_bp >= 0 AND management_fee_bp <= 10000", name="management_fee"
        ),
        CheckConstraint("contribution_to IN ('provider', 'council', 'none')", name="contribution"),
        CheckConstraint("bankable_hours_hundredths >= 0", name="bankable_hours"),
        CheckConstraint(
            "reporting_frequency IN ('four_weekly', 'monthly', 'quarterly')", name="reporting"
        ),
        CheckConstraint("underspend IN ('reviewed', 'returned', 'carried')", name="underspend"),
        CheckConstraint(
            "(status IN ('active', 'superseded', 'ended')) = (activated_at IS NOT NULL)",
            name="activated",
        ),
        # An ended agreement says on which day, who ended it and why.
        CheckConstraint(
            "status != 'ended' OR "
            "(ends_on IS NOT NULL AND end_reason IS NOT NULL AND ended_by_id IS NOT NULL)",
            name="ended",
        ),
        # One version in force and one waiting for confirmations, at most, per agreement.
        Index(
            "uq_isf_agreement_versions_one_active",
            "agreement_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "uq_isf_agreement_versions_one_awaiting",
            "agreement_id",
            unique=True,
            sqlite_where=text("status = 'awaiting'"),
            postgresql_where=text("status = 'awaiting'"),
        ),
    )

    @property
    def annual_budget(self):
        return from_pence(self.annual_budget_pence)

    @classmethod
    def in_force_on(cls, day: date):
        """SQL condition: this version's terms apply on `day` (an ended agreement's, up to
        and including its last day)."""
        return cls.in_force_during(day, day)

    @classmethod
    def in_force_during(cls, first: date, last: date):
        """SQL condition: this version's terms apply on some day from `first` to `last`."""
        return and_(
            cls.status.in_(IN_FORCE),
            cls.starts_on <= last,
            or_(cls.ends_on.is_(None), cls.ends_on >= first),
        )

    def is_in_force(self, day: date) -> bool:
        return (
            self.status in IN_FORCE
            and self.starts_on <= day
            and (self.ends_on is None or self.ends_on >= day)
        )


class IsfFundedLine(db.Model):
    """A budget line (provider hours) that an agreement version funds."""

    __tablename__ = "isf_funded_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("isf_agreement_versions.id"), nullable=False)
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id"), nullable=False)

    budget_line = relationship("BudgetLine", lazy="joined")

    __table_args__ = (
        UniqueConstraint("version_id", "budget_line_id", name="uq_isf_funded_lines_line"),
    )


class IsfConfirmation(db.Model):
    """A party's confirmation of a version on screen: who (the name shown and the signed-in
    account) and when. Never edited; a new version needs new confirmations."""

    __tablename__ = "isf_confirmations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("isf_agreement_versions.id"), nullable=False)
    party: Mapped[str] = mapped_column(String(16), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User")

    __table_args__ = (
        UniqueConstraint("version_id", "party", name="uq_isf_confirmations_party"),
        CheckConstraint("party IN ('person', 'council', 'provider')", name="party"),
    )


from . import delivery_models  # noqa: E402, F401
