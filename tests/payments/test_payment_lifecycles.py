"""Every move between the states of a payment run, a recovery and a budget: the moves the
table allows succeed, every other one is refused and leaves the row as it was; and a row that
someone else moved since it was read is refused, so two officers never both move it."""

from datetime import date
from itertools import product

import pytest
from sqlalchemy import text

from dp_portal.auth.models import Role
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.payments import run_decisions, services
from dp_portal.payments.ledger_models import Recovery
from dp_portal.payments.lifecycles import (
    TRANSITIONS,
    BudgetStatus,
    RecoveryStatus,
    RunStatus,
    move,
)
from dp_portal.payments.models import Budget
from dp_portal.payments.run_models import PaymentRun

PAIRS = [
    (kind, before, after)
    for kind, table in TRANSITIONS.items()
    for before, after in product(table, table)
]


def _row(factory, state):
    officer, other = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    if isinstance(state, RunStatus):
        return PaymentRun(
            period_index=0,
            period_start=date(2026, 4, 6),
            period_end=date(2026, 5, 3),
            pay_date=date(2026, 4, 3),
            status=state,
            built_by_id=officer.id,
        )
    account = factory.account()
    if isinstance(state, RecoveryStatus):
        return Recovery(
            account_id=account.id,
            amount_pence=100,
            method="offset",
            status=state,
            reason="Surplus",
            source="Return",
            created_by_id=officer.id,
        )
    return Budget(
        account_id=account.id,
        version=1,
        effective_from=date(2026, 4, 6),
        status=state,
        weekly_at_proposal_pence=10000,
        proposed_by_id=officer.id,
        decided_by_id=None if state == BudgetStatus.PROPOSED else other.id,
    )


def _status_in_database(row) -> str:
    table = type(row).__tablename__
    return db.session.execute(
        text(f"SELECT status FROM {table} WHERE id = :id"),
        {"id": row.id},
    ).scalar_one()


@pytest.mark.parametrize(
    ("kind", "before", "after"), PAIRS, ids=[f"{k.__name__}:{b}->{a}" for k, b, a in PAIRS]
)
def test_every_move_in_the_table_and_no_other(app_ctx, factory, kind, before, after):
    row = _row(factory, before)
    db.session.add(row)
    db.session.flush()
    if after in TRANSITIONS[kind][before]:
        assert move(row, after) == before
        assert row.status == after and _status_in_database(row) == after
    else:
        with pytest.raises(RuleError):
            move(row, after)
        assert _status_in_database(row) == before


def test_the_tables_are_the_diagrams():
    final = {
        RunStatus: {RunStatus.COMMITTED, RunStatus.CANCELLED},
        RecoveryStatus: {RecoveryStatus.RECOVERED, RecoveryStatus.CANCELLED},
        BudgetStatus: {BudgetStatus.APPROVED, BudgetStatus.REJECTED},
    }
    for kind, table in TRANSITIONS.items():
        assert set(table) == set(kind)  # every state has its row
        assert {state for state, moves in table.items() if not moves} == final[kind]
        assert all(type(target) is kind for moves in table.values() for target in moves)


def _behind_its_back(row, state) -> None:
    """Another officer's transaction moved the row after this one read it."""
    db.session.execute(
        text(f"UPDATE {type(row).__tablename__} SET status = :s WHERE id = :id"),
        {"s": str(state), "id": row.id},
    )


def test_a_run_committed_meanwhile_is_not_cancelled(app_ctx, factory):
    run = _row(factory, RunStatus.APPROVED)
    db.session.add(run)
    db.session.flush()
    _behind_its_back(run, RunStatus.COMMITTED)
    with pytest.raises(RuleError, match="committed run cannot be cancelled"):
        run_decisions.cancel_run(run, actor=factory.user(Role.FINANCE_OFFICER))
    assert _status_in_database(run) == RunStatus.COMMITTED


def test_a_budget_decided_meanwhile_is_not_decided_again(app_ctx, factory):
    budget = _row(factory, BudgetStatus.PROPOSED)
    db.session.add(budget)
    db.session.flush()
    _behind_its_back(budget, BudgetStatus.REJECTED)
    with pytest.raises(RuleError, match="already been decided"):
        services.decide_budget(
            budget,
            approve=True,
            note="",
            actor=factory.user(Role.FINANCE_OFFICER),
            ceiling=1500,
        )
    assert _status_in_database(budget) == BudgetStatus.REJECTED
