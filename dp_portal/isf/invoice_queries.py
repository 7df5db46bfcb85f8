"""The statements that check a provider's invoice (issue 14, part B), built once with their
parameters bound at each call (an invoice is checked in a few milliseconds, and building the
expressions again cost as much): the people an invoice names, each with the sums that say
what remains of their budget for the year, correlated to them. invoice_checks.py runs them.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Date, Integer, String, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import Account
from ..payments.ledger_models import Payment
from ..payments.models import BudgetLine
from ..payments.rate_models import ProviderRate
from ..payments.rates import ServiceType
from ..third_party.models import Organisation
from .agreements import PaymentBasis
from .delivery_models import IsfAdjustment, IsfInvoice, IsfInvoiceLine, IsfPeriod
from .lifecycles import AdjustmentStatus, InvoiceStatus, LineState
from .models import IsfAgreement, IsfAgreementVersion, IsfFundedLine

WAITING = (LineState.ACCEPTED, LineState.RELEASED)

ORG, DAY = bindparam("org_id", type_=Integer), bindparam("day", type_=Date)
YEAR = (bindparam("year_start", type_=Date), bindparam("year_end", type_=Date))


def _in_force():
    """The provider's people paid on invoice on DAY: (reference, agreement, account,
    version, annual budget)."""
    return (
        select(
            Account.reference.label("reference"),
            IsfAgreement.id.label("agreement_id"),
            Account.id.label("account_id"),
            IsfAgreementVersion.id.label("version_id"),
            IsfAgreementVersion.annual_budget_pence.label("budget_pence"),
        )
        .join(IsfAgreementVersion, IsfAgreementVersion.agreement_id == IsfAgreement.id)
        .join(Account, Account.id == IsfAgreement.account_id)
        .where(
            IsfAgreement.organisation_id == ORG,
            IsfAgreementVersion.in_force_on(DAY),
            IsfAgreementVersion.payment_basis == PaymentBasis.INVOICE,
        )
    )


def _lines(account, org, states, invoice_states):
    """Correlated sum of the person's invoice lines from the provider `org` in `states` this
    year, not yet paid: by the invoice's provider (its primary key), with no lookup of
    each line's agreement."""
    return (
        select(func.coalesce(func.sum(IsfInvoiceLine.amount_pence), 0))
        .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
        .where(
            IsfInvoiceLine.account_id == account,  # ix_isf_invoice_lines_account_state
            IsfInvoiceLine.state.in_(states),
            IsfInvoiceLine.payment_id.is_(None),
            IsfInvoice.status.in_(invoice_states),
            IsfInvoice.period_start.between(*YEAR),
            IsfInvoice.organisation_id == org,
        )
        .scalar_subquery()
    )


def _another_providers(account, org):
    """SQL condition on Payment: paid to another provider of the person's, by its invoices'
    lines or corrections, or to its bank account (what it was paid on the schedule)."""
    theirs, provider = aliased(IsfAgreement), aliased(Organisation)
    linked = [
        exists()
        .where(paid.payment_id == Payment.id, theirs.id == paid.agreement_id)
        .where(theirs.organisation_id != org)
        for paid in (IsfInvoiceLine, IsfAdjustment)  # ix_isf_invoice_lines_payment_id
    ]
    to_their_bank = (
        exists()
        .where(theirs.account_id == account, theirs.organisation_id != org)
        .where(
            provider.id == theirs.organisation_id,
            provider.pooled_sort_code == Payment.sort_code,
            provider.pooled_account_number == Payment.account_number,
        )
        # The person is two queries out: without this the FROM took in every person (the
        # provider's, or every account) instead of matching this one.
        .correlate_except(theirs, provider)
    )
    return or_(*linked, to_their_bank)


