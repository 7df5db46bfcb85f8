"""Evidence uploads through the web against a hostile or careless sender: every refusal is a
plain message with nothing recorded and nothing left on disk; names are cleaned for pages and
downloads; an accepted return takes no more files; a return's files are limited in number
and size; a file written for a transaction that rolls back is removed."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.monitoring import evidence as evidence_service
from dp_portal.monitoring.models import Evidence, MonitoringReturn

from ..conftest import sign_in_as
from ..hostile_files import (
    PDF,
    build_zip,
    compound_file,
    encrypted_pdf,
    encrypted_workbook,
    flag_encrypted,
    pdf_pages,
    picture,
    png_header,
    zip_parts,
)
from ..hostile_workbooks import external_link
from .test_return_spreadsheets import template

START = date(2026, 4, 6)
LOCKED = "This file is password-protected: save a copy without a password"


def stored_files(app) -> set[str]:
    folder = Path(app.config["EVIDENCE_DIR"])
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.fixture
def sender(client, factory):
    account = factory.account(start_date=START)
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    return account, me


def post(client, account, data: bytes, name: str, content_type: str | None = None):
    upload = (io.BytesIO(data), name, content_type) if content_type else (io.BytesIO(data), name)
    return client.post(
        f"/accounts/{account.id}/returns/{START.isoformat()}/evidence",
        data={"kind": "bank_statement", "file": upload},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


HOSTILE = [
    ("a PDF named .xlsx", PDF, "s.xlsx", "The file is called s.xlsx, but it is a PDF document"),
    ("a workbook named .pdf", template(), "s.pdf", "but it is an Excel workbook (.xlsx)"),
    ("a double extension", PDF, "s.pdf.exe", "The file is called s.pdf.exe, but it is a PDF"),
    ("a program", b"MZ\x90\x00" + b"\0" * 99, "s.pdf", "The file is a Windows program, but"),
    ("an old .xls", compound_file({"Workbook": b"\x09\x08"}), "s.xls", "an Excel 97-2003"),
    ("an encrypted PDF", encrypted_pdf("AES-256"), "s.pdf", LOCKED),
    ("an encrypted workbook", encrypted_workbook(template()), "s.xlsx", LOCKED),
    ("a zip with a password", flag_encrypted(template()), "s.xlsx", LOCKED),
    ("a truncated PDF", pdf_pages(2)[:-300], "s.pdf", "The PDF is incomplete or damaged"),
    ("a picture bomb", png_header(30_000, 30_000), "s.png", "The picture has more than 89"),
    ("a picture with no pixels", png_header(0, 0), "s.png", "The "),
    ("a cut-short photo", picture("JPEG", (600, 400))[:-300], "s.jpg", "it may be damaged"),
    (
        "a workbook with macros",
        build_zip(zip_parts(template()) | {"xl/vbaProject.bin": b"\0" * 99}),
        "s.xlsx",
        "The workbook contains macros",
    ),
    (
        "a workbook linking to another",
        external_link("[1]Sheet1!A1"),
        "s.xlsx",
        "The workbook has formulas that link to another workbook",
    ),
    ("CSV in no encoding we read", b"a,b\n\x81\x8d\n", "s.csv", "The CSV file is in a char"),
    ("CSV in UTF-32", "a,b\n".encode("utf-32"), "s.csv", "The CSV file is saved as UTF-32"),
    ("CSV with a bidi override", "a,b\n1,\u202e9\n".encode(), "s.csv", "Line 2 of the CSV"),
    ("an empty file", b"", "s.pdf", "The file is empty"),
]


@pytest.mark.parametrize(("case", "data", "name", "message"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_evidence_is_refused_and_nothing_is_kept(
    app, client, db_session, sender, case, data, name, message
):
    before = stored_files(app)
    response = post(client, sender[0], data, name)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The file was not added: " in page
    assert str(escape(message)) in page, case
    assert db_session.execute(select(func.count(Evidence.id))).scalar() == 0
    assert stored_files(app) == before


@pytest.mark.parametrize(
    "declared", ["application/vnd.ms-excel", "application/octet-stream", "text/plain", None]
)
def test_a_genuine_csv_is_accepted_whatever_type_the_browser_declares(
    client, db_session, sender, declared
):
    data = "Date,Payee,Amount\n01/04/2026,Payroll Ltd,£45.00\n".encode("cp1252")
    assert post(client, sender[0], data, "bank.csv", declared).status_code == 200
    row = db_session.execute(select(Evidence)).scalar_one()
    assert (row.content_type, row.original_name) == ("text/csv", "bank.csv")


def test_the_name_shown_and_downloaded_is_cleaned(client, db_session, sender):
    # (CR, LF and backslashes do not survive multipart encoding and werkzeug's parser: the
    # unit tests and the download test cover those.)
    sent = "../../home/me/state\u202ement\u2069\t.pdf"
    page = post(client, sender[0], pdf_pages(), sent).get_data(as_text=True)
    row = db_session.execute(select(Evidence)).scalar_one()
    assert row.original_name == "statement.pdf"
    assert ">statement.pdf</a>" in page and "\u202e" not in page
    download = client.get(f"/evidence/{row.id}")
    assert download.headers["Content-Disposition"] == "attachment; filename=statement.pdf"


def test_a_name_stored_before_cleaning_still_downloads_safely(app, client, db_session, sender):
    account, me = sender
    folder = Path(app.config["EVIDENCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "legacy-name.pdf").write_bytes(PDF)
    row = Evidence(
        account_id=account.id,
        period_start=START,
        kind="receipt",
        original_name='bad"name\r\nSet-Cookie: admin=1\u202e.pdf',
        stored_name="legacy-name.pdf",
        content_type="application/pdf",
        sha256="0" * 64,
        size=len(PDF),
        uploaded_by_id=me.id,
    )
    db_session.add(row)
    db_session.flush()
    download = client.get(f"/evidence/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    header = download.headers["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert not any("admin" in cookie for cookie in download.headers.getlist("Set-Cookie"))
    assert header == 'attachment; filename="bad\\"name Set-Cookie: admin=1.pdf"'


def test_an_accepted_return_takes_no_more_evidence(app, client, db_session, sender):
    account, me = sender
    db_session.add(
        MonitoringReturn(
            account_id=account.id,
            period_start=START,
            period_end=date(2026, 6, 30),
            due_date=date(2026, 7, 28),
            status="accepted",
            submitted_by_id=me.id,
        )
    )
    db_session.flush()
    before = stored_files(app)
    page = post(client, account, pdf_pages(), "late receipt.pdf").get_data(as_text=True)
    assert "This return has been accepted, so no more files can be added to it" in page
    assert "start an amendment from the return&#39;s page (we review it again)" in page
    assert app.config["COUNCIL_PHONE"] in page
    assert db_session.execute(select(func.count(Evidence.id))).scalar() == 0
    assert stored_files(app) == before


def test_a_return_takes_a_limited_number_of_files(app, client, db_session, sender, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_FILES", 2)
    for n in range(2):
        post(client, sender[0], pdf_pages(n + 1), f"page {n}.pdf")
    page = post(client, sender[0], pdf_pages(3), "one too many.pdf").get_data(as_text=True)
    assert "This return already has 2 files, the most one return can have" in page
    assert db_session.execute(select(func.count(Evidence.id))).scalar() == 2


def test_a_return_takes_a_limited_total_size(app, client, db_session, sender, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_TOTAL_MB", 1)
    scan = b"%PDF-1.4\n%" + b"x" * 600_000 + b"\n%%EOF\n"  # a 600 KB scan
    assert post(client, sender[0], scan, "scan 1.pdf").status_code == 200
    page = post(client, sender[0], scan, "scan 2.pdf").get_data(as_text=True)
    assert "The files for this return would come to more than 1 MB together" in page
    assert db_session.execute(select(func.count(Evidence.id))).scalar() == 1


def _add(account, me):
    return evidence_service.add_evidence(
        account,
        START,
        kind="receipt",
        filename="receipt.pdf",
        data=pdf_pages(),
        actor=me,
    )


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_a_file_is_removed_when_its_transaction_does_not_commit(
    app, db_session, factory, own_storage, ending
):
    account, me = factory.account(start_date=START), factory.user(Role.RECIPIENT)
    with app.app_context():
        from dp_portal.extensions import db

        row = _add(account, me)
        stored = own_storage.root / row.stored_name
        assert stored.exists()
        getattr(db.session, ending)()
        assert not stored.exists()


def test_a_file_stays_when_its_transaction_commits(app, db_session, factory, own_storage):
    account, me = factory.account(start_date=START), factory.user(Role.RECIPIENT)
    with app.app_context():
        from dp_portal.extensions import db

        stored = own_storage.root / _add(account, me).stored_name
        db.session.commit()
        db.session.close()
        assert stored.read_bytes().startswith(b"%PDF-")


def test_a_request_that_fails_after_writing_the_file_leaves_nothing(
    app, client, db_session, sender, monkeypatch
):
    def audit_down(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(evidence_service.audit, "record", audit_down)
    before = stored_files(app)
    with pytest.raises(RuntimeError):
        post(client, sender[0], pdf_pages(), "statement.pdf")
    assert stored_files(app) == before
    assert db_session.execute(select(func.count(Evidence.id))).scalar() == 0
