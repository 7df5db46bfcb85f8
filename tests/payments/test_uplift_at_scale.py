"""An uplift at council scale: no statement carries a list of every account's id (PostgreSQL
refuses more than 65,535 bound parameters, and a council has 100,000 accounts), so its
preview, its letters and their addresses take the same statements for 3 accounts as for 9."""

from datetime import date
from decimal import Decimal

from sqlalchemy import event, func, select

from dp_portal.accounts import correspondents
from dp_portal.auth.models import Role
from dp_portal.core.letters import Letter
from dp_portal.extensions import db
from dp_portal.payments import services
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.payments.rates import RateKind
from dp_portal.payments.uplift import apply_uplift

START = date(2025, 4, 1)


def _accounts(factory, officer, admin, how_many: int) -> None:
    for hours in range(1, how_many + 1):
        account = factory.account(start_date=START)
        budget = Budget(
            account_id=account.id,
            version=1,
            effective_from=START,
            status="approved",
            weekly_at_proposal_pence=1,
            proposed_by_id=officer.id,
            decided_by_id=admin.id,
        )
        db.session.add(budget)
        db.session.flush()
        db.session.add(
            BudgetLine(
                budget_id=budget.id, kind="pa_hours", description="PA", hours_hundredths=100 * hours
            )
        )
    db.session.flush()


def _most_parameters(wage: str, effective_from: date, admin) -> int:
    """The most bound parameters any one statement of the uplift carried."""
    most = [0]

    def count(_conn, _cursor, _statement, parameters, _context, executemany):
        if not executemany and parameters:
            most[0] = max(most[0], len(parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        _uplift, applied = apply_uplift(Decimal(wage), effective_from, "test", actor=admin)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert applied
    return most[0]


def test_an_uplift_binds_no_list_of_every_account(app_ctx, factory, monkeypatch):
    admin, officer = factory.user(Role.ADMIN), factory.user(Role.FINANCE_OFFICER)
    for kind, value in ((RateKind.LIVING_WAGE, "12.60"), (RateKind.HOLIDAY, "12.07")):
        services.add_rate_row(kind, START, Decimal(value), "test", actor=admin)
    # Letters' addresses are looked up a few accounts at a time (10,000 in production).
    monkeypatch.setattr(correspondents, "IDS_AT_ONCE", 2, raising=False)

    _accounts(factory, officer, admin, 3)
    few = _most_parameters("13.45", date(2025, 10, 1), admin)
    _accounts(factory, officer, admin, 6)
    many = _most_parameters("14.00", date(2026, 4, 1), admin)

    assert many == few
    # Every account still has its letter, to the right person.
    letters = db.session.execute(
        select(func.count(Letter.id)).where(Letter.kind == "uplift")
    ).scalar_one()
    assert letters == 3 + 9
