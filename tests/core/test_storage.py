"""The storage interface (core/storage.py): local disk and S3-compatible object storage keep
the same promises, checked by the same contract tests against each (S3 on a moto server on
loopback). Then what an operator sees: a malformed STORAGE_URL or an unreachable bucket stops
the app starting, saying what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from dp_portal import create_app
from dp_portal.config import ConfigurationError
from dp_portal.core import storage
from dp_portal.core.storage import BadKey, LocalStorage, StorageError, StoredFileMissing
from dp_portal.core.storage_s3 import S3Storage, parse_url
from dp_portal.extensions import db

from ..conftest import _TMP, database_url_for_tests, make_config, new_bucket

PDF = b"%PDF-1.4\n%evidence\n%%EOF\n"


def _s3(endpoint: str, prefix: str = "council", **settings) -> S3Storage:
    return S3Storage.from_settings(
        f"s3://{new_bucket(endpoint)}/{prefix}", endpoint_url=endpoint, **settings
    )


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    return _s3(request.getfixturevalue("moto_endpoint"))


# ---- The contract: each backend ----


def test_what_is_put_is_got_back_byte_for_byte(store):
    data = bytes(range(256)) * 10
    key = storage.new_key("statements", ".csv")
    assert store.put(key, data, "text/csv") == key
    assert store.exists(key)
    assert store.get(key) == data


def test_a_key_is_never_overwritten(store):
    store.put("letters/a.pdf", PDF, "application/pdf")
    with pytest.raises(StorageError, match="already stored"):
        store.put("letters/a.pdf", b"%PDF-1.4 another", "application/pdf")
    assert store.get("letters/a.pdf") == PDF


def test_a_missing_file_is_said_to_be_missing(store):
    assert not store.exists("consent/never-stored.pdf")
    with pytest.raises(StoredFileMissing) as missing:
        store.get("consent/never-stored.pdf")
    assert missing.value.key == "consent/never-stored.pdf"


def test_deleting_removes_and_deleting_again_is_harmless(store):
    store.put("bank-files/x.txt", b"VOL1", "text/plain")
    store.delete("bank-files/x.txt")
    store.delete("bank-files/x.txt")
    assert not store.exists("bank-files/x.txt")


ESCAPES = [
    "../outside.pdf",
    "statements/../../outside.pdf",
    "/etc/passwd",
    "statements//x.csv",
    "statements/./x.csv",
    "..",
    "",
    "C:\\evidence\\x.pdf",
    "statements\\..\\x.csv",
    "statements/x.csv\x00.pdf",
    "statements/.hidden",
    "a" * 513,
]


def test_a_key_that_could_escape_the_store_is_refused(store):
    uses = (
        lambda key: store.put(key, b"x", "text/plain"),
        store.get,
        store.exists,
        store.delete,
    )
    for key in ESCAPES:
        for use in uses:
            with pytest.raises(BadKey):
                use(key)


def test_the_store_says_it_can_be_used(store):
    store.check()
    assert "s3://" in store.describe() or "local disk" in store.describe()


# ---- Local disk only ----


def test_a_file_put_on_local_disk_is_written_through_with_its_folder_entry(tmp_path, monkeypatch):
    """The row recording a file commits durably, so the file must be on the disk first: the
    file and the folder holding its new name are each synced before put returns."""
    synced = []
    real_fsync = os.fsync

    def fsync(descriptor):
        synced.append(Path(os.readlink(f"/proc/self/fd/{descriptor}")))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    store = LocalStorage(tmp_path / "files")
    key = storage.new_key("statements", ".csv")
    store.put(key, b"data", "text/csv")
    path = store.path(key)
    assert synced == [path, path.parent]


def test_a_symlink_out_of_the_local_store_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"not evidence")
    store = LocalStorage(tmp_path / "files")
    store.check()
    (store.root / "link").symlink_to(outside)
    with pytest.raises(BadKey, match="outside the store"):
        store.get("link/secret.txt")


def test_files_stored_before_the_interface_are_read_where_they_always_were(tmp_path):
    (tmp_path / "consent").mkdir()
    (tmp_path / "consent" / "3f9c.pdf").write_bytes(PDF)  # EVIDENCE_DIR/consent/<name>
    assert LocalStorage(tmp_path).get(storage.key_in("consent", "3f9c.pdf")) == PDF


# ---- S3 only ----


def test_s3_objects_go_under_the_prefix_and_are_encrypted_when_asked(moto_endpoint):
    store = _s3(moto_endpoint, prefix="glenarden/files", sse="AES256")
    store.put("letters/b.pdf", PDF, "application/pdf")
    head = store.client.head_object(Bucket=store.bucket, Key="glenarden/files/letters/b.pdf")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://bucket/prefix", "must start with s3://"),
        ("s3://", "not a valid bucket name"),
        ("s3://Council_Files/x", "not a valid bucket name"),
        ("s3://ab", "not a valid bucket name"),
        ("s3://key:secret@council-files/x", "no user, password"),
        ("s3://council-files/x?region=eu-west-2", "no user, password"),
        ("s3://council-files/../elsewhere", "prefix"),
    ],
)
def test_a_malformed_storage_url_is_refused_with_the_reason(url, problem):
    with pytest.raises(StorageError, match=problem):
        parse_url(url)


def test_a_good_storage_url_names_its_bucket_and_prefix():
    assert parse_url("s3://council-files") == ("council-files", "")
    assert parse_url("s3://council-files/dp/prod/") == ("council-files", "dp/prod")


def test_an_unknown_encryption_setting_is_refused(moto_endpoint):
    with pytest.raises(StorageError, match="STORAGE_SSE"):
        _s3(moto_endpoint, sse="rot13")
    with pytest.raises(StorageError, match="must be aws:kms"):
        _s3(moto_endpoint, sse="AES256", kms_key_id="alias/dp")


def test_a_bucket_that_does_not_exist_is_named(moto_endpoint):
    store = S3Storage.from_settings("s3://no-such-bucket-here", endpoint_url=moto_endpoint)
    with pytest.raises(StorageError, match="the bucket no-such-bucket-here does not exist"):
        store.check()


def test_a_store_that_cannot_be_reached_is_named():
    store = S3Storage.from_settings("s3://council-files", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(StorageError, match="could not be reached"):
        store.check()


def test_no_credentials_are_said_to_be_missing(moto_endpoint, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    store = S3Storage.from_settings("s3://council-files", endpoint_url=moto_endpoint)
    with pytest.raises(StorageError, match="no credentials were found"):
        store.check()


# ---- Chosen once, in the app factory; fails closed ----


def _config(**settings):
    config = make_config(database_url_for_tests(), _TMP / "storage-instance")
    return type("StorageConfig", (config,), settings)


def test_the_app_keeps_files_on_local_disk_unless_told_otherwise():
    app = create_app(_config())
    with app.app_context():
        chosen = storage.current()
        assert isinstance(chosen, LocalStorage) and chosen.root == app.config["EVIDENCE_DIR"]
        db.engine.dispose()


def test_the_app_keeps_files_in_the_bucket_storage_url_names(moto_endpoint):
    bucket = new_bucket(moto_endpoint)
    app = create_app(_config(STORAGE_URL=f"s3://{bucket}/dp", STORAGE_ENDPOINT_URL=moto_endpoint))
    with app.app_context():
        chosen = storage.current()
        assert isinstance(chosen, S3Storage) and (chosen.bucket, chosen.prefix) == (bucket, "dp")
        db.engine.dispose()


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"STORAGE_URL": "s3:/council-files"}, "not a valid bucket name"),
        ({"STORAGE_URL": "gs://council-files"}, "must start with s3://"),
        ({"STORAGE_URL": "s3://council-files", "STORAGE_SSE": "yes"}, "STORAGE_SSE"),
        ({"STORAGE_URL": "s3://missing-bucket"}, "missing-bucket does not exist"),
    ],
)
def test_the_app_does_not_start_when_its_store_cannot_be_used(moto_endpoint, settings, problem):
    config = _config(STORAGE_ENDPOINT_URL=moto_endpoint, **settings)
    with pytest.raises(ConfigurationError, match="where files are kept") as refused:
        create_app(config)
    assert problem in str(refused.value)
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in str(refused.value)


def test_a_file_whose_record_does_not_commit_is_removed(app, db_session, own_storage):
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # the transaction that would record it
        key = storage.put_undoable(db.session(), "statements/undo.csv", b"a,b", "text/csv")
        assert own_storage.exists(key)
        db.session.rollback()
        assert not own_storage.exists(key)


class _Unreachable(LocalStorage):
    def get(self, key: str) -> bytes:
        raise StorageError("object storage s3://council-files could not be reached: timed out")


def test_a_store_that_stops_answering_gives_a_page_that_says_so(app, client, factory, db_session):
    from dp_portal.auth.models import Role
    from dp_portal.monitoring.models import Evidence

    from ..conftest import sign_in_as

    account, officer = factory.account(), factory.user(Role.FINANCE_OFFICER)
    row = Evidence(
        account_id=account.id,
        period_start=account.start_date,
        kind="receipt",
        original_name="receipt.pdf",
        stored_name="0123abcd.pdf",
        content_type="application/pdf",
        sha256="0" * 64,
        size=len(PDF),
        uploaded_by_id=officer.id,
    )
    db_session.add(row)
    db_session.flush()
    previous = app.extensions[storage.EXTENSION_KEY]
    app.extensions[storage.EXTENSION_KEY] = _Unreachable(_TMP / "unused")
    try:
        sign_in_as(client, officer)
        page = client.get(f"/evidence/{row.id}")
    finally:
        app.extensions[storage.EXTENSION_KEY] = previous
    assert page.status_code == 503
    assert "files cannot be opened or saved just now" in page.text
    assert "s3://" not in page.text  # where files are kept is for the logs, not the page
