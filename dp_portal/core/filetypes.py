"""What a file really is, from its bytes: never from its name or the type a browser declares.

Used by every upload (core/uploads) and by the workbook reader, so that a refusal can say
what the file is ("The file is a Windows program"), not only what it is not.
"""

from __future__ import annotations

import re

# Signatures from each format's own specification: PDF 1.7 (ISO 32000-1) 7.5.2, PNG
# (ISO/IEC 15948) 5.2, JPEG (ITU T.81) B.1.1.3, ZIP (PKWARE APPNOTE) 4.3.7, Compound File
# Binary ([MS-CFB] 2.2), PE ("MZ"), ELF, GIF87a/89a, RIFF/WebP, ISO base media (HEIC).
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

DAMAGED_ZIP = "a damaged zip file"
PASSWORD_PROTECTED = "This file is password-protected: save a copy without a password"  # noqa: S105


class UploadError(ValueError):
    """A file we refuse, with a message that says why and what to do."""


class SpreadsheetError(UploadError):
    """A workbook we refuse, naming the sheet and the cell (or range) where known."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None):
        noun = "cells" if cell and ":" in cell else "cell"
        parts = [f"sheet {sheet}" if sheet else "", f"{noun} {cell}" if cell else ""]
        where = ", ".join(part for part in parts if part)
        super().__init__(f"{where[0].upper() + where[1:]}: {message}" if where else message)
        self.sheet, self.cell = sheet, cell


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def cfb_kind(data: bytes) -> str:
    """What an OLE compound file (the pre-2007 Office container) holds. Its directory
    stores stream names in UTF-16, so the names are found in the raw bytes. A workbook
    saved with a password is such a container holding "EncryptedPackage" ([MS-OFFCRYPTO]
    2.3.4.4), never a zip, so it is told apart here."""
    if _utf16("EncryptedPackage") in data and _utf16("EncryptionInfo") in data:
        return "encrypted"
    if _utf16("Workbook") in data or _utf16("Book\x00") in data:
        return "xls"
    if _utf16("WordDocument") in data:
        return "doc"
    return "ole"


# The trailer (or cross-reference stream) of an encrypted PDF names its encryption
# dictionary: "/Encrypt 5 0 R" or an inline "/Encrypt << ... >>" (ISO 32000-1 7.6.1).
_PDF_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")


def pdf_is_encrypted(data: bytes) -> bool:
    return _PDF_ENCRYPT.search(data) is not None


def _zip_kind(data: bytes) -> str:
    import io
    import zipfile

    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return DAMAGED_ZIP
    if "xl/workbook.xml" in names:
        return "an Excel workbook (.xlsx)"
    if "word/document.xml" in names:
        return "a Word document (.docx)"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if "mimetype" in names and "content.xml" in names:
        return "an OpenDocument file (.ods or .odt)"
    return "a zip archive"


_DESCRIBED = [
    (lambda d: d.startswith(b"%PDF-"), "a PDF document"),
    (lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"), "a PNG picture"),
    (lambda d: d.startswith(b"\xff\xd8\xff"), "a JPEG photo"),
    (lambda d: d.startswith(b"MZ"), "a Windows program"),
    (lambda d: d.startswith(b"\x7fELF"), "a program"),
    (lambda d: d.startswith((b"GIF87a", b"GIF89a")), "a GIF picture"),
    (lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP", "a WebP picture"),
    (
        lambda d: d[4:8] == b"ftyp" and d[8:12] in (b"heic", b"heix", b"mif1", b"heif", b"hevc"),
        "an iPhone photo in HEIC format",
    ),
    (lambda d: d.startswith((b"II*\x00", b"MM\x00*")), "a TIFF picture"),
    (lambda d: d.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")), "a compressed archive"),
    (lambda d: d.startswith(b"{\\rtf"), "a Rich Text document"),
    (lambda d: d.startswith(b"#!"), "a script"),
    (
        lambda d: (
            re.match(rb"(\xef\xbb\xbf)?\s*<(!doctype|html|script|svg|\?xml)", d[:512], re.I)
            is not None
        ),
        "a web page or XML file",
    ),
]


def describe(data: bytes) -> str | None:
    """A plain description of a file we recognise ("a PDF document"), or None."""
    if data.startswith(ZIP_SIGNATURE):
        return _zip_kind(data)
    if data.startswith(CFB_SIGNATURE):
        return {
            "encrypted": "a password-protected Office file",
            "xls": "an Excel 97-2003 workbook (.xls)",
            "doc": "a Word 97-2003 document (.doc)",
        }.get(cfb_kind(data), "an Office 97-2003 file")
    for test, description in _DESCRIBED:
        if test(data):
            return description
    return None