def _money(account, org):
    """Correlated sums for the person whose account id is `account`, with the provider `org`:
    paid to organisations this year (but for another provider of theirs: each provider's
    budget is its own), and what is committed to this provider and not yet paid (waiting,
    held, agreed corrections)."""
    paid = (
        select(func.coalesce(func.sum(Payment.amount_pence), 0))
        .where(
            Payment.account_id == account,
            Payment.payee_type == "organisation",
            Payment.pay_date.between(*YEAR),
            ~_another_providers(account, org),
        )
        .scalar_subquery()
    )
    waiting = _lines(account, org, WAITING, [InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED])
    # A held line waits on an officer (its invoice waits too: none is approved with one).
    held = _lines(account, org, [LineState.HELD], [InvoiceStatus.RECEIVED])
    # Agreed corrections are paid in the next run, so they count whatever period they correct.
    theirs = aliased(IsfAgreement)
    corrections = (
        select(func.coalesce(func.sum(IsfAdjustment.amount_pence), 0))
        .join(theirs, theirs.id == IsfAdjustment.agreement_id)
        .where(
            IsfAdjustment.status == AdjustmentStatus.PENDING,  # ix_isf_adjustments_status
            theirs.account_id == account,
            theirs.organisation_id == org,
        )
        .scalar_subquery()
    )
    return paid, waiting, held, corrections


def _agreement_version():
    """Correlated to IsfAgreement: the id of its version in force on DAY, paid on invoice
    (the latest, should two be)."""
    return (
        select(IsfAgreementVersion.id)
        .where(
            IsfAgreementVersion.agreement_id == IsfAgreement.id,  # uq_..._version's first column
            IsfAgreementVersion.in_force_on(DAY),
            IsfAgreementVersion.payment_basis == PaymentBasis.INVOICE,
        )
        .order_by(IsfAgreementVersion.version.desc())
        .limit(1)
        .scalar_subquery()
    )


def _provider_people():
    """The provider's agreements (by its index), each with its account and the version in
    force on DAY, each looked up by its key in a subquery. Subqueries, not joins, so that
    the plan does not hang on the tables' statistics: planned with none (a council's
    agreements loaded in bulk, before autovacuum analyses them), the planner judged "in
    force and paid on invoice" to match one version in the table and read all 100,000 to
    find it, 120 ms an invoice (bench/provider_invoices.py; 2.6 ms once analysed)."""
    return (
        select(
            select(Account.reference)
            .where(Account.id == IsfAgreement.account_id)
            .scalar_subquery()
            .label("reference"),
            IsfAgreement.id.label("agreement_id"),
            IsfAgreement.account_id.label("account_id"),
            _agreement_version().label("version_id"),
            # The agreement's period from DAY, by its unique index for each agreement (a join
            # read every period of the day while the statistics said the table was empty).
            select(IsfPeriod.id)
            .where(IsfPeriod.agreement_id == IsfAgreement.id, IsfPeriod.period_start == DAY)
            .scalar_subquery()
            .label("period_id"),
        )
        .where(IsfAgreement.organisation_id == ORG)  # ix_isf_agreements_organisation_id
        .cte("people")
        .prefix_with("MATERIALIZED")
    )


def _weekly(version_id):
    """The funded hours a week (hundredths) of the agreement version `version_id`: the sum of
    the budget lines it funds, the plan of each of its periods."""
    return (
        select(func.coalesce(func.sum(BudgetLine.hours_hundredths), 0))
        .join(IsfFundedLine, IsfFundedLine.budget_line_id == BudgetLine.id)
        .where(IsfFundedLine.version_id == version_id)
        .scalar_subquery()
    )


@cache
def people_query(dialect: str):
    """The people named (REFERENCES) of those the provider is paid on invoice for on DAY,
    each with their annual budget, funded hours a week, the money sums, the agreement's
    period from DAY and whether it is on an invoice yet. The provider's people are found
    first (MATERIALIZED: PostgreSQL otherwise read every account to match the references),
    then the sums for only the people named."""
    people = _provider_people()
    budget = (
        select(IsfAgreementVersion.annual_budget_pence)
        .where(IsfAgreementVersion.id == people.c.version_id)
        .scalar_subquery()
    )
    weekly = _weekly(people.c.version_id)
    status = select(IsfPeriod.status).where(IsfPeriod.id == people.c.period_id)
    # Whether the period has a line on an invoice already (by the lines' agreement and period
    # index): when none of the people named has one, as on a period's first invoice, the
    # check of what was invoiced before is not asked at all. A LIMIT 1 subquery, not EXISTS:
    # PostgreSQL made the EXISTS a hashed subplan that joined every line to every period, 14
    # ms at 30,000 lines and growing with each invoice.
    invoiced = (
        select(IsfInvoiceLine.id)
        .where(
            IsfInvoiceLine.agreement_id == people.c.agreement_id,
            IsfInvoiceLine.period_id == people.c.period_id,
        )
        .limit(1)
    )
    return (
        select(
            people.c.reference,
            people.c.agreement_id,
            people.c.account_id,
            people.c.version_id,
            budget,
            weekly,
            *_money(people.c.account_id, ORG),
            people.c.period_id,
            status.scalar_subquery(),
            invoiced.scalar_subquery(),
        )
        .select_from(people)
        .where(people.c.version_id.is_not(None), _named(people.c.reference, dialect))
    )


