"""Reading CSV files people upload, in the encodings they really come in.

Spreadsheet programs save "CSV UTF-8" with a byte-order mark, older ones save plain UTF-8 or
UTF-16 with a BOM ("Unicode text"), and several UK banks export Windows-1252 (a pound sign is
the single byte 0xA3). Anything else, and any control or bidirectional-override character
(which can make a figure read differently on screen than in the file), is refused.
"""

from __future__ import annotations

import codecs
import re

from .filetypes import UploadError

SAVE_AS_CSV = 'save it from your spreadsheet program as "CSV UTF-8 (Comma delimited)"'

# C0 controls other than tab, LF, CR (and form feed, which some exporters end pages with);
# text files never contain them.
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Controls (C0 other than tab/LF/CR, DEL, C1) and the bidirectional marks, embeddings,
# overrides and isolates (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069).
_NOT_TEXT = re.compile(
    r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def looks_like_text(data: bytes) -> bool:
    """A declared text encoding (a byte-order mark), or text with no NUL and at most a stray
    control byte or two in its first 8 KB (which read_csv_text then names by line)."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    head = data[:8192]
    return b"\x00" not in head and len(_BINARY.findall(head)) <= max(1, len(head) // 200)


def read_csv_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file, or UploadError saying what is wrong with it."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UploadError(f"The CSV file is saved as UTF-32 text: {SAVE_AS_CSV}")
    if data.startswith(codecs.BOM_UTF8):
        encoding, label = "utf-8-sig", "UTF-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, label = "utf-16", "UTF-16"
    else:
        try:
            data.decode("utf-8")
            encoding, label = "utf-8", "UTF-8"
        except UnicodeDecodeError:
            encoding, label = "cp1252", ""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if not label:
            raise UploadError(
                "The CSV file is in a character set we cannot read (it is neither UTF-8 nor "
                f"Windows-1252): {SAVE_AS_CSV}"
            ) from exc
        raise UploadError(
            f"The CSV file says it is {label} text, but parts of it are not: {SAVE_AS_CSV}"
        ) from exc
    bad = _NOT_TEXT.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise UploadError(
            f"Line {line} of the CSV file has a character that is not text "
            f"(U+{ord(bad.group()):04X}): {SAVE_AS_CSV}"
        )
    if "," not in text:
        raise UploadError(f"The file is text, but not comma-separated values (CSV): {SAVE_AS_CSV}")
    return text, encoding
