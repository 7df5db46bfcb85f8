"""A workbook whose parts use a compression method zipfile does not implement is refused as
damaged, with a message, never a 500: zipfile raises NotImplementedError, not BadZipFile, when
such a part is read (and `_open_archive` catches it too, for archives it cannot open at all)."""

from __future__ import annotations

import io
import struct

import pytest
from openpyxl import Workbook

from dp_portal.core.filetypes import SpreadsheetError
from dp_portal.core.workbook_reader import check_archive, read_cells

AE_X = 99  # APPNOTE 4.4.5: WinZip AES, which Python's zipfile cannot decompress


def _workbook_with_method(method: int) -> bytes:
    book = Workbook()
    book.active["A1"] = "Wages"
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    # The method is at offset 8 of each local header and 10 of each central directory entry.
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(signature)
        while at != -1:
            data[at + offset : at + offset + 2] = struct.pack("<H", method)
            at = data.find(signature, at + 4)
    return bytes(data)


@pytest.mark.parametrize(
    "read",
    [
        lambda data: check_archive(data, 10_000_000),
        lambda data: read_cells(data, sheet="Sheet", max_bytes=10_000_000, max_rows=10),
    ],
    ids=["container check", "reading cells"],
)
def test_an_unsupported_compression_method_is_refused_as_damaged(read):
    with pytest.raises(SpreadsheetError, match="damaged"):
        read(_workbook_with_method(AE_X))
