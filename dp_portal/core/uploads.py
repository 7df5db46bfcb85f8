"""The one set of rules every upload follows (evidence, the return workbook, later imports).

A file is judged by its bytes, never by its name or by the type the browser declares (which
is only a hint: browsers send application/vnd.ms-excel or application/octet-stream for a
genuine CSV). Then:
- its name must agree with what it is: a PDF named .xlsx, or statement.pdf.exe, is refused
  with a message saying what the file really is; the name is cleaned (core/filenames);
- password-protected PDFs and workbooks are refused; pictures must decode, within Pillow's
  decompression-bomb limit; CSV must be UTF-8 (with or without a BOM), UTF-16 with a BOM,
  or Windows-1252;
- files are stored outside the web root (core/storage: local disk or object storage) under
  random names with their SHA-256, and removed again if the database transaction that
  records them rolls back.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..extensions import db
from . import storage
from .bank_ofx import is_ofx
from .filenames import clean_filename, extensions
from .filetypes import (
    CFB_SIGNATURE,
    DAMAGED_ZIP,
    PASSWORD_PROTECTED,
    ZIP_SIGNATURE,
    SpreadsheetError,
    UploadError,
    cfb_kind,
    describe,
    pdf_is_encrypted,
)
from .text_files import looks_like_text, read_csv_text
from .workbook_reader import check_archive

__all__ = [
    "EVIDENCE",
    "STATEMENT",
    "Accept",
    "Checked",
    "SpreadsheetError",
    "UploadError",
    "check_upload",
]

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    key: str
    description: str
    content_type: str
    extensions: tuple[str, ...]  # the first is the one we give a file that has none

    @property
    def extension(self) -> str:
        return self.extensions[0]


KINDS = {
    kind.key: kind
    for kind in (
        Kind("pdf", "a PDF document", "application/pdf", (".pdf",)),
        Kind("png", "a PNG picture", "image/png", (".png",)),
        Kind("jpeg", "a JPEG photo", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif")),
        Kind(
            "xlsx",
            "an Excel workbook (.xlsx)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        Kind("csv", "a CSV file", "text/csv", (".csv",)),
        Kind("ofx", "an OFX bank statement", "application/x-ofx", (".ofx", ".qfx")),
    )
}


@dataclass(frozen=True)
class Accept:
    """What one upload takes: its kinds, how it names them to people, its size limit."""

    kinds: tuple[str, ...]
    what: str
    max_bytes: int
    default_name: str
    # False when the caller reads the workbook's cells next (core/workbook_reader), which
    # checks the archive itself and can name the cell of a formula linking elsewhere.
    check_workbook: bool = True


EVIDENCE = Accept(
    ("pdf", "png", "jpeg", "xlsx", "csv"),
    "a PDF, a photo (JPEG or PNG), a spreadsheet (XLSX) or a CSV file",
    MAX_EVIDENCE_BYTES,
    "evidence",
)


# A bank statement downloaded from a bank (core/bank_statements reads it). A year of a busy
# account as CSV is well under 1 MB.
STATEMENT = Accept(
    ("csv", "ofx"),
    "a bank statement saved as CSV, OFX or QFX",
    5 * 1024 * 1024,
    "statement",
)


@dataclass(frozen=True)
class Checked:
    kind: Kind
    name: str  # cleaned, ending in an extension that agrees with the content


def identify(data: bytes) -> Kind | None:
    """The accepted kind the bytes are, None for anything else we can describe."""
    if data.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if data.startswith(ZIP_SIGNATURE):
        # A damaged zip is taken for a workbook, so that the workbook check names the damage.
        what = describe(data)
        return KINDS["xlsx"] if what in (KINDS["xlsx"].description, DAMAGED_ZIP) else None
    if data.startswith(CFB_SIGNATURE) and cfb_kind(data) == "encrypted":
        raise UploadError(PASSWORD_PROTECTED)
    if is_ofx(data) and looks_like_text(data):  # OFX 2 is XML, which describe() names
        return KINDS["ofx"]
    if describe(data) is None and looks_like_text(data):
        return KINDS["csv"]
    return None


def _named(filename: str | None, kind: Kind, accept: Accept) -> str:
    name = clean_filename(filename, default=accept.default_name + kind.extension)
    found = extensions(name)
    if not found:  # no extension we know: give it the right one
        return clean_filename(name + kind.extension)
    last = "." + found[-1]
    if last not in kind.extensions:
        raise UploadError(
            f"The file is called {name}, but it is {kind.description}: its name should end "
            f"in {kind.extension}. Check you chose the right file"
        )
    if len(found) > 1 and "." + found[-2] not in kind.extensions:
        raise UploadError(
            f"The file's name, {name}, has two extensions (.{found[-2]}{last}). It is "
            f"{kind.description}: name it with {kind.extension} only"
        )
    return name


def _check_pdf(data: bytes) -> None:
    if pdf_is_encrypted(data):
        raise UploadError(PASSWORD_PROTECTED)
    # A PDF ends with %%EOF within its last 1024 bytes (ISO 32000-1 7.5.5, read as readers do).
    if b"%%EOF" not in data[-1024:]:
        raise UploadError("The PDF is incomplete or damaged: save it again and upload the new copy")


@contextmanager
def _strict_pillow() -> Iterator[None]:
    """Pillow as strict as it goes, for one check. Past its decompression-bomb limit
    (Image.MAX_IMAGE_PIXELS) Pillow only warns, and raises at twice it: both are refusals
    here. And WeasyPrint, once imported, tells Pillow to pad truncated pictures silently
    (ImageFile.LOAD_TRUNCATED_IMAGES): a cut-short upload must fail instead. Both settings are
    process-wide, so this holds a lock; our workers are processes, not threads."""
    from PIL import Image, ImageFile

    with _PILLOW_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        padding, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = padding


_PILLOW_LOCK = threading.Lock()


def _check_image(data: bytes, kind: Kind) -> None:
    from PIL import Image

    try:
        with (
            _strict_pillow(),
            Image.open(io.BytesIO(data), formats=[kind.key.upper()]) as image,
        ):
            width, height = image.size
            if width < 1 or height < 1:
                raise UploadError("The picture is empty (it has no pixels)")
            if kind.key == "jpeg":  # decode at 1/8 scale: every byte is still read
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        limit = Image.MAX_IMAGE_PIXELS // 1_000_000
        raise UploadError(
            f"The picture has more than {limit} million pixels, which is more than a photo "
            "or scan needs: save a smaller copy and upload that"
        ) from exc
    except UploadError:
        raise
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error…
        raise UploadError(
            f"The file starts like {kind.description} but cannot be opened as one: it may be "
            "damaged. Save it again and upload the new copy"
        ) from exc


def _check_content(data: bytes, kind: Kind, accept: Accept) -> None:
    if kind.key == "pdf":
        _check_pdf(data)
    elif kind.key in ("png", "jpeg"):
        _check_image(data, kind)
    elif kind.key == "xlsx" and accept.check_workbook:
        check_archive(data, accept.max_bytes)
    elif kind.key == "csv":
        read_csv_text(data)


def check_upload(data: bytes, filename: str | None, accept: Accept) -> Checked:
    """Apply every rule, or raise UploadError (SpreadsheetError for a workbook's insides)
    with a message that says what the file is and what to do."""
    if not data:
        raise UploadError("The file is empty")
    if len(data) > accept.max_bytes:
        raise UploadError(f"The file must be smaller than {accept.max_bytes // 1024 // 1024} MB")
    kind = identify(data)
    if kind is None or kind.key not in accept.kinds:
        what = kind.description if kind else describe(data)
        if what is None:
            raise UploadError(f"The file must be {accept.what}")
        raise UploadError(f"The file is {what}, but it must be {accept.what}")
    name = _named(filename, kind, accept)
    _check_content(data, kind, accept)
    return Checked(kind, name)


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    sha256: str
    size: int
    kind: Kind


def store(data: bytes, area: str, kind: Kind) -> StoredFile:
    """Store a checked file under a random name in `area` (each kind of file has its own:
    '' for return and Charter Mark evidence, 'statements', 'consent', 'employers'). If the
    transaction recording it rolls back (or ends without committing), it is removed again."""
    key = storage.new_key(area, kind.extension)
    storage.put_undoable(db.session(), key, data, kind.content_type)
    return StoredFile(key.rpartition("/")[2], hashlib.sha256(data).hexdigest(), len(data), kind)


def stored_bytes(area: str, stored_name: str) -> bytes:
    """A stored upload's bytes, by the name its row records (StoredFileMissing: a 404)."""
    return storage.current().get(storage.key_in(area, stored_name))
