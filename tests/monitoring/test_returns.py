"""A recipient fills in and sends a return; a finance officer queries it, the recipient answers,
and it is accepted. Periods exist without anyone creating them."""

from datetime import date

from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.monitoring.models import MonitoringReturn, TierChange

from ..conftest import sign_in_as

FIGURES = {
    "opening": "0",
    "council_payments": "0",
    "contributions": "",
    "other_income": "",
    "spend_pa_wages": "0",
    "closing": "0",
    "bank_balance": "0",
    "explanation": "",
}


def test_periods_and_due_dates_are_listed_for_every_account(client, factory):
    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    page = client.get(f"/accounts/{account.id}/returns").data.decode()
    assert "6 April 2026 to 30 June 2026" in page and "28 July 2026" in page
    assert "Overdue" in page  # 28 July 2026 has passed and nothing was sent


def test_return_journey_send_query_answer_accept(client, factory, db_session):
    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    officer = factory.user(Role.FINANCE_OFFICER)
    form_url = f"/accounts/{account.id}/returns/2026-04-06"

    sign_in_as(client, me)
    assert client.get(form_url).status_code == 200
    assert (
        db_session.execute(select(func.count(MonitoringReturn.id))).scalar() == 0
    )  # a look saves nothing
    bad = client.post(form_url, data=FIGURES | {"spend_pa_wages": "12.345", "save": "y"})
    assert b"no more than 2 decimal places" in bad.data
    saved = client.post(
        form_url, data=FIGURES | {"spend_pa_wages": "100", "closing": "0", "save": "y"}
    )
    assert saved.status_code == 302
    check = client.get(form_url).data.decode()
    assert "does not match your closing balance" in check  # 0 - 100 is not 0
    sent = client.post(
        form_url,
        data=FIGURES
        | {"spend_pa_wages": "100", "closing": "-100", "bank_balance": "-100", "send": "y"},
    )
    assert sent.status_code == 302
    row = db_session.execute(select(MonitoringReturn)).scalar_one()
    assert row.status == "submitted" and row.flags == []
    assert client.get(form_url, follow_redirects=True).status_code == 200  # sent: cannot edit

    sign_in_as(client, officer)
    queue = client.get("/returns").data.decode()
    assert account.reference in queue
    client.post(f"/returns/{row.id}", data={"message": "Please send the bank statement."})
    db_session.expire_all()
    assert row.status == "queried"

    sign_in_as(client, me)
    page = client.get(f"/returns/{row.id}").data.decode()
    assert "Please send the bank statement." in page
    again = client.post(
        form_url,
        data=FIGURES
        | {
            "spend_pa_wages": "100",
            "closing": "-100",
            "bank_balance": "-100",
            "explanation": "Statement posted",
            "send": "y",
        },
    )
    assert again.status_code == 302
    db_session.expire_all()
    versions = (
        db_session.execute(select(MonitoringReturn).order_by(MonitoringReturn.version))
        .scalars()
        .all()
    )
    assert [(v.version, v.status) for v in versions] == [(1, "superseded"), (2, "submitted")]

    sign_in_as(client, officer)
    listed = client.get("/returns/accept-clean").text
    assert f'name="return_id" value="{versions[1].id}"' in listed
    client.post("/returns/accept-clean", data={"return_id": str(versions[1].id)})
    db_session.expire_all()
    assert versions[1].status == "accepted"
    actions = (
        db_session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.account_id == account.id)
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert actions == [
        "return.draft_saved",
        "return.draft_saved",
        "return.submitted",
        "return.queried",
        "return.draft_saved",
        "return.submitted",
        "return.accepted",
    ]


def test_flags_name_the_problems(client, factory, db_session):
    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    client.post(
        f"/accounts/{account.id}/returns/2026-04-06",
        data=FIGURES
        | {
            "council_payments": "500",
            "closing": "500",
            "bank_balance": "450",
            "spend_provider_invoices": "20",
            "send": "y",
        },
    )
    row = db_session.execute(select(MonitoringReturn)).scalar_one()
    codes = {flag["code"] for flag in row.flags}
    assert codes == {"council_payments", "arithmetic", "bank", "provider_invoices", "surplus"}


