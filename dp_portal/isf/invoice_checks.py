"""Checking a provider's invoice before anything is written (issue 14, part B), in a few
queries whatever its size: the people it names with what remains of each one's budget for the
year and the invoice's period of their agreement (one query), the provider's agreed rates on
the period's first day (one), the hours already invoiced for the period (one) and the
invoice reference (one). Every problem is collected and named at once; the rules are
invoices.py's. Never commits, never writes.

What remains is worked out as invoices.Remaining says: the agreement's annual budget less what
was paid to organisations for the person this financial year, what is accepted or released
and waiting to be paid, what is held for an officer and the agreed corrections not yet paid
(bench/provider_invoices.py measures it; tests/isf/test_invoice_equivalence.py holds it to
the plain one-person-at-a-time reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, bindparam, func, select
from sqlalchemy.orm import aliased

from ..accounts.models import Account
from ..core.calendar import PaymentSchedule, financial_year_end, financial_year_start
from ..core.errors import RuleError
from ..extensions import db
from ..payments.ledger_models import Payment
from ..payments.models import BudgetLine
from ..payments.rate_models import ProviderRate
from ..third_party.models import Organisation
from . import invoices
from .agreements import PaymentBasis
from .delivery_models import IsfAdjustment, IsfInvoice, IsfInvoiceLine, IsfPeriod
from .lifecycles import AdjustmentStatus, InvoiceStatus, LineState, PeriodStatus
from .models import IsfAgreement, IsfAgreementVersion, IsfFundedLine

WAITING = (LineState.ACCEPTED, LineState.RELEASED)


class InvoiceProblems(RuleError):
    """Every problem found in an invoice, each naming its line or cell. Nothing was saved."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problems: " + "; ".join(problems))
        self.problems = problems


@dataclass(slots=True)
class Person:
    """Someone the provider is paid on invoice for, as the invoice's checks need them."""

    agreement_id: int
    account_id: int
    version_id: int
    budget_pence: int
    weekly_hundredths: int = 0  # funded hours a week: the period's plan
    period_id: int | None = None  # the agreement's period the invoice covers, if made
    sealed: bool = False
    paid_pence: int = 0
    waiting_pence: int = 0
    held_pence: int = 0
    corrections_pence: int = 0

    def remaining(self) -> invoices.Remaining:
        return invoices.Remaining(
            self.budget_pence,
            self.paid_pence,
            self.waiting_pence,
            self.held_pence,
            self.corrections_pence,
        )


@dataclass
class Checked:
    people: dict[str, Person]  # by account reference, in capitals
    rates: dict[str, int] = field(default_factory=dict)  # kind of support: pence an hour


# The statements are built once (their parameters bound at each call): an invoice is
# checked in a few milliseconds, and building the expressions again cost as much.
ORG, DAY = bindparam("org_id", type_=Integer), bindparam("day", type_=Date)
YEAR = (bindparam("year_start", type_=Date), bindparam("year_end", type_=Date))


def _in_force():
    """The provider's people paid on invoice on DAY: (reference, agreement, account,
    version, annual budget)."""
    return (
        select(
            Account.reference,
            IsfAgreement.id,
            Account.id,
            IsfAgreementVersion.id,
            IsfAgreementVersion.annual_budget_pence,
        )
        .join(IsfAgreementVersion, IsfAgreementVersion.agreement_id == IsfAgreement.id)
        .join(Account, Account.id == IsfAgreement.account_id)
        .where(
            IsfAgreement.organisation_id == ORG,
            IsfAgreementVersion.in_force_on(DAY),
            IsfAgreementVersion.payment_basis == PaymentBasis.INVOICE,
        )
    )


def _lines(states, invoice_states):
    """Correlated sum of the person's invoice lines in `states` this year, not yet paid."""
    return (
        select(func.coalesce(func.sum(IsfInvoiceLine.amount_pence), 0))
        .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
        .where(
            IsfInvoiceLine.account_id == Account.id,  # ix_isf_invoice_lines_account_state
            IsfInvoiceLine.state.in_(states),
            IsfInvoiceLine.payment_id.is_(None),
            IsfInvoice.status.in_(invoice_states),
            IsfInvoice.period_start.between(*YEAR),
        )
        .scalar_subquery()
    )


