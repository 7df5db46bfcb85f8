"""Where the portal keeps files: uploaded evidence and statements, consent forms, employers'
files, letters' PDFs and bank files. One interface, two places:

- **local disk** (the default): under EVIDENCE_DIR (instance/evidence), for one web server;
- **S3-compatible object storage** when STORAGE_URL=s3://bucket/prefix is set, so that
  several web servers and the scheduler share the same files (issue 16).

Nothing outside this module opens a path to stored data (tests/app/test_architecture.py).
A key is a relative name such as `statements/3f9c….csv`: parts of letters, digits, `.`, `_`
and `-`, never `..`, never absolute, so no key reaches outside the store. Files are never
overwritten (every key is new and random) and are deleted only to undo a write whose
database row did not commit (`put_undoable`): evidence, letters and bank files are records.
The backend is chosen once, in the app factory (`init_app`); the S3 one is in
core/storage_s3.py.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from .aftercommit import on_rollback
from .errors import NotFound

EXTENSION_KEY = "dp_storage"
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_KEY_LENGTH = 512


class StorageError(RuntimeError):
    """The store cannot be used (unreachable, refused, misconfigured); the message says why."""


class BadKey(ValueError):
    """A key that could name something outside the store, or nothing at all."""


class StoredFileMissing(NotFound):
    """The database names a file the store does not have: a 404 that says so, never a 500."""

    def __init__(self, key: str):
        super().__init__(f"stored file {key} is missing")
        self.key = key


def check_key(key: str) -> str:
    """`key` if it is a safe relative name, else BadKey: no empty, `.` or `..` parts, no
    leading slash or drive, no backslash, only letters, digits, `.`, `_`, `-` in a part."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise BadKey(f"A storage key must be 1 to {MAX_KEY_LENGTH} characters")
    for part in key.split("/"):
        if part in ("", ".", "..") or not _PART.fullmatch(part):
            raise BadKey(f"{key!r} is not a storage key (each part: letters, digits, . _ -)")
    return key


def new_key(area: str, extension: str) -> str:
    """A fresh random key in `area` ('' for the top level): 128 random bits, so two writers
    never pick the same one. `extension` includes its dot ('.pdf')."""
    name = secrets.token_hex(16) + extension
    return check_key(f"{area}/{name}" if area else name)


def key_in(area: str, name: str) -> str:
    """The key of a file recorded by its name in `area` (rows keep the name, the area is
    fixed per kind of file): `key_in('consent', '3f9c….pdf')`."""
    return check_key(f"{area}/{name}" if area else name)


class Storage(Protocol):
    """What every backend does; the contract tests in tests/core/test_storage.py run
    against each."""

    def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store `data` under a new `key` (never overwriting: an existing key raises
        StorageError) and return the key."""

    def get(self, key: str) -> bytes:
        """The bytes stored under `key`; StoredFileMissing if there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove `key` (no error if absent). Only `put_undoable`'s undo calls this."""

    def check(self) -> None:
        """Raise StorageError, saying what is wrong, unless the store can be used now."""

    def describe(self) -> str:
        """Where files go, for logs and the start-up message (never a credential)."""


def _sync_folder(folder: Path) -> None:
    """Make a new file's name in `folder` durable (POSIX: a file's fsync does not cover it)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class LocalStorage:
    """Files on this machine's disk under `root`, one file per key."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file a key names, checked to lie inside the root even through symlinks."""
        root = self.root.resolve()
        path = (root / check_key(key)).resolve()
        if not path.is_relative_to(root):
            raise BadKey(f"{key!r} leads outside the store")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> str:
        """Written through to the disk, file and folder entry, before the row that records
        it commits: the database's commit is durable, and a record whose file a power cut
        took away would be evidence lost (about half a millisecond a file on this disk)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as out:  # never overwrite
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except FileExistsError as exc:
            raise StorageError(f"{key} is already stored; keys are never reused") from exc
        _sync_folder(path.parent)
        return key

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise StoredFileMissing(key) from exc

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        """Every file's name relative to the root, keys or not (for `flask dp storage copy`,
        which reports any that are not)."""
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*")):
                if path.is_file():
                    yield path.relative_to(self.root).as_posix()

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"the folder {self.root} cannot be created: {exc}") from exc

    def describe(self) -> str:
        return f"local disk at {self.root}"


def from_config(config) -> Storage:
    """The backend the settings ask for: S3 when STORAGE_URL is set, else local disk under
    EVIDENCE_DIR. A malformed STORAGE_URL raises StorageError naming the problem."""
    url = (config.get("STORAGE_URL") or "").strip()
    if not url:
        return LocalStorage(config["EVIDENCE_DIR"])
    from .storage_s3 import S3Storage  # boto3 is imported only when it is used

    return S3Storage.from_settings(
        url,
        endpoint_url=config.get("STORAGE_ENDPOINT_URL") or None,
        sse=config.get("STORAGE_SSE") or "",
        kms_key_id=config.get("STORAGE_SSE_KMS_KEY_ID") or "",
    )


def init_app(app: Flask, storage: Storage | None = None) -> Storage:
    """Choose the store once and check it can be used: a malformed STORAGE_URL or a bucket
    that cannot be reached stops the app starting (StorageError says what is wrong)."""
    chosen = storage or from_config(app.config)
    chosen.check()
    app.extensions[EXTENSION_KEY] = chosen
    return chosen


def current() -> Storage:
    """The running app's store."""
    return current_app.extensions[EXTENSION_KEY]


def put_undoable(session, key: str, data: bytes, content_type: str) -> str:
    """Store a file for the row `session` is about to record: if that transaction ends
    without committing, the file is deleted again, so no stored file lacks its record."""
    store = current()
    store.put(key, data, content_type)
    logger = current_app.logger
    on_rollback(session, lambda: _undo(store, key, logger))
    return key


def _undo(store: Storage, key: str, logger) -> None:
    try:
        store.delete(key)
    except Exception:  # a file left over is harmless; a failed rollback must not be hidden
        logger.exception("A stored file whose record did not commit was not removed: %s", key)