def test_other_people_cannot_see_or_send_a_return(client, factory):
    account = factory.account(start_date=date(2026, 4, 6))
    stranger = factory.user(Role.RECIPIENT)
    sign_in_as(client, stranger)
    assert client.get(f"/accounts/{account.id}/returns").status_code == 404
    assert (
        client.post(
            f"/accounts/{account.id}/returns/2026-04-06", data=FIGURES | {"send": "y"}
        ).status_code
        == 404
    )
    assert client.get(f"/accounts/{account.id}/returns/not-a-date").status_code == 404


def test_changing_tier_is_a_recorded_decision(client, factory, db_session):
    account = factory.account(start_date=date(2026, 4, 6))
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(
        f"/accounts/{account.id}/monitoring-tier",
        data={
            "tier": "monthly",
            "effective_from": ["1", "10", "2026"],
            "reason": "Concerns at review",
        },
    )
    assert response.status_code == 302
    assert db_session.execute(select(TierChange.tier)).scalar() == "monthly"
    page = client.get(f"/accounts/{account.id}/returns").data.decode()
    assert "1 October 2026 to 31 October 2026" in page


def test_exports_are_spreadsheets_where_text_stays_text(client, factory, db_session):
    import io

    import openpyxl

    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    client.post(
        f"/accounts/{account.id}/returns/2026-04-06",
        data=FIGURES | {"explanation": '=HYPERLINK("http://evil.example")', "send": "y"},
    )
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    book = openpyxl.load_workbook(io.BytesIO(client.get("/returns/export.xlsx").data))
    sheet = book["Returns"]
    assert sheet["A2"].value == account.reference
    history = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/accounts/{account.id}/returns/history.xlsx").data)
    )["Returns"]
    assert history["G2"].value == "Sent, waiting for review"
    assert all(cell.data_type != "f" for row in history.iter_rows() for cell in row)


def test_queue_filters_by_locality_organisation_and_flags(client, factory, db_session):
    from dp_portal.core.types import utcnow

    org = factory.organisation(name="Filter Brokers")
    north = factory.account(start_date=date(2026, 4, 6), locality="North")
    south = factory.account(start_date=date(2026, 4, 6), locality="South")
    factory.mandate(south, org, starts_on=date(2026, 1, 1))
    officer = factory.user(Role.FINANCE_OFFICER)
    for account, flags in ((north, "[]"), (south, '[{"code": "bank", "message": "m"}]')):
        db_session.add(
            MonitoringReturn(
                account_id=account.id,
                period_start=date(2026, 4, 6),
                period_end=date(2026, 6, 30),
                due_date=date(2026, 7, 28),
                status="submitted",
                flags_json=flags,
                submitted_at=utcnow(),
                submitted_by_id=officer.id,
            )
        )
    db_session.flush()
    sign_in_as(client, officer)
    by_place = client.get("/returns?locality=north").data.decode()
    assert north.reference in by_place and south.reference not in by_place
    by_org = client.get(f"/returns?organisation={org.id}").data.decode()
    assert south.reference in by_org and north.reference not in by_org
    flagged = client.get("/returns?flagged=flagged").data.decode()
    assert south.reference in flagged and north.reference not in flagged
    old = client.get("/returns?age=28").data.decode()
    assert north.reference not in old and south.reference not in old  # both sent just now


def test_the_reminder_timetable_is_published_and_versioned(client, factory, db_session):
    from dp_portal.monitoring.models import ReminderPolicy

    public = client.get("/reminder-timetable").data.decode()
    assert "7 days after the due date" in public and "First reminder" in public
    sign_in_as(client, factory.user(Role.ADMIN))
    data = {
        "first": "5",
        "second": "15",
        "final": "30",
        "escalation": "45",
        "working_days": "1",
        "effective_from": ["1", "1", "2026"],
        "note": "Agreed by committee",
    }
    wrong = client.post("/admin/reminder-timetable", data=data | {"second": "3"})
    assert b"Each stage must come after the one before it" in wrong.data
    assert client.post("/admin/reminder-timetable", data=data).status_code == 302
    client.post(
        "/admin/reminder-timetable",
        data=data | {"first": "6", "effective_from": ["1", "2", "2026"]},
    )
    versions = (
        db_session.execute(select(ReminderPolicy.version).order_by(ReminderPolicy.version))
        .scalars()
        .all()
    )
    assert versions == [1, 2]  # a change is a new version; the first is kept
    public = client.get("/reminder-timetable").data.decode()
    assert "6 working days after the due date" in public and "version 2" in public
    assert "Agreed on" in public and "Agreed by committee" in public  # when, by whom, why
    # A change agreed for the future is shown before it applies, beside the one in force.
    client.post(
        "/admin/reminder-timetable",
        data=data | {"first": "8", "effective_from": ["1", "4", "2099"], "note": "Next year"},
    )
    public = client.get("/reminder-timetable").data.decode()
    assert "6 working days after the due date" in public
    assert "A new timetable from 1 April 2099" in public and "8 working days" in public

    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    form = client.get(f"/accounts/{account.id}/returns/2026-04-06").data.decode()
    assert "When we will remind you about this return" in form and "First reminder" in form


