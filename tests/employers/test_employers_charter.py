"""The Charter Mark from the employer's and the officer's side: a Supporter is awarded at once;
a holder answers every criterion (with evidence through the upload rules) and sends it; an
officer who took no part records a finding per criterion and asks for more, declines with
reasons, or awards; awards are numbered in order within their year."""

import io
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.types import local_today
from dp_portal.employers.charter_rules import expiry
from dp_portal.employers.models import (
    Answer,
    Application,
    Award,
    CharterTier,
    CriteriaVersion,
    Criterion,
    EmployerFile,
)

from ..conftest import sign_in_as

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(factory):
    recipient = factory.user(Role.RECIPIENT)
    account = factory.account()
    factory.access(recipient, account)
    return recipient, account, factory.user(Role.FINANCE_OFFICER)


def _keys(db_session) -> list[str]:
    version = (
        db_session.execute(select(CriteriaVersion).order_by(CriteriaVersion.version.desc()))
        .scalars()
        .first()
    )
    return [c.key for c in version.criteria]


def _apply(client, account, tier, name="Good Employer 7"):
    return client.post(
        f"/employers/accounts/{account.id}/charter-mark/apply",
        data={"tier": tier, "display_name": name, "declaration": "y"},
    )


def _application(db_session, account) -> Application:
    db_session.expire_all()
    return (
        db_session.execute(
            select(Application).where(Application.account_id == account.id).order_by(Application.id)
        )
        .scalars()
        .all()[-1]
    )


def _answer_all(client, db_session, application, send=True, **files):
    data = {f"answer_{key}": f"How I meet {key}" for key in _keys(db_session)}
    data |= {f"evidence_{key}": (io.BytesIO(body), name) for key, (name, body) in files.items()}
    if send:
        data["send"] = "y"
    return client.post(
        f"/employers/charter/applications/{application.id}/answers",
        data=data,
        content_type="multipart/form-data",
    )


def _review(client, application, findings: dict, decision: str, keys):
    data = {"decision": decision}
    for key in keys:
        finding, message = findings.get(key, ("met", ""))
        data[f"finding_{key}"], data[f"message_{key}"] = finding, message
    return client.post(f"/employers/charter/applications/{application.id}/review", data=data)


def _sent_holder(client, db_session, people) -> Application:
    recipient, account, _ = people
    sign_in_as(client, recipient)
    _apply(client, account, "holder")
    application = _application(db_session, account)
    assert _answer_all(client, db_session, application).status_code == 302
    return _application(db_session, account)


def test_a_supporter_is_awarded_at_once(client, db_session, people):
    recipient, account, _ = people
    sign_in_as(client, recipient)
    response = _apply(client, account, "supporter")
    application = _application(db_session, account)
    assert response.location.endswith(f"/employers/charter/applications/{application.id}")
    assert application.status == "awarded" and application.decided_by_id is None
    award = db_session.execute(select(Award)).scalars().one()
    today = local_today()
    assert award.number.startswith(f"CM-{today.year}-")
    assert (award.starts_on, award.expires_on) == (today, expiry(today, 2))
    assert (award.tier, award.display_name) == ("supporter", "Good Employer 7")
    page = client.get(f"/employers/charter/applications/{application.id}").get_data(True)
    assert award.number in page and "Current" in page
    actions = set(db_session.execute(select(AuditEvent.action)).scalars())
    assert {"charter.started", "charter.awarded"} <= actions


def test_applying_needs_a_name_and_the_commitment(client, db_session, people):
    recipient, account, _ = people
    sign_in_as(client, recipient)
    page = client.post(
        f"/employers/accounts/{account.id}/charter-mark/apply",
        data={"tier": "supporter", "display_name": "<script>"},
    ).get_data(True)
    assert "Tick the box to commit to the criteria" in page
    assert "The name cannot contain" in page
    assert db_session.execute(select(Application)).first() is None


