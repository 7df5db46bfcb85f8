"""The audit log is append-only: the ORM refuses changes, and so does the database itself."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent, AuditLogIsAppendOnly, record

from ..conftest import sign_in_as


@pytest.fixture
def event(factory, db_session):
    row = record(factory.user(), "test.event", object_type="test", object_id=1, session=db_session)
    db_session.flush()
    return row


def test_the_orm_refuses_to_change_an_audit_row(db_session, event):
    event.summary = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db_session.flush()


def test_the_orm_refuses_to_delete_an_audit_row(db_session, event):
    db_session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db_session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        lambda id_: update(AuditEvent).where(AuditEvent.id == id_).values(summary="x"),
        lambda id_: delete(AuditEvent).where(AuditEvent.id == id_),
        lambda id_: text(f"UPDATE audit_events SET actor_label = 'someone else' WHERE id = {id_}"),
    ],
    ids=["orm-update", "orm-delete", "raw-sql"],
)
def test_the_database_refuses_bulk_and_raw_changes(db_session, event, statement):
    nested = db_session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db_session.execute(statement(event.id))
    nested.rollback()
    assert (
        db_session.execute(select(AuditEvent.summary).where(AuditEvent.id == event.id)).scalar()
        == ""
    )


def test_audit_log_page_filters_by_action_actor_and_account(client, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER, email="auditor@test.example")
    account = factory.account()
    record(
        officer,
        "account.updated",
        account,
        account_id=account.id,
        summary="First change",
        session=db_session,
    )
    record(officer, "person.updated", account.person, summary="Second change", session=db_session)
    db_session.flush()
    sign_in_as(client, officer)
    page = client.get(f"/audit?account={account.reference}").data
    assert b"First change" in page and b"Second change" not in page
    assert b"First change" in client.get(f"/audit?account={account.reference.lower()}").data
    page = client.get("/audit?action=person.").data
    assert b"Second change" in page and b"First change" not in page
    page = client.get("/audit?actor=AUDITOR@test.example").data
    assert b"First change" in page and b"Second change" in page
    bad_date = client.get("/audit?date_from=31&date_from=2&date_from=2026")
    assert bad_date.status_code == 200 and b"must be a real date" in bad_date.data


def test_an_officers_changes_are_found_by_the_address_they_have_now(client, factory, db_session):
    """The log is searched by who acted, not by the text recorded: an officer whose address
    changed is found with all their changes, and "system" finds what jobs did."""
    officer = factory.user(Role.FINANCE_OFFICER, email="morven@old.example")
    record(officer, "account.updated", officer, summary="Before the move", session=db_session)
    record(None, "demo.loaded", object_type="demo", summary="By a job", session=db_session)
    officer.email = "morven@new.example"
    db_session.flush()
    sign_in_as(client, factory.user(Role.ADMIN))
    page = client.get("/audit?actor=Morven@new.example").data
    assert b"Before the move" in page and b"By a job" not in page
    page = client.get("/audit?actor=system").data
    assert b"By a job" in page and b"Before the move" not in page
    page = client.get("/audit?action=ACCOUNT.").data
    assert b"Before the move" in page


def test_audit_event_page_shows_before_and_after(client, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER)
    row = record(
        officer,
        "account.status_changed",
        object_type="accounts",
        object_id=1,
        before={"status": "active", "locality": "North"},
        after={"status": "suspended", "locality": "North"},
        session=db_session,
    )
    db_session.flush()
    sign_in_as(client, officer)
    page = client.get(f"/audit/{row.id}").data.decode()
    assert "suspended" in page and "active" in page
    assert page.count("locality") == 0  # unchanged fields are not listed as changes


def test_the_log_reads_as_words_and_money_while_the_rows_stay_as_written(
    client, factory, db_session
):
    officer = factory.user(Role.FINANCE_OFFICER)
    written = "Run for 06 April 2026 built: 3 payments, 289701.41 pounds, 0 withheld"
    row = record(
        officer,
        "payment_run.built",
        object_type="payment_runs",
        object_id=7,
        summary=written,
        session=db_session,
    )
    db_session.flush()
    sign_in_as(client, officer)
    listing = client.get("/audit?action=payment_run").get_data(as_text=True)
    assert "Payment run built" in listing and "payment_run.built" not in listing
    assert "£289,701.41" in listing and "289701.41 pounds" not in listing
    one = client.get(f"/audit/{row.id}").get_data(as_text=True)
    assert "£289,701.41" in one and "Payment run built" in one
    db_session.expire_all()
    assert db_session.get(AuditEvent, row.id).summary == written  # never rewritten


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Recovery of 40 pounds by offset", "Recovery of £40.00 by offset"),
        ("Correction of -12.5 pounds to the payment", "Correction of -£12.50 to the payment"),
        ("Paid 3 pounds and 1000000.00 pounds", "Paid £3.00 and £1,000,000.00"),
        ("Reference DP000123 changed", "Reference DP000123 changed"),
        ("", ""),
    ],
)
def test_amounts_in_summaries_are_shown_as_money(written, shown):
    from dp_portal.templating import audit_summary

    assert audit_summary(written) == shown
