"""The portal with STORAGE_URL=s3://… (a moto server on loopback standing in for the bucket):
evidence a recipient uploads is what an officer downloads, a letter's PDF and a committed run's
bank file are kept in the bucket and read back from it, and nothing lands on this machine's
disk. A file the bucket has lost is a clear 404, not a 500."""

from __future__ import annotations

import io
from datetime import date

import boto3
import pytest
from sqlalchemy import insert, select

from dp_portal import create_app
from dp_portal.auth.models import Role
from dp_portal.core.letters import Letter, LetterRecipient, letter_row
from dp_portal.extensions import db
from dp_portal.monitoring.models import Evidence
from dp_portal.payments.run_models import RunBankFile

from ..conftest import _TMP, database_url_for_tests, make_config, new_bucket, sign_in_as
from ..factories import UPLIFT_CONTEXT
from ..payments.test_bank_files_kept import committed_run

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PREFIX = "glenarden"


@pytest.fixture
def bucket(moto_endpoint) -> str:
    return new_bucket(moto_endpoint)


@pytest.fixture
def s3_app(moto_endpoint, bucket, db_session):
    """A second app on the test database, keeping its files in the bucket. Its requests use
    the test's connection (db_session), so they see the test's rows."""
    base = make_config(database_url_for_tests(), _TMP / "s3-instance")
    config = type(
        "S3Config",
        (base,),
        {
            "STORAGE_URL": f"s3://{bucket}/{PREFIX}",
            "STORAGE_ENDPOINT_URL": moto_endpoint,
            "STORAGE_SSE": "AES256",
            "EVIDENCE_DIR": _TMP / "s3-instance" / "must-stay-empty",
        },
    )
    app = create_app(config)
    yield app
    with app.app_context():
        db.engine.dispose()


def _objects(endpoint: str, bucket: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_evidence_uploaded_is_downloaded_from_the_bucket(
    s3_app, moto_endpoint, bucket, factory, db_session
):
    account = factory.account(start_date=date(2026, 4, 6))
    recipient, officer = factory.user(Role.RECIPIENT), factory.user(Role.FINANCE_OFFICER)
    factory.access(recipient, account)
    client = s3_app.test_client()
    sign_in_as(client, recipient)
    sent = client.post(
        f"/accounts/{account.id}/returns/2026-04-06/evidence",
        data={"kind": "bank_statement", "file": (io.BytesIO(PDF), "April statement.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    row = db_session.execute(select(Evidence)).scalar_one()
    assert _objects(moto_endpoint, bucket) == [f"{PREFIX}/{row.stored_name}"]
    assert not s3_app.config["EVIDENCE_DIR"].exists()  # nothing on this machine's disk

    sign_in_as(client, officer)
    download = client.get(f"/evidence/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == 'attachment; filename="April statement.pdf"'
    shown = client.get(f"/evidence/{row.id}?view=inline")
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline")


def test_a_file_the_bucket_has_lost_is_a_clear_404(
    s3_app, moto_endpoint, bucket, factory, db_session
):
    account = factory.account(start_date=date(2026, 4, 6))
    recipient = factory.user(Role.RECIPIENT)
    factory.access(recipient, account)
    client = s3_app.test_client()
    sign_in_as(client, recipient)
    client.post(
        f"/accounts/{account.id}/returns/2026-04-06/evidence",
        data={"kind": "receipt", "file": (io.BytesIO(PDF), "receipt.pdf")},
        content_type="multipart/form-data",
    )
    row = db_session.execute(select(Evidence)).scalar_one()
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-2").delete_object(
        Bucket=bucket, Key=f"{PREFIX}/{row.stored_name}"
    )
    missing = client.get(f"/evidence/{row.id}")
    assert missing.status_code == 404
    assert "We cannot find this file" in missing.text
    assert "You do not need to upload it again" in missing.text


def test_a_letter_is_rendered_once_into_the_bucket_and_read_back(
    s3_app, moto_endpoint, bucket, factory, db_session
):
    account = factory.account()
    recipient = factory.user(Role.RECIPIENT)
    factory.access(recipient, account)
    to = LetterRecipient("Ms A Person", ["1 High Street", "Glenarden"], "standard")
    db_session.execute(
        insert(Letter),
        [
            letter_row(
                account_id=account.id, kind="uplift", subject="S", to=to, context=UPLIFT_CONTEXT
            )
        ],
    )
    letter = db_session.execute(select(Letter)).scalar_one()
    client = s3_app.test_client()
    sign_in_as(client, recipient)
    first = client.get(f"/letters/{letter.id}.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    db_session.expire_all()
    assert letter.pdf is None and letter.pdf_key.startswith("letters/")
    assert _objects(moto_endpoint, bucket) == [f"{PREFIX}/{letter.pdf_key}"]
    again = client.get(f"/letters/{letter.id}.pdf")
    assert again.data == first.data  # the stored copy, not a new rendering


def test_a_bank_file_is_kept_in_the_bucket_and_read_back(
    s3_app, moto_endpoint, bucket, factory, db_session
):
    with s3_app.app_context():
        run_id, approver = committed_run(factory)
    client = s3_app.test_client()
    sign_in_as(client, approver)
    first = client.get(f"/payment-runs/{run_id}/bank-file.txt")
    assert first.status_code == 200 and first.data.startswith(b"08999966374958099")
    kept = db_session.execute(select(RunBankFile)).scalar_one()
    assert _objects(moto_endpoint, bucket) == [f"{PREFIX}/{kept.storage_key}"]
    assert client.get(f"/payment-runs/{run_id}/bank-file.txt").data == first.data


def test_building_the_app_leaves_no_connection_to_the_bucket_open(s3_app):
    """gunicorn builds the app once and forks its workers from it (preload_app): the bucket's
    check at start must not leave a connection that every worker would then share."""
    from dp_portal.core.storage import EXTENSION_KEY

    store = s3_app.extensions[EXTENSION_KEY]
    assert len(store.client._endpoint.http_session._manager.pools) == 0  # botocore's pool
    store.put("check/after-start.txt", b"still works", "text/plain")  # and it opens anew
    assert store.get("check/after-start.txt") == b"still works"
