"""The demo shows a money management service with clients, a reconciled month and an open
one with an explained difference."""

from __future__ import annotations

from sqlalchemy import select

from dp_portal.client_money import reconcile
from dp_portal.core.permissions import Viewer
from dp_portal.core.types import local_today
from dp_portal.demo import build_demo
from dp_portal.demo.third_party_money import demo_client_money
from dp_portal.extensions import db
from dp_portal.third_party.money_models import ClientBalance, PooledReconciliation
from dp_portal.third_party.money_statement_models import FeePolicy, PooledStatement


def test_the_demo_has_a_reconciled_month_and_an_open_one(app_ctx):
    build_demo(120, seed=1)
    today = local_today()
    demo_client_money(today)
    demo_client_money(today)  # again: nothing more
    months = (
        db.session.execute(select(PooledReconciliation).order_by(PooledReconciliation.month))
        .scalars()
        .all()
    )
    assert [m.status for m in months] == ["signed_off", "open"]
    balances = db.session.execute(select(ClientBalance.balance_pence)).scalars().all()
    assert balances and min(balances) >= 0
    page = reconcile.month_page(Viewer(months[1].prepared_by or _staff(), today), months[1])
    assert page.figures.unexplained == 0 and page.problems == []
    # The open month's statement was imported and posted; the interest line no client's
    # ledger holds is listed from it, explained; the service has a fee policy.
    assert [(d.kind, d.statement_line_id is not None) for d in page.differences.items] == [
        ("statement_line_not_in_ledger", True)
    ]
    assert db.session.execute(select(PooledStatement.line_count)).scalar() > 1
    assert db.session.execute(select(FeePolicy.amount_pence)).scalar() == 1150


def _staff():
    from dp_portal.auth.models import User

    return db.session.execute(
        select(User).where(User.email == "money-admin@demo.glenarden.example")
    ).scalar_one()
