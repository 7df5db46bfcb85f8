"""What each party reads (issue 14): the person's ISF statement (budget for the year, paid so
far, what is committed and not yet paid, hours planned, delivered and banked, what remains:
the same figures that cap the provider's invoices), the provider's home (its people,
agreements awaiting its confirmation, payments) and the council's list of agreements.

Delivered and banked hours come from part B's tables (invoice lines accepted or released,
banked hours rows): nothing until a provider's invoice has been read. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Account
from ..core.calendar import financial_year_end, financial_year_start
from ..core.money import ZERO, from_pence
from ..core.pagination import BoundedPage, bounded_page
from ..core.permissions import Viewer
from ..extensions import db
from ..payments.ledger_models import Payment
from ..third_party.models import Organisation
from .agreements import VersionStatus
from .delivery_models import IsfBankedHours, IsfInvoice, IsfInvoiceLine
from .invoice_checks import remaining_for
from .invoices import Remaining
from .models import IsfAgreement, IsfAgreementVersion
from .scope import agreement_filter, in_force

HUNDRED = Decimal(100)
PAID_LINES = ("accepted", "released")


@dataclass(frozen=True)
class Statement:
    agreement: IsfAgreement
    version: IsfAgreementVersion
    year_start: date
    year_end: date
    money: Remaining  # in pence, as the cap on the provider's invoices works it out
    weekly_hours: Decimal
    planned_hours: Decimal  # from the start of the year (or agreement) to today
    delivered_hours: Decimal
    banked_hours: Decimal

    @property
    def budget(self) -> Decimal:
        return from_pence(self.money.budget_pence)

    @property
    def paid(self) -> Decimal:
        return from_pence(self.money.paid_pence)

    @property
    def waiting(self) -> Decimal:
        """Approved or accepted on the provider's invoices, not yet paid."""
        return from_pence(self.money.waiting_pence)

    @property
    def held(self) -> Decimal:
        """On the provider's invoices, held for an officer as over what remained."""
        return from_pence(self.money.held_pence)

    @property
    def corrections(self) -> Decimal:
        """Corrections agreed with the provider, paid in the next payment run."""
        return from_pence(self.money.corrections_pence)

    @property
    def remaining(self) -> Decimal:
        """The budget less what is paid and what is committed and not yet paid."""
        return from_pence(self.money.pence)

    @property
    def hours_difference(self) -> Decimal:
        return self.delivered_hours - self.planned_hours


def current_version(agreement: IsfAgreement) -> IsfAgreementVersion | None:
    """The version in force, or else the one waiting for confirmations, or else the one that
    ended the agreement, or else the last."""
    by_status = {v.status: v for v in agreement.versions}
    return (
        by_status.get(VersionStatus.ACTIVE)
        or by_status.get(VersionStatus.AWAITING)
        or by_status.get(VersionStatus.ENDED)
        or (agreement.versions[-1] if agreement.versions else None)
    )


def account_agreements(viewer: Viewer, account: Account) -> list[IsfAgreement]:
    return list(
        db.session.execute(
            select(IsfAgreement)
            .where(IsfAgreement.account_id == account.id, agreement_filter(viewer))
            .order_by(IsfAgreement.id)
        ).scalars()
    )


def _hours(pence_like: int | None) -> Decimal:
    return Decimal(pence_like or 0) / HUNDRED


def statement(agreement: IsfAgreement, today: date) -> Statement | None:
    version = current_version(agreement)
    if version is None:
        return None
    year_start = max(financial_year_start(today), version.starts_on)
    year_end = financial_year_end(today)
    money = remaining_for(
        agreement.account_id, agreement.organisation_id, version.annual_budget_pence, today
    )
    weekly = sum((line.budget_line.hours for line in version.funded_lines), ZERO)
    days = max((min(today, year_end) - year_start).days + 1, 0)
    delivered = db.session.execute(
        select(func.coalesce(func.sum(IsfInvoiceLine.hours_hundredths), 0))
        .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
        .where(
            IsfInvoiceLine.agreement_id == agreement.id,
            IsfInvoiceLine.state.in_(PAID_LINES),
            IsfInvoice.period_start >= year_start,
            IsfInvoice.period_start <= year_end,
        )
    ).scalar_one()
    banked = _banked(agreement.id, financial_year_start(today))
    return Statement(
        agreement,
        version,
        year_start,
        year_end,
        money,
        weekly,
        (weekly * days / 7).quantize(Decimal("0.01")),
        _hours(delivered),
        banked,
    )


def _banked(agreement_id: int, year_start: date) -> Decimal:
    rows = db.session.execute(
        select(IsfBankedHours.kind, func.sum(IsfBankedHours.hours_hundredths))
        .where(IsfBankedHours.agreement_id == agreement_id, IsfBankedHours.year_start == year_start)
        .group_by(IsfBankedHours.kind)
    ).all()
    sums = {kind: _hours(total) for kind, total in rows}
    return sums.get("banked", ZERO) - sums.get("used", ZERO)


@dataclass(frozen=True)
class ProviderHome:
    people: list[tuple[IsfAgreement, IsfAgreementVersion]]
    awaiting: list[tuple[IsfAgreement, IsfAgreementVersion, bool]]  # confirmed by us yet?
    payments: list[Payment]
    ended: list[tuple[IsfAgreement, IsfAgreementVersion]]  # past their last day


def provider_home(org: Organisation, today: date) -> ProviderHome:
    """The people the provider supports under an agreement in force, the agreements waiting
    for confirmations, what the council has paid it for them (newest first), and the
    agreements that have ended (the day and why: the person is no longer theirs to see)."""
    agreements = db.session.execute(
        select(IsfAgreement).where(IsfAgreement.organisation_id == org.id).order_by(IsfAgreement.id)
    ).scalars()
    people, awaiting, ended = [], [], []
    for agreement in agreements:
        for version in agreement.versions:
            if version.is_in_force(today):
                people.append((agreement, version))
            elif version.status == VersionStatus.ENDED:
                ended.append((agreement, version))
            if version.status == VersionStatus.AWAITING:
                ours = any(c.party == "provider" for c in version.confirmations)
                awaiting.append((agreement, version, ours))
    accounts = select(IsfAgreement.account_id).where(
        IsfAgreement.organisation_id == org.id, in_force(today)
    )
    payments = db.session.execute(
        select(Payment)
        .where(
            Payment.account_id.in_(accounts),
            Payment.payee_type == "organisation",
            Payment.sort_code == org.pooled_sort_code,
            Payment.account_number == org.pooled_account_number,
        )
        .order_by(Payment.pay_date.desc(), Payment.id.desc())
        .limit(50)
    ).scalars()
    ended.sort(key=lambda row: row[1].ends_on, reverse=True)
    return ProviderHome(people, awaiting, list(payments), ended)


AGREEMENTS_A_PAGE = 50


def agreements_list(page: int) -> BoundedPage:
    """A page of the council's agreements (newest first), each as (agreement, its current
    version), with its person and provider loaded with it: a council has tens of thousands,
    and the page listed every one, with a query each for its account."""
    query = (
        select(IsfAgreement)
        .options(
            joinedload(IsfAgreement.account).joinedload(Account.person),
            joinedload(IsfAgreement.provider),
        )
        .order_by(IsfAgreement.id.desc())
    )
    found = bounded_page(query, page, per_page=AGREEMENTS_A_PAGE)
    return replace(found, items=[(a, current_version(a)) for a in found.items])
