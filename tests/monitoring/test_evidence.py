"""Evidence files: sniffed by content, stored outside the web root under random names with their
SHA-256, downloadable only by those who may see the account."""

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.uploads import EVIDENCE, UploadError, check_upload, identify
from dp_portal.monitoring.models import Evidence

from ..conftest import sign_in_as

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        (b"date,amount\n2026-04-01,12.50\n", "csv"),
    ],
)
def test_files_are_recognised_by_content(data, kind):
    assert identify(data).key == kind


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 100,
        b"#!/bin/sh\nrm -rf /\n",
        b"\x00\x01\x02",
        b"<html><script>x</script>",
    ],
)
def test_other_files_are_refused(data):
    with pytest.raises(UploadError, match="must be a PDF"):
        check_upload(data, "statement.pdf", EVIDENCE)


def test_evidence_upload_and_download(app, client, factory, db_session):
    account = factory.account(start_date=date(2026, 4, 6))
    me, stranger = factory.user(Role.RECIPIENT), factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    url = f"/accounts/{account.id}/returns/2026-04-06/evidence"

    renamed = client.post(
        url,
        data={
            "kind": "bank_statement",
            "file": (io.BytesIO(b"MZ" + b"\x00" * 50), "statement.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert b"The file was not added: The file is a Windows program, but it must be a PDF" in (
        renamed.data
    )
    assert db_session.execute(select(func.count(Evidence.id))).scalar() == 0

    added = client.post(
        url,
        data={"kind": "bank_statement", "file": (io.BytesIO(PDF), "April statement.pdf")},
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    row = db_session.execute(select(Evidence)).scalar_one()
    assert row.sha256 == hashlib.sha256(PDF).hexdigest() and row.content_type == "application/pdf"
    stored = Path(app.config["EVIDENCE_DIR"]) / row.stored_name
    assert stored.read_bytes() == PDF and "April" not in row.stored_name
    assert "static" not in str(stored.resolve())

    assert (
        "April statement.pdf"
        in client.get(f"/accounts/{account.id}/returns/2026-04-06").data.decode()
    )
    download = client.get(f"/evidence/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    sign_in_as(client, stranger)
    assert client.get(f"/evidence/{row.id}").status_code == 404
