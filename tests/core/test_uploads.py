"""The one rule set every upload follows (core/uploads): what a file is comes from its bytes,
its name must agree, names are cleaned, locked or broken files are refused with a message
that says what to do."""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from dp_portal.core.filenames import MAX_NAME_LENGTH, clean_filename
from dp_portal.core.uploads import EVIDENCE, UploadError, check_upload, identify
from dp_portal.monitoring.template import build_template

from ..hostile_files import (
    PDF,
    compound_file,
    encrypted_pdf,
    encrypted_workbook,
    pdf_pages,
    picture,
    png_header,
)

PASSWORD = "This file is password-protected: save a copy without a password"


def workbook() -> bytes:
    return build_template(
        reference="DP000042",
        period_start=date(2026, 4, 6),
        period_end=date(2026, 6, 30),
        opening=Decimal("0"),
        council_payments=Decimal("0"),
    )


def refused(data: bytes, name: str = "file") -> str:
    with pytest.raises(UploadError) as raised:
        check_upload(data, name, EVIDENCE)
    return str(raised.value)


# --- Names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("April statement.pdf", "April statement.pdf"),
        ("C:\\Users\\Morag\\Documents\\statement.pdf", "statement.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.csv", "win.ini.csv"),
        ("state\x00ment.pdf", "statement.pdf"),
        ("statement.pdf\r\nSet-Cookie: admin=1", "statement.pdf Set-Cookie: admin=1"),
        ("invoice\u202egpj.pdf", "invoicegpj.pdf"),  # right-to-left override
        ("\u2066bank\u2069 \u2067statement\u2069.pdf", "bank statement.pdf"),  # isolates
        ("\u200ereceipt\u200f\u061c.jpg", "receipt.jpg"),  # direction marks
        ("zero\u200bwidth\ufeff.png", "zerowidth.png"),
        ("line\u2028separator.pdf", "line separator.pdf"),
        ("  lots   of\tspaces  .pdf ", "lots of spaces.pdf"),
        ("", "file"),
        (None, "file"),
        ("\u202e\u202d", "file"),
        ("../..", "file"),
        (".pdf", "pdf"),
        ("Mr. Smith receipts", "Mr. Smith receipts"),
    ],
)
def test_names_are_cleaned_of_paths_controls_and_direction_tricks(sent, kept):
    assert clean_filename(sent) == kept


def test_long_names_are_cut_to_120_characters_keeping_the_extension():
    cleaned = clean_filename("x" * 500 + ".xlsx")
    assert len(cleaned) == MAX_NAME_LENGTH and cleaned.endswith("xxx.xlsx")
    assert len(clean_filename("é" * 300)) == MAX_NAME_LENGTH


def test_an_empty_name_gets_a_default_that_agrees_with_the_file():
    assert check_upload(PDF, "\u202e", EVIDENCE).name == "evidence.pdf"
    assert check_upload(PDF, "", EVIDENCE).name == "evidence.pdf"
    assert check_upload(PDF, "scan", EVIDENCE).name == "scan.pdf"  # no extension: given one


# --- The name must agree with the content ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PDF, "statement.xlsx", "The file is called statement.xlsx, but it is a PDF document"),
        (
            workbook(),
            "return.pdf",
            "The file is called return.pdf, but it is an Excel workbook (.xlsx): its name "
            "should end in .xlsx",
        ),
        (PDF, "statement.pdf.exe", "The file is called statement.pdf.exe, but it is a PDF"),
        (PDF, "statement.exe.pdf", "The file's name, statement.exe.pdf, has two extensions"),
        (picture("PNG"), "photo.jpg", "The file is called photo.jpg, but it is a PNG picture"),
        (b"date,amount\n", "payments.xlsx", "but it is a CSV file: its name should end in .csv"),
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused_saying_what_it_is(data, name, message):
    assert message in refused(data, name)


@pytest.mark.parametrize(
    "name", ["statement.PDF", "April.2026.statement.pdf", "copy.pdf.pdf", "Smith, J. (April).pdf"]
)
def test_names_that_agree_are_kept(name):
    assert check_upload(pdf_pages(), name, EVIDENCE).name == name


# --- What the file really is --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "a Windows program"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "a program"),
        (b"GIF89a" + b"\x00" * 20, "a GIF picture"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20, "an iPhone photo in HEIC format"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a WebP picture"),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", "a web page or XML file"),
        (b"#!/bin/sh\nrm -rf /\n", "a script"),
        (compound_file({"Workbook": b"\x09\x08" * 100}), "an Excel 97-2003 workbook (.xls)"),
        (compound_file({"WordDocument": b"\xec\xa5"}), "a Word 97-2003 document (.doc)"),
    ],
)
def test_other_files_are_refused_saying_what_they_are(data, what):
    assert refused(data, "statement.pdf").startswith(f"The file is {what}, but it must be a PDF")


def test_the_browser_type_plays_no_part_and_unknown_bytes_are_refused():
    assert identify(b"date,amount\n2026-04-01,12.50\n").key == "csv"
    assert refused(b"\x00\x01\x02\x03") == (
        "The file must be a PDF, a photo (JPEG or PNG), a spreadsheet (XLSX) or a CSV file"
    )
    assert refused(b"") == "The file is empty"
    assert refused(b"%PDF-" + b"0" * EVIDENCE.max_bytes) == "The file must be smaller than 10 MB"