def test_the_queue_costs_the_same_queries_however_many_returns(app, client, factory, db_session):
    from sqlalchemy import event

    from dp_portal.extensions import db

    officer = factory.user(Role.FINANCE_OFFICER)
    sign_in_as(client, officer)
    with app.app_context():
        engine = db.engine

    def queries_for_queue() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            page = client.get("/returns?status=submitted")
            assert page.status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    def send_returns(how_many: int) -> None:
        for _ in range(how_many):
            account = factory.account(start_date=date(2026, 4, 6))
            form = f"/accounts/{account.id}/returns/2026-04-06"
            assert client.post(form, data=FIGURES | {"send": "y"}).status_code == 302

    send_returns(2)
    few = queries_for_queue()
    send_returns(6)
    assert db_session.execute(select(func.count(MonitoringReturn.id))).scalar() == 8
    assert queries_for_queue() == few


def test_a_long_queue_is_counted_only_so_far(client, factory, db_session, monkeypatch):
    from dp_portal.core import pagination

    monkeypatch.setattr(pagination, "CAP", 60)  # the real cap is 10,000 returns
    officer = factory.user(Role.FINANCE_OFFICER)
    sign_in_as(client, officer)
    for _ in range(111):
        account = factory.account(start_date=date(2026, 4, 6))
        form = f"/accounts/{account.id}/returns/2026-04-06"
        assert client.post(form, data=FIGURES | {"send": "y"}).status_code == 302
    text = client.get("/returns").text
    assert "Page 1 of 2 (more than 60 in all: search or filter to narrow the list)" in text
    assert "page=2" in text and "page=0" not in text
    # No page walks past the cap: asking for page 3 shows the last page within it.
    last = client.get("/returns?page=3").text
    assert "Page 2 of 2 (more than 60 in all" in last and '/returns?page=3"' not in last


def test_a_return_is_sent_only_once_its_period_has_ended(client, factory, db_session):
    from datetime import timedelta

    from dp_portal.core.types import local_today

    start = local_today() - timedelta(days=7)  # a new account: its first period runs 12 weeks
    account = factory.account(start_date=start)
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    url = f"/accounts/{account.id}/returns/{start.isoformat()}"
    form = client.get(url).get_data(as_text=True)
    assert "You can send this return once its period has ended" in form
    assert 'name="send"' not in form  # no Send button yet, only Save
    # A forged "send" keeps the figures as a draft and says when it can be sent.
    sent = client.post(url, data=FIGURES | {"send": "y"}, follow_redirects=True)
    assert "saved as a draft" in sent.get_data(as_text=True)
    (draft,) = db_session.execute(select(MonitoringReturn)).scalars().all()
    assert draft.status == "draft" and draft.submitted_at is None


def test_the_officers_question_shows_on_the_form_the_person_answers_it_on(
    client, factory, db_session
):
    account = factory.account(start_date=date(2026, 4, 6))
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    form_url = f"/accounts/{account.id}/returns/2026-04-06"
    sign_in_as(client, me)
    client.post(form_url, data=FIGURES | {"send": "y"})
    row = db_session.execute(select(MonitoringReturn)).scalar_one()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    client.post(f"/returns/{row.id}", data={"message": "Where did the £40 refund go?"})

    sign_in_as(client, me)
    answer_link = client.get(f"/returns/{row.id}").text
    assert f'href="{form_url}">Answer the question' in answer_link
    question = "Our question: Where did the £40 refund go?"
    assert question in client.get(form_url).text  # the new version, not yet saved
    client.post(form_url, data=FIGURES | {"explanation": "Paid back in May", "save": "y"})
    assert question in client.get(form_url).text  # and once the answer is saved as a draft
