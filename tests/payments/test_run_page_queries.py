"""What a payment run's page and its approval read of the run's lines: with 100,000 lines a
run, the lines paying an organisation (checked against the pooled accounts) and the withheld
lines are found through partial indexes of just those lines, not by reading the whole run."""

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import event, update

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.payments import hooks, run_pages, run_review, services
from dp_portal.payments.rates import RateKind
from dp_portal.payments.run_models import PaymentRun, RunLine

from .test_run_controls import _build, _paid_account


@contextmanager
def _statements():
    """The SQL statements sent while the block runs, with their parameters."""
    seen: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _plan(statement: str, parameters) -> str:
    """The database's own plan for a statement (PostgreSQL told not to read a table from
    end to end when it has any other way, as it would with a council's 100,000 lines)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        connection.exec_driver_sql("RESET enable_seqscan")
    else:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def _plans_reading_run_lines(read) -> list[str]:
    with _statements() as seen:
        read()
    plans = [_plan(s, p) for s, p in seen if "FROM run_lines" in s]
    assert plans, "nothing read the run's lines"
    return plans


def test_the_lines_paying_an_organisation_are_read_from_their_own_index(app_ctx):
    run = PaymentRun(id=1, period_start=date(2026, 4, 6))
    (plan,) = _plans_reading_run_lines(
        lambda: db.session.execute(run_review.organisation_lines(run)).all()
    )
    assert "ix_run_lines_paid_organisations" in plan, plan


def test_the_withheld_lines_are_read_from_their_own_index(app_ctx):
    (plan,) = _plans_reading_run_lines(lambda: run_pages.withheld_lines(1))
    assert "ix_run_lines_withheld" in plan, plan


def test_a_run_paid_through_mandates_asks_no_other_package_where_it_pays(
    app_ctx, factory, monkeypatch
):
    """Every line paying an organisation is explained by a mandate's pooled account, so the
    staleness check does not ask the other packages (ISF providers) where they pay."""
    builder, leader = factory.user(Role.FINANCE_OFFICER), factory.user(Role.TEAM_LEADER)
    services.add_rate_row(
        RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=leader
    )
    account = _paid_account(factory, leader)
    org = factory.organisation(
        kind="money_management",
        pooled_payee_name="MMS CLIENT AC",
        pooled_sort_code="309634",
        pooled_account_number="00733445",
    )
    factory.mandate(account, org, scope="manage_money", starts_on=date(2026, 1, 1))
    run = _build(0, builder)
    asked = []
    monkeypatch.setattr(hooks, "redirected_payees", lambda start: asked.append(start) or {})
    assert run_review.stale_reasons(run) == []
    assert asked == []
    # A line no mandate explains (paid to where the organisation banked before) is still
    # compared with where the other packages pay, and counted.
    db.session.execute(
        update(RunLine).where(RunLine.run_id == run.id).values(account_number="11111111")
    )
    assert run_review.stale_reasons(run) == [
        "1 payee no longer has the bank details the run was built with"
    ]
    assert asked == [run.period_start]


def test_the_run_page_reads_the_last_committed_run_once(app_ctx, factory):
    """The page and its list of who may not approve share the last committed run."""
    builder, leader = factory.user(Role.FINANCE_OFFICER), factory.user(Role.TEAM_LEADER)
    services.add_rate_row(
        RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=leader
    )
    _paid_account(factory, leader)
    run = _build(0, builder)
    with _statements() as seen:
        page = run_pages.run_page(run, builder.id, 1)
    assert page.blocked_me == "built this run"
    last_committed = [s for s, _ in seen if "FROM payment_runs" in s and "period_index <" in s]
    assert len(last_committed) == 1


def test_the_commit_reads_back_arrears_offsets_and_invoices_from_their_own_indexes(app_ctx):
    """A commit copies a council's 97,000 lines inside the database, then reads back the
    few with arrears, recovery offsets or an invoiced contribution: each through a partial
    index of just those lines (migration 0036), not by reading the whole run again."""
    from sqlalchemy import and_

    from dp_portal.payments import recoveries, run_decisions

    run = PaymentRun(id=1, period_start=date(2026, 4, 6), pay_date=date(2026, 4, 6))
    paid = and_(RunLine.run_id == 1, RunLine.outcome == "pay")
    reads = {
        "ix_run_lines_paid_arrears": lambda: run_decisions._copy_arrears(run, paid, None),
        "ix_run_lines_paid_offsets": lambda: recoveries.apply_offsets(1),
        "ix_run_lines_paid_invoices": lambda: run_decisions._record_invoices(run, paid),
    }
    for index, read in reads.items():
        (plan,) = _plans_reading_run_lines(read)
        assert index in plan, (index, plan)
