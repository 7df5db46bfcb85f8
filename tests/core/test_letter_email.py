"""A copy of each letter is emailed, PDF attached, when an address is on file. A failed send is
retried on a widening timetable, then shown to finance officers; the letter is never lost."""

import smtplib
from datetime import timedelta
from email import message_from_bytes, policy
from itertools import product

import pytest
from sqlalchemy import select

from dp_portal.accounts.correspondents import correspondents
from dp_portal.auth.models import Role
from dp_portal.core import letter_email
from dp_portal.core.errors import RuleError
from dp_portal.core.letter_email import MAX_ATTEMPTS, RETRY_AFTER, TRANSITIONS, email_due_letters
from dp_portal.core.letters import EmailStatus, Letter, LetterRecipient, letter_row, record_letters
from dp_portal.core.types import utcnow
from dp_portal.extensions import db

from ..conftest import sign_in_as
from ..factories import UPLIFT_CONTEXT


def _letter(factory, email="morag@example.org", *, online=True):
    account = factory.account(person=factory.person(email=email))
    if online:  # the person can sign in: the email links to their letters
        factory.access(factory.user(Role.RECIPIENT), account)
    record_letters(
        [
            letter_row(
                account_id=account.id,
                kind="uplift",
                subject="Your direct payment is going up",
                to=correspondents([account.id])[account.id],
                context=UPLIFT_CONTEXT,
            )
        ]
    )
    db.session.flush()
    return db.session.execute(select(Letter).where(Letter.account_id == account.id)).scalar_one()


def test_the_letter_is_emailed_once_with_its_pdf(app_ctx, factory, outbox):
    letter = _letter(factory)
    letter_id, account_id = letter.id, letter.account_id
    assert (letter.email_to, letter.email_status) == ("morag@example.org", "pending")
    assert email_due_letters() == {"sent": 1}
    assert email_due_letters() == {}  # nothing is sent twice
    [eml] = outbox.glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "morag@example.org"
    assert message["Subject"] == "Your direct payment is going up"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert f"http://localhost/accounts/{account_id}/letters" in message.get_body().get_content()
    letter = db.session.get(Letter, letter_id)
    assert letter.email_status == "sent" and letter.emailed_at is not None


def test_no_address_means_post_only(app_ctx, factory, outbox):
    letter = _letter(factory, email=None)
    assert letter.email_status is None
    assert email_due_letters() == {}
    assert list(outbox.glob("*.eml")) == []


def test_a_failing_server_is_retried_on_the_timetable_then_shown(
    app, app_ctx, factory, monkeypatch
):
    letter = _letter(factory)
    letter_id = letter.id

    def down(message):
        raise ConnectionRefusedError("mail server not answering")

    monkeypatch.setattr(letter_email, "deliver", down)
    now = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert email_due_letters(now=now) == {("retry" if attempt < MAX_ATTEMPTS else "failed"): 1}
        assert email_due_letters(now=now) == {}  # not again before its retry time
        letter = db.session.get(Letter, letter_id)
        assert letter.email_attempts == attempt
        assert "not answering" in letter.email_error
        if attempt < MAX_ATTEMPTS:
            assert letter.email_next_attempt_at == now + RETRY_AFTER[attempt - 1]
            now = letter.email_next_attempt_at
    assert letter.email_status == "failed" and letter.is_rendered  # still stored


def test_a_refused_address_fails_at_once(app_ctx, factory, monkeypatch):
    letter_id = _letter(factory).id

    def refuse(message):
        raise smtplib.SMTPRecipientsRefused({"morag@example.org": (550, b"No such user")})

    monkeypatch.setattr(letter_email, "deliver", refuse)
    assert email_due_letters() == {"failed": 1}
    assert db.session.get(Letter, letter_id).email_attempts == 1


def test_a_claimed_letter_is_not_sent_by_a_second_sender(app_ctx, factory, monkeypatch):
    letter = _letter(factory)
    sent = []
    monkeypatch.setattr(letter_email, "deliver", sent.append)
    now = utcnow()
    # Another sender claimed it a minute ago and has not finished.
    letter.email_status = "sending"
    letter.email_attempts, letter.email_next_attempt_at = 1, now + timedelta(minutes=14)
    db.session.commit()
    assert letter_email.email_letter(letter.id, now) == "skipped"
    assert sent == []