def _sums():
    """Correlated sums for each person: funded hours a week; paid this year, and what is
    committed and not yet paid (waiting, held, agreed corrections)."""
    weekly = (
        select(func.coalesce(func.sum(BudgetLine.hours_hundredths), 0))
        .join(IsfFundedLine, IsfFundedLine.budget_line_id == BudgetLine.id)
        .where(IsfFundedLine.version_id == IsfAgreementVersion.id)
        .scalar_subquery()
    )
    paid = (
        select(func.coalesce(func.sum(Payment.amount_pence), 0))
        .where(
            Payment.account_id == Account.id,
            Payment.payee_type == "organisation",
            Payment.pay_date.between(*YEAR),
        )
        .scalar_subquery()
    )
    waiting = _lines(WAITING, [InvoiceStatus.RECEIVED, InvoiceStatus.APPROVED])
    # A held line waits on an officer (its invoice waits too: none is approved with one).
    held = _lines([LineState.HELD], [InvoiceStatus.RECEIVED])
    # Agreed corrections are paid in the next run, so they count whatever period they correct.
    theirs = aliased(IsfAgreement)
    corrections = (
        select(func.coalesce(func.sum(IsfAdjustment.amount_pence), 0))
        .join(theirs, theirs.id == IsfAdjustment.agreement_id)
        .where(
            IsfAdjustment.status == AdjustmentStatus.PENDING,  # ix_isf_adjustments_status
            theirs.account_id == Account.id,
        )
        .scalar_subquery()
    )
    return weekly, paid, waiting, held, corrections


@cache
def _people_query():
    return (
        _in_force()
        .add_columns(*_sums(), IsfPeriod.id, IsfPeriod.status)
        .outerjoin(
            IsfPeriod,
            (IsfPeriod.agreement_id == IsfAgreement.id) & (IsfPeriod.period_start == DAY),
        )
        .where(Account.reference.in_(bindparam("references", expanding=True)))
    )


@cache
def _committed_query():
    _weekly, *money = _sums()
    return select(*money).select_from(Account).where(Account.id == bindparam("account_id"))


def remaining_for(account_id: int, budget_pence: int, day: date) -> invoices.Remaining:
    """What remains of a budget for the financial year of `day`, as the cap on invoices works
    it out (the person's statement shows it): paid, waiting, held and agreed corrections."""
    paid, waiting, held, corrections = db.session.execute(
        _committed_query(),
        {
            "account_id": account_id,
            "year_start": financial_year_start(day),
            "year_end": financial_year_end(day),
        },
    ).one()
    return invoices.Remaining(budget_pence, int(paid), int(waiting), int(held), int(corrections))


@cache
def _funded_query():
    return _in_force()


def funded_people(org: Organisation, day: date) -> dict[str, Person]:
    """Everyone the provider is paid on invoice for on `day`, by reference (the template)."""
    rows = db.session.execute(_funded_query(), {"org_id": org.id, "day": day})
    return {ref.upper(): Person(*rest) for ref, *rest in rows}


def named_people(org: Organisation, references: set[str], start: date) -> dict[str, Person]:
    """The people an invoice names whom the provider is paid on invoice for on `start`, each
    with their funded hours, what was paid and is waiting this financial year, and the
    agreement's period from `start` (if made): one query."""
    values = {
        "org_id": org.id,
        "day": start,
        "year_start": financial_year_start(start),
        "year_end": financial_year_end(start),
        "references": sorted(references),
    }
    found = {}
    for ref, *ids, budget, weekly, paid, waiting, held, fixes, period, status in db.session.execute(
        _people_query(), values
    ):
        found[ref.upper()] = Person(
            *ids,
            budget,
            int(weekly),
            period,
            status == PeriodStatus.SEALED,
            int(paid),
            int(waiting),
            int(held),
            int(fixes),
        )
    return found


