"""Letters' PDFs are kept through the storage interface (issue 16), not in the database; a
letter rendered before the move is still read from its database column, and stepping back
migration 0025 puts each stored PDF back into that column."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select

from dp_portal import create_app
from dp_portal.auth.models import Role
from dp_portal.core import storage
from dp_portal.core.letters import Letter, LetterRecipient, letter_row, pending_letter_ids
from dp_portal.core.types import utcnow
from dp_portal.extensions import db

from ..conftest import _TMP, make_config, scratch_database, sign_in_as
from ..factories import UPLIFT_CONTEXT, Factory

TO = LetterRecipient("Ms A Person", ["1 High Street", "Glenarden"], "standard")
OLD_PDF = b"%PDF-1.7\n% rendered in 2026 and kept in the database\n%%EOF\n"


def _letter(session, account_id: int, **values) -> Letter:
    row = letter_row(
        account_id=account_id, kind="uplift", subject="S", to=TO, context=UPLIFT_CONTEXT
    )
    session.execute(insert(Letter), [row | values])
    return session.execute(select(Letter).order_by(Letter.id.desc()).limit(1)).scalar_one()


def _reader(factory, client):
    account, user = factory.account(), factory.user(Role.RECIPIENT)
    factory.access(user, account)
    sign_in_as(client, user)
    return account


def test_a_rendered_letter_is_kept_in_storage_not_the_database(
    client, factory, db_session, own_storage
):
    letter = _letter(db_session, _reader(factory, client).id)
    served = client.get(f"/letters/{letter.id}.pdf")
    assert served.status_code == 200 and served.data.startswith(b"%PDF")
    db_session.expire_all()
    assert letter.pdf is None and letter.rendered_at is not None
    assert own_storage.get(letter.pdf_key) == served.data
    with client.application.app_context():
        assert letter.id not in pending_letter_ids(100)


def test_a_letter_rendered_before_is_still_read_from_the_database(
    client, factory, db_session, own_storage
):
    letter = _letter(db_session, _reader(factory, client).id, pdf=OLD_PDF)
    served = client.get(f"/letters/{letter.id}.pdf")
    assert served.status_code == 200 and served.data == OLD_PDF  # not rendered again
    db_session.expire_all()
    assert letter.pdf_key is None and not list(own_storage.root.rglob("*.pdf"))


def test_stepping_back_0025_puts_stored_pdfs_back_in_the_database():
    scratch_url, cleanup = scratch_database("letters-0025")
    app = create_app(make_config(scratch_url, _TMP / "letters-0025-instance"))
    try:
        with app.app_context():
            upgrade()
            account = Factory(db.session).account()
            kept = _letter(db.session, account.id)
            lost = _letter(db.session, account.id)
            kept.pdf_key = storage.current().put(
                storage.new_key("letters", ".pdf"), OLD_PDF, "application/pdf"
            )
            lost.pdf_key = "letters/no-longer-in-the-store.pdf"
            kept.rendered_at = lost.rendered_at = utcnow()
            db.session.commit()
            ids = kept.id, lost.id
            db.session.remove()
            downgrade(revision="0024")
            rows = db.session.execute(
                db.text("SELECT id, pdf, rendered_at FROM letters ORDER BY id")
            ).all()
            assert [(r.id, r.pdf) for r in rows] == [(ids[0], OLD_PDF), (ids[1], None)]
            assert rows[0].rendered_at is not None
            assert rows[1].rendered_at is None  # rendered again, from its recorded facts
            db.session.remove()
            upgrade()
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


def test_an_operator_moves_the_pdfs_kept_in_the_database_into_the_store(
    app, client, factory, db_session, own_storage
):
    account = _reader(factory, client)
    old = [_letter(db_session, account.id, pdf=OLD_PDF + bytes([n])) for n in range(3)]
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["dp", "storage", "move-letters"])
    assert result.exit_code == 0 and "Moved 3 letter PDFs from the database" in result.output
    db_session.expire_all()
    for n, letter in enumerate(old):
        assert letter.pdf is None
        assert own_storage.get(letter.pdf_key) == OLD_PDF + bytes([n])
        assert client.get(f"/letters/{letter.id}.pdf").data == OLD_PDF + bytes([n])
    again = app.test_cli_runner().invoke(args=["dp", "storage", "move-letters"])
    assert "Moved 0 letter PDFs" in again.output


def test_a_store_that_fails_half_way_loses_no_letter(app, client, factory, db_session, own_storage):
    from dp_portal.core.storage_cli import move_letter_pdfs

    account = _reader(factory, client)
    first, second = (_letter(db_session, account.id, pdf=OLD_PDF) for _ in range(2))
    db_session.commit()
    real_put, puts = own_storage.put, []

    def put_once(key, data, kind):
        if puts:
            raise storage.StorageError("the store stopped answering")
        puts.append(key)
        return real_put(key, data, kind)

    own_storage.put = put_once
    with app.app_context():
        try:
            move_letter_pdfs(batch=1)
        except storage.StorageError:
            db.session.rollback()
    db_session.expire_all()
    assert first.pdf is None and own_storage.get(first.pdf_key) == OLD_PDF
    assert second.pdf == OLD_PDF and second.pdf_key is None  # still readable where it was
    own_storage.put = real_put
    with app.app_context():
        assert move_letter_pdfs() == 1
