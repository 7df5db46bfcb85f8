"""`flask dp storage copy` moves a council's files from local disk to object storage: every
file under the same key, never overwriting, safe to run again; `flask dp storage check` says
where files are kept."""

from __future__ import annotations

import pytest

from dp_portal.core import storage
from dp_portal.core.storage_s3 import S3Storage

from ..conftest import new_bucket

PDF = b"%PDF-1.4\n%consent\n%%EOF\n"


@pytest.fixture
def bucket_store(app, moto_endpoint):
    """The app keeps its files in a new bucket for this test."""
    previous = app.extensions[storage.EXTENSION_KEY]
    store = S3Storage.from_settings(f"s3://{new_bucket(moto_endpoint)}", endpoint_url=moto_endpoint)
    app.extensions[storage.EXTENSION_KEY] = store
    yield store
    app.extensions[storage.EXTENSION_KEY] = previous


@pytest.fixture
def old_files(tmp_path):
    """EVIDENCE_DIR as a council on one server has it."""
    local = storage.LocalStorage(tmp_path / "evidence")
    local.put("0a1b2c.pdf", PDF, "application/pdf")  # return evidence, at the top
    local.put("consent/3d4e5f.pdf", PDF, "application/pdf")
    local.put("statements/6a7b8c.csv", b"Date,Amount\n", "text/csv")
    (local.root / ".DS_Store").write_bytes(b"\x00")  # left by a file manager
    return local


def _copy(app, source):
    return app.test_cli_runner().invoke(args=["dp", "storage", "copy", "--from", str(source.root)])


def test_every_file_is_copied_under_its_key_and_again_changes_nothing(app, bucket_store, old_files):
    first = _copy(app, old_files)
    assert first.exit_code == 0, first.output
    assert "Copied 3 files" in first.output and "Left out .DS_Store" in first.output
    for key in ("0a1b2c.pdf", "consent/3d4e5f.pdf", "statements/6a7b8c.csv"):
        assert bucket_store.get(key) == old_files.get(key)
    again = _copy(app, old_files)
    assert again.exit_code == 0 and "Copied 0 files" in again.output
    assert "3 were already there" in again.output


def test_a_different_file_already_in_the_store_is_not_overwritten(app, bucket_store, old_files):
    bucket_store.put("consent/3d4e5f.pdf", b"%PDF-1.4 another", "application/pdf")
    result = _copy(app, old_files)
    assert result.exit_code != 0
    assert "Not copied consent/3d4e5f.pdf: the store has a different file" in result.output
    assert bucket_store.get("consent/3d4e5f.pdf") == b"%PDF-1.4 another"


def test_copying_a_folder_onto_itself_is_refused(app, own_storage):
    result = _copy(app, own_storage)
    assert result.exit_code != 0 and "set STORAGE_URL" in result.output


def test_check_says_where_files_are_kept(app, bucket_store):
    result = app.test_cli_runner().invoke(args=["dp", "storage", "check"])
    assert result.exit_code == 0 and f"s3://{bucket_store.bucket}" in result.output
