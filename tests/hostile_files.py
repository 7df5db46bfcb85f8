"""Files built in the tests, as real programs (or an attacker) would write them: genuine
encrypted PDFs and workbooks (pypdf, msoffcrypto-tool), pictures from Pillow, and hand-edited
PNG headers, zips and compound files for what no honest program writes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import msoffcrypto.format.ooxml
import pypdf
from PIL import Image

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf_pages(pages: int = 1) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(algorithm: str, owner_only: bool = False) -> bytes:
    """A PDF saved with a password (or, owner_only, with permissions only)."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    user = "" if owner_only else "open-sesame"
    writer.encrypt(user_password=user, owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def picture(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int, *, pixels: bytes | None = None) -> bytes:
    """A PNG that claims a size: a decompression bomb needs only a header and a few bytes of
    deflated zeros. `pixels` (raw scanlines) become its image data when given."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    data = _chunk(b"IDAT", zlib.compress(pixels)) if pixels is not None else b""
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + data + _chunk(b"IEND", b"")


def encrypted_workbook(workbook: bytes, password: str = "open-sesame") -> bytes:  # noqa: S107
    """What Excel writes for File > Info > Protect Workbook > Encrypt with Password: an OLE
    compound file holding EncryptionInfo and EncryptedPackage ([MS-OFFCRYPTO] 2.3.4)."""
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(workbook)).encrypt(password, out)
    return out.getvalue()


_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, *, child=_NONE, right=_NONE, start=_END, size=0) -> bytes:
    encoded = (name.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
    return (
        encoded
        + struct.pack("<HBBIII", (len(name) + 1) * 2, kind, 1, _NONE, right, child)
        + b"\x00" * 36  # CLSID, state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version 3 OLE compound file ([MS-CFB] 2.2-2.6) holding `streams` (each padded to
    4096 bytes, so none goes into the mini stream): sector 0 is the FAT, sector 1 the
    directory, then the streams. An Excel 97-2003 .xls keeps its sheets in "Workbook"."""
    names = list(streams)
    assert len(names) <= 3
    bodies = [streams[name].ljust(4096, b"\x00") for name in names]
    fat = [_FAT, _END]
    starts = []
    for body in bodies:
        first, count = len(fat), len(body) // 512
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (128 - len(fat))
    directory = _dir_entry("Root Entry", 5, child=1)
    for i, (name, body) in enumerate(zip(names, bodies, strict=True)):
        right = i + 2 if i + 1 < len(names) else _NONE
        directory += _dir_entry(name, 2, right=right, start=starts[i], size=len(body))
    directory = directory.ljust(512, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    return header + struct.pack("<128I", *fat) + directory + b"".join(bodies)


def zip_parts(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {item.filename: archive.read(item.filename) for item in archive.infolist()}


def build_zip(parts: dict[str, bytes], *, stored: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def edit_parts(data: bytes, changes: dict) -> bytes:
    """Rewrite parts of a zip: {path: function(text) -> text}."""
    parts = zip_parts(data)
    for path, change in changes.items():
        parts[path] = change(parts[path].decode()).encode()
    return build_zip(parts)


def flag_encrypted(data: bytes) -> bytes:
    """Set the "encrypted" bit (APPNOTE 4.4.4, bit 0) on every entry, as a zip saved with a
    password has it: in each local header and in the central directory."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) != -1:
            out[at + offset] |= 0x01
            start = at + 4
    return bytes(out)


def duplicate_part(data: bytes, name: str, content: bytes) -> bytes:
    """A second part with the same name: which one a reader sees depends on the reader."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(name, content)
    return out.getvalue()
