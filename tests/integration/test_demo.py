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
