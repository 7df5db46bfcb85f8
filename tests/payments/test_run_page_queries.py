"""What a payment run's page and its approval read of the run's lines: with 100,000 lines a
run, the lines paying an organisation (checked against the pooled accounts) and the withheld
lines are found through partial indexes of just those lines, not by reading the whole run."""

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from dp_portal.extensions import db
from dp_portal.payments import run_pages, run_review
from dp_portal.payments.run_models import PaymentRun


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
