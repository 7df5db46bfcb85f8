"""The employer checklist: ticking items with dates and evidence (through the upload rules),
what each reader may do, and the renewal reminder letters, issued once, 30 days before."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.letters import Letter, render_html
from dp_portal.employers import checklist_services
from dp_portal.employers.jobs import issue_checklist_reminders
from dp_portal.employers.models import ChecklistReminder, ChecklistTick, EmployerFile
from dp_portal.extensions import db

from ..conftest import sign_in_as

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def employer(factory, client):
    user = factory.user(Role.RECIPIENT)
    account = factory.account()
    factory.access(user, account)
    sign_in_as(client, user)
    return user, account


def _form(done: date, renews: date | None = None, **extra) -> dict:
    """The tick form as a browser posts it (a GOV.UK date is three inputs of one name)."""
    data = {
        "done_on": [str(done.day), str(done.month), str(done.year)],
        "renews_on": [str(renews.day), str(renews.month), str(renews.year)] if renews else [""] * 3,
        "note": extra.pop("note", ""),
    }
    return data | extra


def _stored_files(app) -> set[str]:
    folder = Path(app.config["EVIDENCE_DIR"]) / EmployerFile.AREAS["checklist"]
    return {p.name for p in folder.glob("*")} if folder.exists() else set()


def test_a_recipient_ticks_insurance_with_its_renewal_date_and_certificate(
    app, client, employer, db_session
):
    user, account = employer
    today = date.today()  # noqa: DTZ011 - the form refuses dates after the UK's today
    done, renews = today - timedelta(days=10), today + timedelta(days=200)
    url = f"/accounts/{account.id}/employer-checklist/insurance"
    response = client.post(
        url,
        data=_form(done, renews, note="Policy 42", file=(io.BytesIO(PDF), '../cert "x".pdf')),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/accounts/{account.id}/employer-checklist").get_data(as_text=True)
    assert "Due again on" in page and "Policy 42" in page
    tick = db_session.execute(select(ChecklistTick)).scalar_one()
    assert (tick.done_on, tick.renews_on, tick.recorded_by_id) == (done, renews, user.id)
    file = db_session.get(EmployerFile, tick.file_id)
    assert file.purpose == "checklist" and file.account_id == account.id
    assert "/" not in file.original_name and file.original_name.endswith(".pdf")
    event = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "checklist.ticked")
    ).scalar_one()
    assert event.account_id == account.id

    download = client.get(f"/employers/checklist-files/{file.id}")
    assert download.status_code == 200
    assert download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "\r" not in disposition


def test_a_refused_file_records_nothing_and_keeps_nothing(app, client, employer, db_session):
    _, account = employer
    before = _stored_files(app)
    response = client.post(
        f"/accounts/{account.id}/employer-checklist/contract",
        data=_form(date(2026, 1, 5), file=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "contract.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "The file was not added" in response.get_data(as_text=True)
    assert db_session.execute(select(func.count(ChecklistTick.id))).scalar() == 0
    assert _stored_files(app) == before


def test_a_stored_file_is_removed_when_the_transaction_rolls_back(app, app_ctx, factory):
    account, user = db.session.merge(factory.account()), factory.user(Role.RECIPIENT)
    before = _stored_files(app)
    checklist_services.record_tick(
        account,
        "contract",
        done_on=date(2026, 1, 5),
        renews_on=None,
        note="",
        upload=checklist_services.Upload("contract.pdf", PDF),
        actor=user,
        today=date(2026, 8, 1),
    )
    assert len(_stored_files(app) - before) == 1
    db.session.rollback()
    assert _stored_files(app) == before


@pytest.mark.parametrize(
    "item,renews,message",
    [
        ("insurance", None, "Enter the date it needs renewing"),
        ("insurance", date(2026, 1, 1), "The renewal date must be after the date it was done"),
    ],
)
def test_a_tick_that_cannot_be_right_is_explained(
    client, employer, db_session, item, renews, message
):
    _, account = employer
    response = client.post(
        f"/accounts/{account.id}/employer-checklist/{item}", data=_form(date(2026, 1, 5), renews)
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert db_session.execute(select(func.count(ChecklistTick.id))).scalar() == 0


def test_the_newest_tick_is_the_items_state(client, employer):
    _, account = employer
    url = f"/accounts/{account.id}/employer-checklist/supervision"
    client.post(url, data=_form(date(2026, 1, 5)))
    client.post(url, data=_form(date(2026, 2, 9)))
    page = client.get(f"/accounts/{account.id}/employer-checklist").get_data(as_text=True)
    assert "Done on 9 February 2026" in page
    assert "Done on 5 January 2026" not in page
    assert "Done on 5 January 2026" in client.get(url).get_data(as_text=True)  # the history


def test_view_only_staff_see_the_checklist_but_cannot_tick(client, factory):
    staff = factory.user(Role.BROKERAGE_STAFF)
    account = factory.account()
    factory.mandate(account, staff.organisation, scope="view_only")
    sign_in_as(client, staff)
    page = client.get(f"/accounts/{account.id}/employer-checklist")
    assert page.status_code == 200
    assert "employer-checklist/insurance" not in page.get_data(as_text=True)
    assert client.get(f"/accounts/{account.id}/employer-checklist/insurance").status_code == 403


def test_an_unknown_item_is_not_found(client, employer):
    _, account = employer
    assert client.get(f"/accounts/{account.id}/employer-checklist/nonsense").status_code == 404


def test_the_public_page_explains_the_checklist(client):
    html = client.get("/employers/checklist").get_data(as_text=True)
    assert "Employer&#39;s liability insurance in place" in html
    assert "30 days before the renewal date" in html


# --- Reminders, in moved time ----------------------------------------------------------------


def _tick(db_session, account, author, key, renews, done=date(2025, 10, 1)):
    db_session.add(
        ChecklistTick(
            account_id=account.id,
            item_key=key,
            done_on=done,
            renews_on=renews,
            recorded_by_id=author.id,
        )
    )
    db_session.flush()


def _letters(db_session, account) -> list[Letter]:
    return list(
        db_session.execute(
            select(Letter).where(
                Letter.account_id == account.id, Letter.kind == "checklist_renewal"
            )
        ).scalars()
    )


def test_a_renewal_reminder_is_issued_once_30_days_before(app, app_ctx, factory, db_session):
    account, author = factory.account(), factory.user(Role.RECIPIENT)
    _tick(db_session, account, author, "insurance", date(2026, 9, 30))  # reminder: 31 August
    assert issue_checklist_reminders(date(2026, 8, 30)) == 0
    assert issue_checklist_reminders(date(2026, 8, 31)) == 1
    assert issue_checklist_reminders(date(2026, 8, 31)) == 0  # twice the same day
    assert issue_checklist_reminders(date(2026, 9, 15)) == 0  # and not again
    [letter] = _letters(db_session, account)
    assert letter.letter_date == date(2026, 8, 31)
    assert letter.recipient_name.startswith("Morag")
    assert letter.context["renews_on"] == "2026-09-30"
    with app.test_request_context():
        html = render_html(
            letter.kind,
            letter.letter_format,
            **letter.context,
            subject="S",
            recipient_name="A",
            address_lines=[],
            letter_date=letter.letter_date,
        )
    assert "30 September 2026" in html

    # Renewed: a new tick with a new date gets its own reminder, when its day comes.
    _tick(db_session, account, author, "insurance", date(2027, 9, 30), done=date(2026, 9, 20))
    assert issue_checklist_reminders(date(2026, 10, 1)) == 0
    assert issue_checklist_reminders(date(2027, 8, 31)) == 1
    assert db_session.execute(select(func.count(ChecklistReminder.id))).scalar() == 2


def test_missed_days_catch_up_but_a_lapsed_item_is_not_written_about(app_ctx, factory, db_session):
    account, author = factory.account(), factory.user(Role.RECIPIENT)
    _tick(db_session, account, author, "pvg", date(2026, 9, 10))  # reminder day: 11 August
    _tick(db_session, account, author, "insurance", date(2026, 8, 20))  # lapses 20 August
    assert issue_checklist_reminders(date(2026, 8, 25)) == 1  # the job was down since July
    [reminder] = db_session.execute(select(ChecklistReminder)).scalars()
    assert (reminder.item_key, reminder.issued_on) == ("pvg", date(2026, 8, 25))


def test_closed_accounts_get_no_reminders(app_ctx, factory, db_session):
    account, author = factory.account(status="closed"), factory.user(Role.RECIPIENT)
    _tick(db_session, account, author, "insurance", date(2026, 9, 30))
    assert issue_checklist_reminders(date(2026, 9, 1)) == 0


def test_the_command_issues_what_is_due_on_a_date(app, factory, db_session):
    account, author = factory.account(), factory.user(Role.RECIPIENT)
    _tick(db_session, account, author, "insurance", date(2026, 9, 30))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dp", "checklist-reminders", "--as-of", "2026-09-01"])
    assert result.exit_code == 0, result.output
    assert "Issued 1 employer checklist reminders for 2026-09-01" in result.output
    again = runner.invoke(args=["dp", "checklist-reminders", "--as-of", "2026-09-02"])
    assert "Issued 0" in again.output
    bad = runner.invoke(args=["dp", "checklist-reminders", "--as-of", "1 Sept"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_the_demo_has_a_half_filled_checklist_and_two_pas(app, factory, db_session, own_storage):
    from dp_portal.employers.checklist import State
    from dp_portal.employers.demo_costs import demo_costs

    user, account = factory.user(Role.RECIPIENT), factory.account()
    factory.access(user, account)
    today = date(2026, 8, 1)
    with app.app_context():
        made = demo_costs(account_id=account.id, user_id=user.id, today=today, with_file=True)
        states = [v.state for v in checklist_services.checklist_for(account.id, today)]
        db.session.commit()
    assert states.count(State.NOT_DONE) == 4
    assert State.RENEWAL_DUE in states  # the insurance, renewing in 20 days
    assert made["reminders"] == 1
    assert len(list((own_storage.root / "employers").iterdir())) == 1
    client = app.test_client()
    body = client.get(str(made["calculator"]), headers={"Accept": "application/json"}).get_json()
    assert len(body["pas"]) == 2 and body["tax_year"] == "2026/27"