# --- Password-protected and damaged files --------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RC4-40", "RC4-128", "AES-128", "AES-256"])
def test_password_protected_pdfs_are_refused(algorithm):
    assert refused(encrypted_pdf(algorithm), "statement.pdf") == PASSWORD


def test_a_pdf_with_only_an_owner_password_is_refused_too():
    # It opens without a password but cannot be told apart without decrypting it.
    assert refused(encrypted_pdf("AES-128", owner_only=True), "statement.pdf") == PASSWORD


def test_the_compound_files_built_here_are_real_ones():
    import olefile

    assert olefile.OleFileIO(compound_file({"Workbook": b"x", "Other": b"y"})).listdir() == [
        ["Other"],
        ["Workbook"],
    ]


def test_a_password_protected_workbook_is_refused_whatever_its_name():
    locked = encrypted_workbook(workbook())
    assert locked.startswith(b"\xd0\xcf\x11\xe0")  # an OLE compound file, not a zip
    assert refused(locked, "figures.xlsx") == PASSWORD
    assert refused(locked, "figures.pdf") == PASSWORD


def test_a_truncated_pdf_is_refused():
    assert refused(pdf_pages(3)[:-200], "statement.pdf").startswith("The PDF is incomplete")


# --- Pictures -----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), [("PNG", "receipt.png"), ("JPEG", "receipt.jpeg")])
def test_real_pictures_are_accepted(kind, name):
    assert check_upload(picture(kind, (1200, 900)), name, EVIDENCE).name == name


@pytest.mark.parametrize(
    "size",
    [
        (10_000, 10_000),  # over Pillow's limit, where Pillow itself only warns
        (20_000, 20_000),  # over twice the limit, where Pillow raises
        (2**31 - 1, 2**31 - 1),
    ],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(size):
    assert size[0] * size[1] > Image.MAX_IMAGE_PIXELS
    message = refused(png_header(*size, pixels=b"\x00" * 64), "receipt.png")
    assert message.startswith("The picture has more than 89 million pixels")


def test_a_picture_with_no_pixels_is_refused():
    message = refused(png_header(0, 0), "receipt.png")
    assert message.startswith(("The picture is empty", "The file starts like a PNG picture"))
    assert "but cannot be opened" in refused(png_header(0, 10, pixels=b""), "receipt.png")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (picture("JPEG", (800, 600))[:-400], "photo.jpg"),  # cut short in the upload
        (picture("PNG", (800, 600))[:200], "photo.png"),
        (png_header(64, 64, pixels=b"\x00" * 10), "photo.png"),  # too little image data
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "photo.jpg"),
    ],
)
@pytest.mark.parametrize("weasyprint_loaded", [False, True])
def test_damaged_pictures_are_refused(data, name, weasyprint_loaded, monkeypatch):
    # Importing WeasyPrint (as rendering a letter does) tells Pillow to pad truncated
    # pictures silently, for the whole process: uploads must not inherit that.
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", weasyprint_loaded)
    assert "cannot be opened as one: it may be damaged" in refused(data, name)
    assert weasyprint_loaded == ImageFile.LOAD_TRUNCATED_IMAGES  # and it is left as it was


# --- CSV encodings -------------------------------------------------------------------------

CSV = "Date,Payee,Amount\n01/04/2026,Café Ñandú,£12.50\n"


@pytest.mark.parametrize(
    "data",
    [
        CSV.encode("utf-8"),
        codecs.BOM_UTF8 + CSV.encode("utf-8"),
        CSV.encode("utf-16"),  # with its BOM, little-endian here
        codecs.BOM_UTF16_BE + CSV.encode("utf-16-be"),
        CSV.encode("cp1252"),  # as several UK banks export: £ is the byte A3
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 LE", "utf-16 BE", "windows-1252"],
)
def test_csv_in_the_encodings_people_really_send_is_accepted(data):
    from dp_portal.core.text_files import read_csv_text

    assert check_upload(data, "bank.csv", EVIDENCE).kind.key == "csv"
    assert read_csv_text(data)[0] == CSV


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Date,Amount\n\x81\x8d,1\n", "The CSV file is in a character set we cannot read"),
        (codecs.BOM_UTF8 + b"Date,Amount\n\xff\xfe,1\n", "The CSV file says it is UTF-8 text"),
        (codecs.BOM_UTF16_LE + b"D\x00,\x00\x00\xd8", "The CSV file says it is UTF-16 text"),
        (codecs.BOM_UTF32_LE + "a,b".encode("utf-32-le"), "The CSV file is saved as UTF-32"),
        (b"Date,Amount\n01/04,\x1b[2J12\n", "Line 2 of the CSV file has a character that is"),
        ("Date,Payee\n1,\u202e05.21\n".encode(), "Line 2 of the CSV file has a character"),
        (b"just some words\nand more\n", "The file is text, but not comma-separated"),
    ],
)
def test_csv_that_cannot_be_read_as_text_is_refused_saying_why(data, message):
    assert refused(data, "bank.csv").startswith(message)
