"""Files the portal hands people: spreadsheets, PDFs and bank files, as downloads, and
stored files (core/storage) read from the store, wherever it is, never from a path.

The file name goes into the Content-Disposition header through werkzeug's `download_name`
(RFC 6266: a plain `filename` and a UTF-8 `filename*`), after core/filenames has taken out
path parts, control characters (a CR/LF would split the header) and bidirectional overrides.
Never by string formatting, which let a quote or a newline in a name break the header.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import Response, send_file

from . import storage
from .filenames import clean_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def download_name(filename: str) -> str:
    """The name a download is offered under (what `attachment` puts in the header)."""
    return clean_filename(filename, default="download")


def _send(data: bytes | str, filename: str, mimetype: str, *, inline: bool) -> Response:
    return send_file(
        io.BytesIO(_bytes(data)),
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=download_name(filename),
        conditional=False,  # no Range or If-None-Match answers: every answer is the whole file
        etag=False,
    )


def attachment(data: bytes | str, filename: str, mimetype: str) -> Response:
    """`data` as a download called `filename` (cleaned); text is sent as UTF-8."""
    return _send(data, filename, mimetype, inline=False)


def stored_file(key: str, filename: str, mimetype: str, *, inline: bool = False) -> Response:
    """The file stored under `key`, as a download called `filename`, or with `inline` shown
    in the browser. `mimetype` is the type its contents were checked to be when uploaded,
    never the type it was sent with. A file the store does not have is StoredFileMissing:
    a 404 page that says the file cannot be found (dp_portal/errors.py), not a 500."""
    return _send(storage.current().get(key), filename, mimetype, inline=inline)


def download_facts(data: bytes | str, filename: str) -> dict[str, Any]:
    """What an audit row records about a download: the name it went out under, its size and
    its SHA-256, so a bank file can later be matched to what the bank received:
    `audit.record(actor, "run.bank_file_downloaded", run, after=download_facts(body, name))`."""
    body = _bytes(data)
    return {
        "file": download_name(filename),
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
