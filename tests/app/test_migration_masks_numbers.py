"""Migration 0030: account numbers that notes kept whole before they were masked are masked in
the audit log and on the changes, the log says so, and it stays append-only."""

import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from dp_portal import create_app
from dp_portal.accounts.bank_changes import Proposed, request_change
from dp_portal.core.bank_numbers import NeedsConfirmation
from dp_portal.extensions import db

from ..conftest import _TMP, make_config, scratch_database
from ..factories import Factory

TYPED_NOTE = (
    "The account number 1234567 has 7 digits: banks add leading zeros to make 8, so it is 01234567."
)
MASKED_NOTE = (
    "The account number ****4567 has 7 digits: banks add leading zeros to make 8, so it is "
    "****4567."
)
INSERT_EVENT = text(
    "INSERT INTO audit_events (occurred_at, actor_id, actor_label, action, object_type, "
    "object_id, account_id, summary, before_json, after_json) VALUES "
    "(CURRENT_TIMESTAMP, NULL, 'officer@test.example', :action, 'x', 1, NULL, '', NULL, :after)"
)


def _after(action: str) -> dict:
    found = db.session.execute(
        text("SELECT after_json FROM audit_events WHERE action = :a ORDER BY id DESC LIMIT 1"),
        {"a": action},
    ).scalar_one()
    return json.loads(found)


def _a_change_made_before_the_fix() -> int:
    factory = Factory(db.session)
    account, officer = factory.account(), factory.user()
    proposed = Proposed("Morag Tester", "30-94-47", "1234567", "New bank")
    asked = request_change(account, proposed, confirmed="", tables=None, actor=officer)
    assert isinstance(asked, NeedsConfirmation)
    change = request_change(account, proposed, confirmed=asked.token, tables=None, actor=officer)
    db.session.execute(
        text("UPDATE bank_details_changes SET standardised_note = :n WHERE id = :id"),
        {"n": TYPED_NOTE, "id": change.id},
    )
    after = {"account_number": "****4567", "reason": "New bank", "standardised": TYPED_NOTE}
    for action in ("bank_details.change_requested", "organisation.pooled_account_change_requested"):
        db.session.execute(INSERT_EVENT, {"action": action, "after": json.dumps(after)})
    # Another kind of entry that happens to hold long digits is not the migration's business.
    db.session.execute(
        INSERT_EVENT, {"action": "account.updated", "after": json.dumps({"phone": "01315550123"})}
    )
    change_id = change.id
    db.session.commit()  # and no read after it: on SQLite it would hold a snapshot from before
    return change_id


def test_typed_numbers_are_masked_everywhere_and_the_log_says_so():
    scratch_url, cleanup = scratch_database("mask-numbers")
    app = create_app(make_config(scratch_url, _TMP / "mask-numbers-instance"))
    try:
        with app.app_context():
            upgrade(revision="0029")
            change_id = _a_change_made_before_the_fix()
            upgrade(revision="0030")
            note = db.session.execute(
                text("SELECT standardised_note FROM bank_details_changes WHERE id = :id"),
                {"id": change_id},
            ).scalar_one()
            assert note == MASKED_NOTE
            assert _after("bank_details.change_requested")["standardised"] == MASKED_NOTE
            assert (
                _after("organisation.pooled_account_change_requested")["standardised"]
                == MASKED_NOTE
            )
            assert _after("account.updated") == {"phone": "01315550123"}
            assert _after("audit.account_numbers_masked") == {"audit_entries": 2, "changes": 1}
            everything = " ".join(
                db.session.execute(text("SELECT coalesce(after_json, '') FROM audit_events"))
                .scalars()
                .all()
            )
            assert "1234567" not in everything.replace("01315550123", "")
            db.session.commit()
            with pytest.raises((DBAPIError, IntegrityError)):
                db.session.execute(text("UPDATE audit_events SET summary = 'rewritten'"))
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