def test_a_holder_answers_with_evidence_and_sends_it(client, db_session, people):
    recipient, account, _ = people
    sign_in_as(client, recipient)
    started = _apply(client, account, "holder")
    application = _application(db_session, account)
    assert started.location.endswith(f"/applications/{application.id}/answers")
    assert application.status == "draft"

    # A file that is not what its name says is refused, and nothing is saved.
    refused = _answer_all(
        client, db_session, application, written_contract=("contract.pdf", b"MZ\0\0")
    )
    assert refused.status_code == 200
    assert "The file for" in refused.get_data(True)
    assert _application(db_session, account).status == "draft"
    assert db_session.execute(select(EmployerFile)).first() is None

    sent = _answer_all(client, db_session, application, written_contract=("My contract.pdf", PDF))
    assert sent.status_code == 302
    application = _application(db_session, account)
    assert application.status == "submitted" and application.submitted_at is not None
    stored = db_session.execute(select(EmployerFile)).scalars().one()
    assert (stored.purpose, stored.original_name, stored.size) == (
        "charter",
        "My contract.pdf",
        len(PDF),
    )
    answer = (
        db_session.execute(
            select(Answer).join(Criterion).where(Criterion.key == "written_contract")
        )
        .scalars()
        .one()
    )
    assert answer.file_id == stored.id and answer.answer == "How I meet written_contract"
    saved = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "charter.answers_saved")
    ).scalar_one()
    assert saved.after["files"]["written_contract"]["sha256"] == stored.sha256
    download = client.get(f"/employers/charter/files/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    # Sent: the answers are no longer open to change.
    again = _answer_all(client, db_session, application, send=False)
    assert again.status_code == 302
    assert _application(db_session, account).status == "submitted"


def test_an_application_is_sent_only_with_every_criterion_answered(client, db_session, people):
    recipient, account, _ = people
    sign_in_as(client, recipient)
    _apply(client, account, "holder")
    application = _application(db_session, account)
    keys = _keys(db_session)
    data = {f"answer_{key}": "Yes" for key in keys[:-1]} | {"send": "y"}
    response = client.post(f"/employers/charter/applications/{application.id}/answers", data=data)
    assert response.status_code == 302
    assert _application(db_session, account).status == "draft"
    assert "Answer every criterion" in client.get(response.location).get_data(True)


def test_asking_for_more_then_awarding(client, db_session, people):
    application = _sent_holder(client, db_session, people)
    recipient, account, officer = people
    keys = _keys(db_session)
    sign_in_as(client, officer)
    asked = _review(
        client, application, {"pvg": ("more_info", "Which PAs have PVG?")}, "more_info", keys
    )
    assert asked.status_code == 302
    application = _application(db_session, account)
    assert application.status == "more_info" and application.decided_by_id is None

    sign_in_as(client, recipient)
    page = client.get(f"/employers/charter/applications/{application.id}").get_data(True)
    assert "Which PAs have PVG?" in page and "We need more information" in page
    form = client.get(f"/employers/charter/applications/{application.id}/answers").get_data(True)
    assert 'name="answer_pvg"' in form and 'name="answer_holiday"' not in form
    resent = client.post(
        f"/employers/charter/applications/{application.id}/answers",
        data={"answer_pvg": "Both PAs, checked in March", "send": "y"},
    )
    assert resent.status_code == 302
    assert _application(db_session, account).status == "submitted"

    sign_in_as(client, officer)
    assert _review(client, application, {}, "award", keys).status_code == 302
    application = _application(db_session, account)
    award = db_session.execute(select(Award)).scalars().one()
    assert application.status == "awarded" and application.decided_by_id == officer.id
    assert (award.tier, award.awarded_by_id) == ("holder", officer.id)
    findings = set(db_session.execute(select(Answer.finding)).scalars())
    assert findings == {"met"}
    reviews = (
        db_session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "charter.reviewed")
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert [r.after["decision"] for r in reviews] == ["more_info", "award"]
    assert reviews[0].after["findings"]["pvg"] == "more_info"


def test_declining_gives_reasons_per_criterion(client, db_session, people):
    application = _sent_holder(client, db_session, people)
    recipient, account, officer = people
    sign_in_as(client, officer)
    reason = "Payslips show 11.50 an hour"
    findings = {"minimum_pay": ("unmet", reason), "pension": ("more_info", "Which scheme?")}
    assert _review(client, application, findings, "decline", _keys(db_session)).status_code == 302
    application = _application(db_session, account)
    assert application.status == "declined" and application.decided_by_id == officer.id
    assert db_session.execute(select(Award)).first() is None
    sign_in_as(client, recipient)
    page = client.get(f"/employers/charter/applications/{application.id}").get_data(True)
    assert reason in page and "Not met" in page and "Withdraw" not in page


def test_a_review_with_problems_changes_nothing(client, db_session, people):
    application = _sent_holder(client, db_session, people)
    _, account, officer = people
    sign_in_as(client, officer)
    keys = _keys(db_session)
    silent = _review(client, application, {"pvg": ("more_info", "")}, "more_info", keys)
    assert silent.status_code == 200
    assert "Say what you need for" in silent.get_data(True)
    too_soon = _review(client, application, {"pvg": ("unmet", "No PVG")}, "award", keys)
    assert "only when every criterion is met" in too_soon.get_data(True)
    assert _application(db_session, account).status == "submitted"
    assert set(db_session.execute(select(Answer.finding)).scalars()) == {None}


def test_whoever_made_or_answered_an_application_never_reviews_it(client, db_session, factory):
    officer, other = factory.user(Role.FINANCE_OFFICER), factory.user(Role.TEAM_LEADER)
    account = factory.account()
    sign_in_as(client, officer)  # a finance officer applies on the employer's behalf
    _apply(client, account, "holder")
    application = _application(db_session, account)
    _answer_all(client, db_session, application)
    page = client.get(f"/employers/charter/applications/{application.id}/review").get_data(True)
    assert "another officer must review it" in page
    refused = _review(client, application, {}, "award", _keys(db_session))
    assert "another officer must review it" in refused.get_data(True)
    assert _application(db_session, account).status == "submitted"
    sign_in_as(client, other)
    assert _review(client, application, {}, "award", _keys(db_session)).status_code == 302
    # And the database refuses a decision recorded by the applicant, whatever the code does.
    application = _application(db_session, account)
    application.decided_by_id = application.created_by_id
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_an_applicant_withdraws_before_a_decision(client, db_session, people):
    application = _sent_holder(client, db_session, people)
    response = client.post(f"/employers/charter/applications/{application.id}/withdraw")
    assert response.status_code == 302
    assert _application(db_session, people[1]).status == "withdrawn"
    again = client.post(f"/employers/charter/applications/{application.id}/withdraw")
    assert "already been decided or withdrawn" in client.get(again.location).get_data(True)


def test_one_application_at_a_time_and_renewal_only_near_expiry(client, db_session, people):
    recipient, account, _ = people
    sign_in_as(client, recipient)
    _apply(client, account, "holder")
    busy = _apply(client, account, "supporter").get_data(True)
    assert "already has an application in progress" in busy
    client.post(f"/employers/charter/applications/{_application(db_session, account).id}/withdraw")
    _apply(client, account, "supporter")
    early = _apply(client, account, "supporter").get_data(True)
    assert "You can apply to renew it from" in early
    # A Supporter may go on to apply as a holder at any time.
    assert _apply(client, account, "holder").status_code == 302


def test_award_numbers_run_in_order_within_each_year(app_ctx, factory):
    from dp_portal.employers.charter_services import start_application
    from dp_portal.extensions import db

    user = db.session.merge(factory.user(Role.RECIPIENT))
    days = [date(2026, 3, 1), date(2026, 12, 31), date(2027, 1, 1), date(2027, 6, 1)]
    accounts = [factory.account() for _ in days]
    numbers = []
    for day, made in zip(days, accounts, strict=True):
        account = db.session.merge(made)
        application = start_application(
            account, tier=CharterTier.SUPPORTER, display_name="A", actor=user, today=day
        )
        numbers.append(
            db.session.execute(
                select(Award.number).where(Award.application_id == application.id)
            ).scalar()
        )
    assert numbers == ["CM-2026-0001", "CM-2026-0002", "CM-2027-0001", "CM-2027-0002"]
