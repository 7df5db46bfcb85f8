"""Evidence files: sniffed by content (never trusted by name or browser type), size-limited,
stored outside the web root under random names with their SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from .spreadsheets import SpreadsheetError, check_archive

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class UploadError(ValueError):
    pass


@dataclass(frozen=True)
class Sniffed:
    kind: str  # pdf | png | jpeg | xlsx | csv
    content_type: str
    extension: str


_TYPES = {
    "pdf": Sniffed("pdf", "application/pdf", ".pdf"),
    "png": Sniffed("png", "image/png", ".png"),
    "jpeg": Sniffed("jpeg", "image/jpeg", ".jpg"),
    "xlsx": Sniffed(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
    ),
    "csv": Sniffed("csv", "text/csv", ".csv"),
}


def sniff(data: bytes) -> Sniffed:
    """What the file really is, from its first bytes."""
    if data.startswith(b"%PDF-"):
        return _TYPES["pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return _TYPES["jpeg"]
    if data.startswith(b"PK\x03\x04"):
        try:
            check_archive(data, MAX_EVIDENCE_BYTES)
        except SpreadsheetError as exc:
            raise UploadError(str(exc)) from exc
        return _TYPES["xlsx"]
    head = data[:8192]
    if head and b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = head.decode("latin-1")
        if "," in text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
            return _TYPES["csv"]
    raise UploadError(
        "The file must be a PDF, a photo (JPEG or PNG), a spreadsheet (XLSX) or a CSV file"
    )


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    sha256: str
    size: int
    sniffed: Sniffed


def store(data: bytes, folder: Path) -> StoredFile:
    if not data:
        raise UploadError("The file is empty")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise UploadError("The file must be smaller than 10 MB")
    sniffed = sniff(data)
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + sniffed.extension
    (folder / name).write_bytes(data)
    return StoredFile(name, hashlib.sha256(data).hexdigest(), len(data), sniffed)
