"""An application's status changes only through charter_rules.move: every (tier, from, to)
pair is tried against a real row, and a move from a state the row has since left is refused
(two officers deciding at once: only one succeeds)."""

import pytest
from sqlalchemy import select

from dp_portal.core.errors import RuleError
from dp_portal.employers.charter_rules import Status, allowed, move
from dp_portal.employers.models import Application, CharterTier, CriteriaVersion
from dp_portal.extensions import db


@pytest.fixture
def make(factory):
    """Rows of the test's own (made before the app's session starts its work)."""
    account_id, user_id = factory.account().id, factory.user().id

    def row(tier: CharterTier, status: Status) -> Application:
        version = db.session.execute(select(CriteriaVersion)).scalars().first()
        application = Application(
            account_id=account_id,
            criteria_version_id=version.id,
            tier=tier.value,
            status=status.value,
            display_name="Lifecycle",
            declaration=True,
            created_by_id=user_id,
        )
        db.session.add(application)
        db.session.flush()
        return application

    return row


@pytest.mark.parametrize("tier", list(CharterTier))
def test_every_pair_of_states_moves_only_as_the_table_says(make, app_ctx, tier):
    for current in Status:
        for to in Status:
            application = make(tier, current)
            if allowed(tier, current, to):
                assert move(application, to) == current
                db.session.expire(application)
                assert application.status == to, (tier, current, to)
            else:
                with pytest.raises(RuleError):
                    move(application, to)
                db.session.expire(application)
                assert application.status == current, (tier, current, to)


def test_a_move_from_a_state_the_row_has_left_is_refused(make, app_ctx):
    seen_by_first = make(CharterTier.HOLDER, Status.SUBMITTED)
    move(seen_by_first, Status.AWARDED)
    db.session.expire(seen_by_first)
    stale = db.session.get(Application, seen_by_first.id)
    stale.status = Status.SUBMITTED  # what a second officer's page still shows
    db.session.expunge(stale)
    with pytest.raises(RuleError, match="not waiting for a decision"):
        move(stale, Status.DECLINED)
    assert db.session.get(Application, seen_by_first.id).status == Status.AWARDED