# Between the references in PostgreSQL's one text parameter of them (references_value).
SEPARATOR = "\n"


def _named(reference, dialect: str):
    """SQL condition: `reference` is one of REFERENCES. On PostgreSQL one parameter, split
    into an array by the server: the statement's text stays the same whatever the invoice's
    length, so psycopg reads it once and the server plans it once (two hundred parameters
    cost both more than the query), and one string is passed in a few microseconds where
    psycopg checked each element of a list for quoting. SQLite has no arrays, so a list of
    parameters there."""
    if dialect == "postgresql":
        split = func.string_to_array(bindparam("references", type_=String), SEPARATOR)
        return reference.in_(select(func.unnest(split)))  # split once, not for every row
    return reference.in_(bindparam("references", expanding=True))


def references_value(references: set[str], dialect: str):
    """REFERENCES as _named takes them. A reference typed with the separator in it is split
    in two, and so may find people whom no line names: harmless, as a line is matched to a
    person by its whole reference (invoice_checks), and so matches no one."""
    ordered = sorted(references)
    return SEPARATOR.join(ordered) if dialect == "postgresql" else ordered


@cache
def committed_query():
    """The money sums of one person (ACCOUNT_ID) with one provider (ORG)."""
    return select(*_money(Account.id, ORG)).where(Account.id == bindparam("account_id"))


@cache
def funded_query():
    return _in_force()


@cache
def header_query():
    """One row: an invoice of the provider's with this REFERENCE already (its id, or null),
    and the provider's agreed rate of each kind of support on DAY, null where it has none (the
    latest to start on or before DAY, then the latest added: as payments' RateBook picks
    them). One statement, as an invoice's round trips cost more than these lookups."""
    taken = (
        select(IsfInvoice.id)
        .where(
            IsfInvoice.organisation_id == ORG,
            IsfInvoice.provider_reference == bindparam("reference", type_=String),
        )
        .limit(1)
        .scalar_subquery()
    )
    rates = [
        select(ProviderRate.hourly_pence)
        .where(
            ProviderRate.organisation_id == ORG,
            ProviderRate.effective_from <= DAY,
            ProviderRate.service_type == str(kind),
        )
        .order_by(ProviderRate.effective_from.desc(), ProviderRate.id.desc())
        .limit(1)
        .scalar_subquery()
        .label(str(kind))
        for kind in ServiceType
    ]
    return select(taken.label("taken"), *rates)


@cache
def invoiced_query():
    """(agreement, kind of support) on the provider's invoices of the period from DAY that
    were not rejected, lines not refused."""
    return (
        select(IsfInvoiceLine.agreement_id, IsfInvoiceLine.service_type)
        .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
        .where(
            IsfInvoice.organisation_id == ORG,
            IsfInvoice.period_start == DAY,
            IsfInvoice.status != InvoiceStatus.REJECTED,
            IsfInvoiceLine.state != LineState.REFUSED,
        )
    )


@cache
def unplanned_query():
    """The agreements paid on invoice on DAY (the version in force then, as the invoice's
    checks pick it) with no period from DAY yet: (agreement, account, funded hours a week).
    What the periods job makes, so that a period exists, with its plan, before any invoice."""
    agreements = (
        select(
            IsfAgreement.id.label("agreement_id"),
            IsfAgreement.account_id.label("account_id"),
            _agreement_version().label("version_id"),
        )
        .where(
            ~exists().where(
                IsfPeriod.agreement_id == IsfAgreement.id,  # uq_isf_periods_start
                IsfPeriod.period_start == DAY,
            )
        )
        .subquery()
    )
    return (
        select(agreements.c.agreement_id, agreements.c.account_id, _weekly(agreements.c.version_id))
        .where(agreements.c.version_id.is_not(None))
        .order_by(agreements.c.agreement_id)
    )