def test_officers_see_failed_emails_and_try_again(client, factory, db_session, monkeypatch):
    account = factory.account(person=factory.person(email="old@example.org"))
    db_session.execute(
        Letter.__table__.insert(),
        [
            {
                "account_id": account.id,
                "kind": "uplift",
                "subject": "Your direct payment is going up",
                "letter_format": "standard",
                "recipient_name": "Morag",
                "address_json": "[]",
                "context_json": "{}",
                "letter_date": utcnow().date(),
                "created_at": utcnow(),
                "email_to": "old@example.org",
                "email_status": "failed",
                "email_attempts": MAX_ATTEMPTS,
                "email_error": "SMTPRecipientsRefused: no such user",
            }
        ],
    )
    account.person.email = "new@example.org"
    db_session.flush()
    letter_id = db_session.execute(select(Letter.id)).scalar()

    sign_in_as(client, factory.user(Role.RECIPIENT))
    assert client.get("/letters/not-emailed").status_code == 403
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.get("/letters/not-emailed").data.decode()
    assert "old@example.org" in page and "no such user" in page
    response = client.post(f"/letters/{letter_id}/email-again")
    assert response.status_code == 302
    db_session.expire_all()
    letter = db_session.get(Letter, letter_id)
    assert (letter.email_status, letter.email_attempts, letter.email_to) == (
        "pending",
        0,
        "new@example.org",
    )
    letters_page = client.get(f"/accounts/{account.id}/letters").data.decode()
    assert "Waiting to be emailed" in letters_page


def test_the_command_sends_what_is_due_once(app, factory, db_session, outbox):
    account = factory.account(person=factory.person(email="isla@example.org"))
    db_session.execute(
        Letter.__table__.insert(),
        [
            letter_row(
                account_id=account.id,
                kind="uplift",
                subject="Your direct payment is going up",
                to=LetterRecipient("Isla", ["1 Road"], "standard", "isla@example.org"),
                context=UPLIFT_CONTEXT,
            )
        ],
    )
    db_session.flush()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["dp", "emails"])
    assert first.exit_code == 0 and "1 sent" in first.output, first.output
    assert "nothing due" in runner.invoke(args=["dp", "emails"]).output
    assert len(list(outbox.glob("*.eml"))) == 1


P, SENDING, SENT, FAILED = (
    EmailStatus.PENDING,
    EmailStatus.SENDING,
    EmailStatus.SENT,
    EmailStatus.FAILED,
)
# Every move the lifecycle allows, written out here so that changing the table in
# core/letter_email.py means changing this list too. None: post only (no address on file).
ALLOWED = {
    (P, SENDING),
    (SENDING, SENDING),
    (SENDING, SENT),
    (SENDING, P),
    (SENDING, FAILED),
    (FAILED, P),
}


@pytest.mark.parametrize(("current", "to"), list(product([None, *EmailStatus], EmailStatus)))
def test_the_email_lifecycle_allows_exactly_its_table(current, to):
    letter = Letter(email_status=current)
    if (current, to) in ALLOWED:
        letter_email.move(letter, to)
        assert letter.email_status == to
    else:
        with pytest.raises(RuleError):
            letter_email.move(letter, to)
        assert letter.email_status == current
    assert set(TRANSITIONS) == ALLOWED


def test_while_a_sender_holds_the_letter_it_shows_as_sending(app_ctx, factory, monkeypatch):
    """Another sender (or an officer's page) can see the letter is being sent, not waiting."""
    letter_id = _letter(factory).id
    seen = []

    def deliver(message):
        seen.append(db.session.execute(select(Letter.email_status).where(Letter.id == letter_id)))

    monkeypatch.setattr(letter_email, "deliver", deliver)
    assert email_due_letters() == {"sent": 1}
    assert [result.scalar() for result in seen] == ["sending"]


def test_a_lapsed_lease_is_claimed_again(app_ctx, factory, outbox):
    """A sender that crashed mid-send leaves the letter 'sending'; once its lease lapses the
    next run sends it (at least once: a copy may arrive twice, none is lost)."""
    letter = _letter(factory)
    letter_id, now = letter.id, utcnow()
    letter.email_status, letter.email_attempts = "sending", 1
    letter.email_next_attempt_at = now - timedelta(minutes=1)
    db.session.commit()
    assert email_due_letters(now=now) == {"sent": 1}
    assert db.session.get(Letter, letter_id).email_attempts == 2


def test_only_a_failed_email_is_tried_again(app_ctx, factory):
    letter = _letter(factory)
    with pytest.raises(RuleError):
        letter_email.retry(letter, "someone@example.org")
    assert letter.email_status == "pending"


def test_the_link_in_the_email_uses_the_configured_address_and_port(
    app, app_ctx, factory, outbox, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:5055/")
    account_id = _letter(factory).account_id
    assert email_due_letters() == {"sent": 1}
    [eml] = outbox.glob("*.eml")
    body = message_from_bytes(eml.read_bytes(), policy=policy.default).get_body().get_content()
    assert f"http://127.0.0.1:5055/accounts/{account_id}/letters\n" in body
