"""After the last reminder a finance officer decides: suspend payments (with a letter) and later
reinstate them (with a letter), or keep paying. A return that arrives first closes the task."""

from datetime import date

from sqlalchemy import select

from dp_portal.accounts.models import Account
from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.letters import Letter
from dp_portal.extensions import db
from dp_portal.monitoring.jobs import issue_due_reminders
from dp_portal.monitoring.models import EscalationTask, ReminderIssue

from ..conftest import sign_in_as

START = date(2025, 4, 1)
# April-June 2025 is due on 28 July; escalation (49 days) falls on 15 September 2025.
BEFORE_ESCALATION = date(2025, 9, 14)
AFTER_ESCALATION = date(2025, 9, 16)


def _run_job(app, day):
    with app.app_context():
        count = issue_due_reminders(day)
        db.session.commit()
        return count


def _tasks(db_session):
    db_session.expire_all()
    return db_session.execute(select(EscalationTask)).scalars().all()


def test_the_escalation_stage_opens_one_task_for_finance(app, factory, db_session):
    factory.account(start_date=START)
    _run_job(app, BEFORE_ESCALATION)
    assert _tasks(db_session) == []
    _run_job(app, AFTER_ESCALATION)
    _run_job(app, AFTER_ESCALATION)  # a second run opens nothing more
    [task] = _tasks(db_session)
    assert (task.period_start, task.due_date, task.status) == (
        START,
        date(2025, 7, 28),
        "open",
    )
    assert task.opened_on == date(2025, 9, 15)
    stages = db_session.execute(
        select(ReminderIssue.stage).where(ReminderIssue.period_start == START)
    ).scalars()
    assert set(stages) == {"first", "second", "final", "escalation"}