def agreed_rates(org_id: int, day: date, kinds: set[str]) -> dict[str, int]:
    """The provider's agreed rate for each kind of support on `day` (the latest to start on
    or before it, as payments' RateBook reads them), in pence an hour."""
    rows = db.session.execute(
        select(ProviderRate.service_type, ProviderRate.hourly_pence)
        .where(
            ProviderRate.organisation_id == org_id,
            ProviderRate.effective_from <= day,
            ProviderRate.service_type.in_(sorted(kinds)),
        )
        .order_by(ProviderRate.effective_from, ProviderRate.id)
    )
    return dict(rows.all())  # the latest of each kind last, so it wins


def _invoiced(org: Organisation, start: date) -> set[tuple[int, str]]:
    """(agreement, kind of support) already on another invoice for this period."""
    return set(
        db.session.execute(
            select(IsfInvoiceLine.agreement_id, IsfInvoiceLine.service_type)
            .join(IsfInvoice, IsfInvoice.id == IsfInvoiceLine.invoice_id)
            .where(
                IsfInvoice.organisation_id == org.id,
                IsfInvoice.period_start == start,
                IsfInvoice.status != InvoiceStatus.REJECTED,
                IsfInvoiceLine.state != LineState.REFUSED,
            )
        ).all()
    )


def _line_problem(line, person: Person | None, checked: Checked, start: date, seen) -> str:
    key = (person.agreement_id if person else None, line.service_type)
    if person is None:
        return (
            f"{line.where}: {line.reference or 'no reference'} is not a person you are "
            f"paid on invoice for on {start:%d %B %Y}"
        )
    if person.sealed:
        return (
            f"{line.where}: the period for {line.reference} is sealed; ask for a "
            "correction with a change request instead"
        )
    if key in seen:
        return (
            f"{line.where}: {line.reference} already has {line.service_type} hours "
            "invoiced for this period"
        )
    if line.service_type not in checked.rates:
        return (
            f"{line.where}: there is no agreed rate for {line.service_type} support "
            f"on {start:%d %B %Y}"
        )
    return ""


def _problems(org: Organisation, data, checked: Checked) -> list[str]:
    problems, seen = [], _invoiced(org, data.period_start)
    for line in data.lines:
        person = checked.people.get(line.reference.strip().upper())
        problem = _line_problem(line, person, checked, data.period_start, seen)
        if problem:
            problems.append(problem)
        seen.add((person.agreement_id if person else None, line.service_type))
    return problems


def _header_problems(org: Organisation, data, schedule: PaymentSchedule) -> list[str]:
    problems = []
    try:
        invoices.check_period(schedule, data.period_start, data.period_end)
    except RuleError as exc:
        problems.append(str(exc))
    if not data.reference.strip():
        problems.append("Enter your invoice reference")
    elif db.session.execute(
        select(IsfInvoice.id).where(
            IsfInvoice.organisation_id == org.id,
            IsfInvoice.provider_reference == data.reference.strip(),
        )
    ).first():
        problems.append(f"You have already sent an invoice with the reference {data.reference}")
    if not data.lines:
        problems.append("The invoice has no lines of delivered hours")
    return problems


def check_invoice(org: Organisation, data, schedule: PaymentSchedule) -> Checked:
    """Every check, before anything is written: InvoiceProblems names each problem."""
    problems = _header_problems(org, data, schedule)
    # As typed and in capitals: the reference index answers either, and a match is by capitals.
    named = {x.reference.strip() for x in data.lines}
    checked = Checked(
        named_people(org, named | {ref.upper() for ref in named}, data.period_start),
        agreed_rates(org.id, data.period_start, {x.service_type for x in data.lines}),
    )
    problems += _problems(org, data, checked)
    if problems:
        raise InvoiceProblems(problems)
    return checked
