"""Checking a provider's invoice before anything is written (issue 14, part B), in a few
queries whatever its size: whether its reference was used before and the provider's agreed
rates on the period's first day (one query), the people it names with what remains of each
one's budget for the year and the invoice's period of their agreement (one), and the hours
already invoiced for the period (one, asked only when one of those periods has lines). Every
problem is collected and named at once; the rules are invoices.py's. Never commits, never
writes.

What remains is worked out as invoices.Remaining says: the agreement's annual budget less what
was paid to organisations for the person this financial year (but for another of the
person's providers: each provider's budget is its own), and this provider's lines accepted
or released and waiting to be paid, held for an officer, and agreed corrections not yet paid
(bench/provider_invoices.py measures it; tests/isf/test_invoice_equivalence.py holds it to
the plain one-person-at-a-time reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..core.calendar import PaymentSchedule, financial_year_end, financial_year_start
from ..core.errors import RuleError
from ..extensions import db
from ..payments.rates import ServiceType
from ..third_party.models import Organisation
from . import invoice_queries, invoices
from .lifecycles import PeriodStatus


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
    invoiced: bool = False  # the period has lines on an invoice already
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


def remaining_for(account_id: int, org_id: int, budget_pence: int, day: date) -> invoices.Remaining:
    """What remains of the budget of an agreement with the provider `org_id` for the
    financial year of `day`, as the cap on invoices works it out (the person's statement
    shows it): paid, waiting, held and agreed corrections."""
    paid, waiting, held, corrections = _rows(
        invoice_queries.committed_query(),
        {
            "account_id": account_id,
            "org_id": org_id,
            "year_start": financial_year_start(day),
            "year_end": financial_year_end(day),
        },
    ).one()
    return invoices.Remaining(budget_pence, int(paid), int(waiting), int(held), int(corrections))


def funded_people(org: Organisation, day: date) -> dict[str, Person]:
    """Everyone the provider is paid on invoice for on `day`, by reference (the template)."""
    rows = _rows(invoice_queries.funded_query(), {"org_id": org.id, "day": day})
    return {ref.upper(): Person(*rest) for ref, *rest in rows}


def named_people(org: Organisation, references: set[str], start: date) -> dict[str, Person]:
    """The people an invoice names whom the provider is paid on invoice for on `start`, each
    with their funded hours, what was paid and is waiting this financial year, and the
    agreement's period from `start` (if made): one query."""
    dialect = db.session.get_bind().dialect.name
    values = {
        "org_id": org.id,
        "day": start,
        "year_start": financial_year_start(start),
        "year_end": financial_year_end(start),
        "references": invoice_queries.references_value(references, dialect),
    }
    found = {}
    rows = _rows(invoice_queries.people_query(dialect), values).all()  # one fetch, not 200
    for ref, *ids, budget, weekly, paid, waiting, held, fixes, period, status, invoiced in rows:
        found[ref.upper()] = Person(
            *ids,
            budget,
            int(weekly),
            period,
            status == PeriodStatus.SEALED,
            invoiced is not None,
            int(paid),
            int(waiting),
            int(held),
            int(fixes),
        )
    return found


def _header(org: Organisation, reference: str, day: date) -> tuple[bool, dict[str, int]]:
    """Whether the provider has sent an invoice with `reference` already, and its agreed
    rate of each kind of support on `day` in pence an hour (the kinds it has one for)."""
    row = (
        _rows(
            invoice_queries.header_query(), {"org_id": org.id, "reference": reference, "day": day}
        )
        .one()
        ._mapping
    )
    rates = {str(kind): row[str(kind)] for kind in ServiceType}
    return row["taken"] is not None, {kind: r for kind, r in rates.items() if r is not None}


def _invoiced(org: Organisation, start: date, people: dict[str, Person]) -> set[tuple[int, str]]:
    """(agreement, kind of support) already on another invoice for this period. When none
    of the people named has a line in the period yet (named_people says), as on the first
    invoice of a period, nothing is asked."""
    if not any(person.invoiced for person in people.values()):
        return set()
    rows = _rows(invoice_queries.invoiced_query(), {"org_id": org.id, "day": start})
    return {(agreement, kind) for agreement, kind in rows}


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
    problems, seen = [], _invoiced(org, data.period_start, checked.people)
    for line in data.lines:
        person = checked.people.get(line.reference.strip().upper())
        problem = _line_problem(line, person, checked, data.period_start, seen)
        if problem:
            problems.append(problem)
        seen.add((person.agreement_id if person else None, line.service_type))
    return problems


def _header_problems(data, schedule: PaymentSchedule, taken: bool) -> list[str]:
    problems = []
    try:
        invoices.check_period(schedule, data.period_start, data.period_end)
    except RuleError as exc:
        problems.append(str(exc))
    if not data.reference.strip():
        problems.append("Enter your invoice reference")
    elif taken:
        problems.append(f"You have already sent an invoice with the reference {data.reference}")
    if not data.lines:
        problems.append("The invoice has no lines of delivered hours")
    return problems


def _rows(statement, values: dict):
    """Run a prebuilt statement on the session's connection: in its transaction, without
    the ORM's work for each statement (a tenth of a millisecond each, a dozen an invoice)."""
    return db.session.connection().execute(statement, values)


def check_invoice(org: Organisation, data, schedule: PaymentSchedule) -> Checked:
    """Every check, before anything is written: InvoiceProblems names each problem."""
    db.session.flush()  # the statements below read past the session: what it holds first
    taken, rates = _header(org, data.reference.strip(), data.period_start)
    problems = _header_problems(data, schedule, taken)
    # As typed and in capitals: the reference index answers either, and a match is by capitals.
    named = {x.reference.strip() for x in data.lines}
    checked = Checked(
        named_people(org, named | {ref.upper() for ref in named}, data.period_start), rates
    )
    problems += _problems(org, data, checked)
    if problems:
        raise InvoiceProblems(problems)
    return checked