def test_officer_suspends_then_reinstates_with_a_letter_each_time(app, client, factory, db_session):
    account = factory.account(start_date=START)
    officer = factory.user(Role.FINANCE_OFFICER)
    _run_job(app, AFTER_ESCALATION)
    [task] = _tasks(db_session)
    sign_in_as(client, officer)
    queue = client.get("/escalations").data.decode()
    assert account.reference in queue and "Waiting for a decision" in queue

    missing = client.post(f"/escalations/{task.id}", data={"decide-decision": "suspend"})
    page = missing.data.decode()
    assert missing.status_code == 200 and "There is a problem" in page and "Say why" in page
    assert _tasks(db_session)[0].status == "open"  # nothing changed

    response = client.post(
        f"/escalations/{task.id}",
        data={"decide-decision": "suspend", "decide-reason": "Agreed with social worker"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Account, account.id).status == "suspended"
    assert _tasks(db_session)[0].status == "suspended"
    letters = {
        letter.kind: letter
        for letter in db_session.execute(
            select(Letter).where(Letter.account_id == account.id)
        ).scalars()
    }
    assert letters["suspension"].subject == "We have stopped your direct payments for now"
    pdf = client.get(f"/letters/{letters['suspension'].id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    response = client.post(
        f"/escalations/{task.id}", data={"reinstate-note": "Return received and accepted"}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Account, account.id).status == "active"
    [task] = _tasks(db_session)
    assert (task.status, task.outcome) == ("closed", "reinstated")
    kinds = db_session.execute(select(Letter.kind).where(Letter.account_id == account.id)).scalars()
    assert "reinstatement" in set(kinds)
    actions = set(
        db_session.execute(
            select(AuditEvent.action).where(AuditEvent.account_id == account.id)
        ).scalars()
    )
    assert {"escalation.suspended", "escalation.reinstated", "account.status_changed"} <= actions
    # A decided task cannot be decided again by a replayed form.
    again = client.post(
        f"/escalations/{task.id}",
        data={"decide-decision": "suspend", "decide-reason": "replay"},
    )
    assert again.status_code == 200
    assert db_session.get(Account, account.id).status == "active"


def test_keep_paying_closes_the_task_and_leaves_the_account_alone(app, client, factory, db_session):
    account = factory.account(start_date=START)
    _run_job(app, AFTER_ESCALATION)
    [task] = _tasks(db_session)
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    client.post(
        f"/escalations/{task.id}",
        data={"decide-decision": "keep", "decide-reason": "In hospital; return promised"},
    )
    [task] = _tasks(db_session)
    assert (task.status, task.outcome) == ("closed", "no_suspension")
    assert db_session.get(Account, account.id).status == "active"


def test_an_account_not_active_cannot_be_suspended_from_the_task(app, client, factory, db_session):
    account = factory.account(start_date=START)
    _run_job(app, AFTER_ESCALATION)
    account.status = "suspended"  # suspended by hand meanwhile
    db_session.flush()
    [task] = _tasks(db_session)
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.post(
        f"/escalations/{task.id}",
        data={"decide-decision": "suspend", "decide-reason": "x"},
    ).data.decode()
    assert "there are no payments to suspend" in page
    assert _tasks(db_session)[0].status == "open"


def test_a_return_sent_before_a_decision_closes_the_task(app, client, factory, db_session):
    account = factory.account(start_date=START)
    recipient = factory.user(Role.RECIPIENT)
    factory.access(recipient, account)
    _run_job(app, AFTER_ESCALATION)
    sign_in_as(client, recipient)
    response = client.post(
        f"/accounts/{account.id}/returns/{START.isoformat()}",
        data={"opening": "0", "closing": "0", "bank_balance": "0", "send": "y"},
    )
    assert response.status_code == 302
    [task] = _tasks(db_session)
    assert (task.status, task.outcome) == ("closed", "return_received")
    assert task.return_received_on is not None


def test_reinstating_an_account_reactivated_by_hand_still_writes_and_closes(
    app, client, factory, db_session
):
    account = factory.account(start_date=START)
    _run_job(app, AFTER_ESCALATION)
    officer = factory.user(Role.FINANCE_OFFICER)
    sign_in_as(client, officer)
    [task] = _tasks(db_session)
    client.post(
        f"/escalations/{task.id}",
        data={"decide-decision": "suspend", "decide-reason": "No return"},
    )
    page = client.get(f"/accounts/{account.id}/returns").data.decode()
    assert "escalated: payments suspended" in page
    db_session.get(Account, account.id).status = "active"  # changed on the account page
    db_session.flush()
    client.post(f"/escalations/{task.id}", data={"reinstate-note": "Return in"})
    [task] = _tasks(db_session)
    assert (task.status, task.outcome) == ("closed", "reinstated")
    kinds = set(
        db_session.execute(select(Letter.kind).where(Letter.account_id == account.id)).scalars()
    )
    assert "reinstatement" in kinds
    assert "escalated" not in client.get(f"/accounts/{account.id}/returns").data.decode()


def test_two_officers_deciding_at_once_act_once(app, factory, db_session):
    import pytest
    from sqlalchemy import update

    from dp_portal.core.errors import RuleError
    from dp_portal.monitoring import escalations

    account = factory.account(start_date=START)
    _run_job(app, AFTER_ESCALATION)
    officers = [factory.user(Role.FINANCE_OFFICER) for _ in range(2)]
    with app.app_context():
        task = db.session.execute(select(EscalationTask)).scalar_one()  # both pages loaded
        db.session.execute(  # the other officer's decision lands first
            update(EscalationTask).where(EscalationTask.id == task.id).values(status="closed")
        )
        with pytest.raises(RuleError, match="already been decided"):
            escalations.suspend(task, reason="x", actor=officers[0], today=AFTER_ESCALATION)
        db.session.rollback()
    assert db_session.get(Account, account.id).status == "active"
    kinds = db_session.execute(select(Letter.kind).where(Letter.account_id == account.id))
    assert "suspension" not in set(kinds.scalars())


def test_a_return_arriving_as_an_officer_suspends_keeps_the_suspension(app, factory, db_session):
    from sqlalchemy import update

    from dp_portal.monitoring import escalations

    factory.account(start_date=START)
    _run_job(app, AFTER_ESCALATION)
    person = factory.user(Role.RECIPIENT)
    with app.app_context():
        task = db.session.execute(select(EscalationTask)).scalar_one()  # the return is sending
        db.session.execute(  # the officer's suspension lands first, unseen by this request
            update(EscalationTask)
            .where(EscalationTask.id == task.id)
            .values(status="suspended")
            .execution_options(synchronize_session=False)
        )
        escalations.return_received(task.account_id, START, actor=person, today=AFTER_ESCALATION)
        db.session.commit()
    [task] = _tasks(db_session)
    # Still suspended, waiting for an officer to reinstate, and marked as having its return.
    assert (task.status, task.outcome) == ("suspended", None)
    assert task.return_received_on == AFTER_ESCALATION


def test_the_queue_costs_the_same_queries_however_many_tasks(app, client, factory, db_session):
    from sqlalchemy import event

    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)

    def queries_for_queue() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/escalations").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for _ in range(2):
        factory.account(start_date=START)
    _run_job(app, AFTER_ESCALATION)
    few = queries_for_queue()
    for _ in range(6):
        factory.account(start_date=START)
    _run_job(app, AFTER_ESCALATION)
    assert len(_tasks(db_session)) == 8
    assert queries_for_queue() == few
