"""Two members of staff post the same pooled statement at the same moment: each line is
posted once, and every balance stays the sum of its own lines.

Runs on a scratch PostgreSQL database with real commits (as test_concurrent_postings.py).
The first posting holds the balance rows' locks until it commits; the second has already
seen the lines waiting, waits for the locks, then finds them posted and is refused with
nothing written. (Had it added what it saw to the balances, the client's balance would have
counted the lines twice.)
"""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import func, select

from dp_portal import create_app
from dp_portal.auth.models import Role, User
from dp_portal.client_money import batch, pooled_import, pooled_posting
from dp_portal.core.permissions import Viewer
from dp_portal.extensions import db
from dp_portal.third_party.money_models import ClientBalance, ClientPosting

from ..conftest import _TMP, make_config, scratch_database
from ..factories import Factory
from .conftest import TODAY
from .test_concurrent_postings import pytestmark, race

__all__ = ["pytestmark"]  # PostgreSQL only, as the test it borrows from

CSV = (
    "Date,Description,Amount\n01/10/2026,{ref} CONTRIBUTION,100.00\n02/10/2026,{ref} WAGES,-60.00\n"
)


def _post(user_id: int, statement_id: int) -> int:
    viewer = Viewer(db.session.get(User, user_id), TODAY)
    return pooled_posting.post_statement(viewer, statement_id)


def _set_up(app) -> tuple[int, list[int], int]:
    with app.app_context():
        upgrade()
        factory = Factory(db.session)
        org = factory.organisation(kind="money_management")
        staff = [factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id) for _ in "ab"]
        account = factory.account()
        factory.mandate(account, org)
        done = pooled_import.import_statement(
            Viewer(staff[0], TODAY),
            data=CSV.format(ref=account.reference).encode(),
            filename="pooled.csv",
        )
        db.session.commit()
        return account.id, [s.id for s in staff], done.row.id


def test_the_same_statement_posted_twice_at_once_is_posted_once():
    url, drop = scratch_database("statement_postings")
    app = create_app(make_config(url, _TMP / "statement-postings-instance"))
    try:
        account_id, user_ids, statement_id = _set_up(app)
        outcomes = race(
            app,
            url,
            lambda: _post(user_ids[0], statement_id),
            lambda: _post(user_ids[1], statement_id),
        )
        assert outcomes == {"first": 2, "second": batch.CHANGED}
        with app.app_context():
            balance = db.session.execute(
                select(ClientBalance.balance_pence).where(ClientBalance.account_id == account_id)
            ).scalar_one()
            lines = db.session.execute(
                select(func.count(), func.sum(ClientPosting.amount_pence)).where(
                    ClientPosting.account_id == account_id
                )
            ).one()
            assert (balance, tuple(lines)) == (4000, (2, 4000))
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
