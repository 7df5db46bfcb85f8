from sqlalchemy import func, select

from dp_portal.accounts.models import Account, Person
from dp_portal.auth.models import Role, User
from dp_portal.demo import build_demo, demo_logins


def _fingerprint(session):
    rows = session.execute(
        select(
            Person.first_name,
            Person.last_name,
            Account.sds_option,
            Account.status,
            Account.sort_code,
        )
        .join(Account.person)
        .order_by(Account.id)
    ).all()
    return [tuple(r) for r in rows]


def test_demo_is_realistic_and_has_a_login_for_every_role(app_ctx, db_session):
    from dp_portal.extensions import db

    build_demo(300, seed=7)
    session = db.session
    assert session.execute(select(func.count(Account.id))).scalar() == 300
    options = dict(
        session.execute(select(Account.sds_option, func.count()).group_by(Account.sds_option)).all()
    )
    assert set(options) == {1, 2, 4} and options[1] > options[2] > options[4]
    roles = set(session.execute(select(User.role)).scalars())
    assert roles == {r.value for r in Role}
    assert len(demo_logins()) >= len(Role)


def test_demo_is_deterministic_for_a_seed(app, db_session):
    from dp_portal.extensions import db

    prints = []
    for _ in range(2):
        with app.app_context():
            nested = db.session.begin_nested()
            build_demo(50, seed=3)
            prints.append(_fingerprint(db.session)[-50:])
            nested.rollback()
    assert prints[0] == prints[1]


def test_demo_cli_loads_once(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["dp", "demo", "--accounts", "20", "--seed", "2", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "recipient@demo.glenarden.example" in first.output
    second = runner.invoke(args=["dp", "demo", "--accounts", "20", "--seed", "2", "--if-empty"])
    assert "already loaded" in second.output


def test_bulk_inserted_times_read_back_like_orm_ones(app_ctx, db_session):
    """Whole-council inserts bypass SQLAlchemy's type handling on SQLite; the stored text must
    still be what SQLAlchemy writes, or comparisons and reads would go wrong."""
    from sqlalchemy import text

    from dp_portal.core.types import utcnow
    from dp_portal.extensions import db

    build_demo(3, seed=5)
    orm_person = Person(
        client_reference="ORM1",
        first_name="O",
        last_name="R",
        address_line_1="1",
        town="T",
        postcode="EH1 1YZ",
    )
    db.session.add(orm_person)
    db.session.flush()
    bulk = db.session.execute(select(Person).where(Person.id != orm_person.id)).scalars().first()
    assert bulk.created_at.tzinfo is not None and bulk.created_at <= utcnow()
    if db.engine.dialect.name == "sqlite":
        raw = dict(db.session.execute(text("SELECT id, created_at FROM people")).all())
        assert len(raw[bulk.id]) == len(raw[orm_person.id]) and "+" not in raw[bulk.id]


def test_demo_returns_leave_a_realistic_few_late(app_ctx, db_session):
    from datetime import date

    from dp_portal.demo import build_demo, demo_returns
    from dp_portal.monitoring.jobs import outstanding_periods

    build_demo(200, seed=3)
    as_of = date(2026, 11, 23)
    before = len(list(outstanding_periods(as_of)))
    added = demo_returns(as_of, late_percent=10)
    late = list(outstanding_periods(as_of))
    assert added + len(late) == before
    assert 0 < len(late) < before * 0.05  # most returns are in; a few are late
    recent = [p for _, p in late if p.due >= date(2026, 9, 24)]
    assert recent, "some of the latest returns are late, so reminders have work to show"


def test_the_demo_is_a_month_in_the_life_of_a_council(app, db_session):
    """What `make run` shows: the next run waiting for a second officer (and fit to approve),
    the two before it paid with this year's uplift and its arrears between them, returns
    waiting for review (clean, flagged and one queried with its question), escalations only
    for returns genuinely late, and a suspension with its letter."""
    from datetime import date, timedelta

    from dp_portal.core.letters import Letter
    from dp_portal.extensions import db
    from dp_portal.monitoring.models import EscalationTask, MonitoringReturn
    from dp_portal.payments import run_review
    from dp_portal.payments.rate_models import Uplift
    from dp_portal.payments.run_models import PaymentRun, RunLine

    result = app.test_cli_runner().invoke(args=["dp", "demo", "--accounts", "150", "--seed", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        s = db.session
        runs = s.execute(select(PaymentRun).order_by(PaymentRun.period_index)).scalars().all()
        assert [r.status for r in runs] == ["committed", "committed", "built"]
        assert run_review.stale_reasons(runs[2]) == []
        second_officer = s.execute(select(User).where(User.email.like("finance2@%"))).scalar_one()
        assert second_officer.id not in run_review.blocked_approvers(runs[2])
        (uplift,) = s.execute(select(Uplift)).scalars().all()
        assert uplift.effective_from == runs[0].period_start
        arrears = select(func.sum(RunLine.arrears_pence)).where(
            RunLine.run_id == runs[1].id, RunLine.outcome == "pay"
        )
        assert s.execute(arrears).scalar() > 0
        waiting = (
            s.execute(
                select(MonitoringReturn).where(
                    MonitoringReturn.status.in_(["submitted", "queried"])
                )
            )
            .scalars()
            .all()
        )
        flagged = [r for r in waiting if r.flags_json not in (None, "", "[]")]
        assert 0 < len(flagged) < len(waiting)
        (queried,) = [r for r in waiting if r.status == "queried"]
        assert "receipt or invoice" in queried.query_message
        today = date.today()  # noqa: DTZ011 - the demo's own day
        accepted_ends = s.execute(
            select(func.max(MonitoringReturn.period_end)).where(
                MonitoringReturn.status == "accepted"
            )
        ).scalar()
        assert accepted_ends < today
        tasks = s.execute(select(EscalationTask)).scalars().all()
        assert tasks and all(t.due_date >= today - timedelta(days=150) for t in tasks)
        suspended = [t for t in tasks if t.status == "suspended"]
        assert suspended
        letter_kinds = s.execute(
            select(Letter.kind).where(Letter.account_id == suspended[0].account_id)
        ).scalars()
        assert "suspension" in set(letter_kinds)
