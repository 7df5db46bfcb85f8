"""The demo shows organisations as first-class users."""

from __future__ import annotations

from sqlalchemy import select

from dp_portal.auth.models import User
from dp_portal.demo import build_demo
from dp_portal.demo.third_party_orgs import INDEPENDENT, ORGANISATION_LOGINS
from dp_portal.extensions import db
from dp_portal.third_party.models import Mandate, Organisation, PooledAccountChange


def test_the_demo_has_organisation_administrators_and_approved_pooled_accounts(app_ctx, db_session):
    build_demo(40, seed=3)
    money = db.session.execute(
        select(Organisation).where(Organisation.kind == "money_management")
    ).scalar_one()
    assert money.pooled_sort_code is not None
    change = db.session.execute(
        select(PooledAccountChange).where(PooledAccountChange.organisation_id == money.id)
    ).scalar_one()
    assert change.status == "approved" and change.decided_by_id != change.requested_by_id
    admin = db.session.execute(
        select(User).where(User.email == ORGANISATION_LOGINS[0][1])
    ).scalar_one()
    assert admin.is_organisation_admin and admin.organisation_id == money.id
    independent = db.session.execute(
        select(Organisation).where(Organisation.name == INDEPENDENT)
    ).scalar_one()
    waiting = db.session.execute(
        select(Mandate).where(Mandate.organisation_id == independent.id)
    ).scalar_one()
    assert (waiting.scope, waiting.status) == ("prepare_returns", "awaiting_consent")
    before = len(db.session.execute(select(PooledAccountChange)).all())
    build_demo(5, seed=4)  # a second load adds no second set
    assert len(db.session.execute(select(PooledAccountChange)).all()) == before
