"""Reading spreadsheets people upload: strictly, and never with an unhandled error.

Uploaded workbooks are hostile until proved otherwise: a renamed program, a password-protected
or macro-enabled file, a zip bomb, a sheet that lies about its size, XML that is not well
formed, a cell that points at text that is not there, "NaN" where a number should be, a cell
type no spreadsheet program writes, a formula with no saved value or one that reaches into
another workbook. Each is refused with a SpreadsheetError naming the sheet and cell (or the
reason) before anything is saved.

The sheet's XML is walked once by our own strict scan (defusedxml, so no entity tricks),
which checks every cell against ECMA-376 Part 1, 18.3.1.4 (c), 18.18.11 (ST_CellType) and
18.4 (shared strings) and reads each value as openpyxl would (sheet_scan.py). openpyxl's own
reader is not run as well: it would parse the same sheet a second time, and build the whole
stylesheet, only to agree.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Collection
from datetime import datetime
from typing import Any

from defusedxml import ElementTree as SafeET
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

from .filetypes import (
    CFB_SIGNATURE,
    PASSWORD_PROTECTED,
    ZIP_SIGNATURE,
    SpreadsheetError,
    cfb_kind,
)
from .sheet_scan import (
    CellFormats,
    LinkedFormula,
    SheetScan,
    column_of,
    refuse_all,
    scan_sheet,
    text_content,
)
from .sheet_xml import MAIN_NS

MAX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 200

_STRICT_NS = "http://purl.oclc.org/ooxml/"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Parts that carry code or objects that run when an officer opens the file.
_ACTIVE_PARTS = ("xl/embeddings/", "xl/activex/", "xl/ctrlprops/")


def _not_a_zip(data: bytes) -> SpreadsheetError:
    if not data:
        return SpreadsheetError("The file is empty")
    if data.startswith(CFB_SIGNATURE):
        kind = cfb_kind(data)
        if kind == "encrypted":
            return SpreadsheetError(PASSWORD_PROTECTED)
        if kind == "xls":
            return SpreadsheetError(
                "The file is an Excel 97-2003 workbook (.xls): open it and save it as an "
                "Excel Workbook (.xlsx)"
            )
    return SpreadsheetError("The file is not an Excel workbook (.xlsx)")


def _open_archive(
    data: bytes, max_bytes: int, max_unpacked: int = MAX_UNCOMPRESSED
) -> zipfile.ZipFile:
    if len(data) > max_bytes:
        raise SpreadsheetError(f"The file is larger than {max_bytes // 1024 // 1024} MB")
    if not data.startswith(ZIP_SIGNATURE):
        raise _not_a_zip(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    # zipfile raises NotImplementedError (not BadZipFile) for archives it cannot read, such as
    # a compression method it does not support or a multi-disk archive: to the person it is
    # the same damaged file, so it gets the same message rather than a 500.
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as exc:
        raise SpreadsheetError("The file is damaged: it could not be opened as a workbook") from exc
    names = [entry.filename for entry in entries]
    lower = {name.lower() for name in names}
    if len(lower) != len(names):
        raise SpreadsheetError("The file is damaged: it holds two parts with the same name")
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError("The file is not an Excel workbook (.xlsx)")
    if any(entry.flag_bits & 0x1 for entry in entries):  # APPNOTE 4.4.4 bit 0: encrypted
        raise SpreadsheetError(PASSWORD_PROTECTED)
    if any(name.endswith("vbaproject.bin") for name in lower):
        raise SpreadsheetError(
            "The workbook contains macros: save it as an ordinary .xlsx workbook"
        )
    if any(name.startswith(_ACTIVE_PARTS) for name in lower):
        raise SpreadsheetError(
            "The workbook contains embedded objects or controls: save a copy without them"
        )
    if len(entries) > MAX_ENTRIES:
        raise SpreadsheetError("The workbook has too many parts to be a return")
    if sum(entry.file_size for entry in entries) > max_unpacked:
        if max_unpacked == MAX_UNCOMPRESSED:
            raise SpreadsheetError(
                "The workbook unpacks to more than 20 MB, far more than a return needs"
            )
        raise SpreadsheetError(
            f"The workbook unpacks to more than {max_unpacked // 1024 // 1024} MB: split its "
            "rows into smaller workbooks"
        )
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
            raise SpreadsheetError(
                "The workbook is compressed suspiciously hard and cannot be read safely"
            )
    return archive


EXTERNAL_LINKS = (
    "The workbook has formulas that link to another workbook: copy the figures in as "
    "values (Paste Special, Values), save it, and upload it again"
)


def _has_external_links(archive: zipfile.ZipFile) -> bool:
    return any(name.lower().startswith("xl/externallinks/") for name in archive.namelist())


def check_archive(data: bytes, max_bytes: int) -> None:
    """The container checks every uploaded workbook passes, whatever it is for."""
    archive = _open_archive(data, max_bytes)
    if _has_external_links(archive):
        raise SpreadsheetError(EXTERNAL_LINKS)
    _parse(archive, "xl/workbook.xml", None)  # Strict Open XML, or not XML at all


def sheet_names(data: bytes, max_bytes: int, *, max_unpacked: int = MAX_UNCOMPRESSED) -> list[str]:
    """The names of a workbook's sheets, in its own order, once the container checks every
    uploaded workbook passes have passed (for an upload whose sheets are all read)."""
    archive = _open_archive(data, max_bytes, max_unpacked)
    if _has_external_links(archive):
        raise SpreadsheetError(EXTERNAL_LINKS)
    workbook = _parse(archive, "xl/workbook.xml", None)
    return [
        element.get("name")
        for element in workbook.iter()
        if _local(element.tag) == "sheet" and element.get("name")
    ]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(archive: zipfile.ZipFile, name: str, sheet: str | None):
    try:
        root = SafeET.fromstring(archive.read(name))
    except Exception as exc:  # ParseError, defusedxml's refusals, a damaged zip entry
        raise SpreadsheetError(
            "The workbook is damaged and cannot be read: save it again as .xlsx", sheet=sheet
        ) from exc
    if root.tag.startswith("{" + _STRICT_NS):
        raise SpreadsheetError(
            'The workbook is saved as "Strict Open XML Spreadsheet". Open it and save it '
            'again as an ordinary "Excel Workbook (.xlsx)", then upload that'
        )
    return root


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """{part path: content type} from [Content_Types].xml (ECMA-376 Part 2, 10.1.2)."""
    if "[Content_Types].xml" not in archive.namelist():
        raise SpreadsheetError("The workbook is damaged and cannot be read: save it again as .xlsx")
    return {
        element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
        for element in _parse(archive, "[Content_Types].xml", None)
        if _local(element.tag) == "Override"
    }


def _parts(archive: zipfile.ZipFile, sheet: str) -> tuple[str, str | None, datetime]:
    """The zip paths of the named sheet and of the shared strings, found as openpyxl finds
    them (the workbook's relationships, and the content types: ECMA-376 Part 1, 18.2.19;
    Part 2, 9.3 and 10.1), and the workbook's date system (18.2.28)."""
    types = _content_types(archive)
    main = [path for path, kind in types.items() if kind.endswith(".main+xml")]
    if any(path != "xl/workbook.xml" for path in main):
        raise SpreadsheetError("The workbook is damaged and cannot be read: save it again as .xlsx")
    workbook = _parse(archive, "xl/workbook.xml", None)
    rel_id = next(
        (
            element.get(_REL_NS)
            for element in workbook.iter()
            if _local(element.tag) == "sheet" and element.get("name") == sheet
        ),
        None,
    )
    if rel_id is None:
        raise SpreadsheetError(f"The workbook has no sheet called {sheet}", sheet=sheet)
    rels = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        for rel in _parse(archive, "xl/_rels/workbook.xml.rels", sheet).iter(_PKG_REL):
            target = rel.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            rels[rel.get("Id")] = (rel.get("Type", ""), posixpath.normpath(path))
    kind, path = rels.get(rel_id, ("", ""))
    if not kind.endswith("/worksheet") or path not in archive.namelist():
        raise SpreadsheetError(
            "The workbook is damaged: this sheet is missing or is not a sheet of cells",
            sheet=sheet,
        )
    strings = next((p for p, k in types.items() if k.endswith(".sharedStrings+xml")), None)
    return path, strings if strings in archive.namelist() else None, _epoch(workbook)


def _epoch(workbook) -> datetime:
    """The 1900 or the 1904 date system, the date1904 flag read as openpyxl reads it."""
    flag = next(
        (child.get("date1904") for child in workbook if _local(child.tag) == "workbookPr"), None
    )
    return MAC_EPOCH if flag and flag not in ("false", "f", "0") else WINDOWS_EPOCH


def _shared_strings(archive: zipfile.ZipFile, path: str | None, sheet: str) -> list[str]:
    """The shared strings' plain text, as openpyxl reads them (an escaped underscore,
    _x005F_, keeps its underscore)."""
    if path is None:
        return []
    root = _parse(archive, path, sheet)
    item_tag = f"{{{MAIN_NS}}}si"
    return [text_content(item).replace("x005F_", "") for item in root if item.tag == item_tag]


def _number_styles(archive: zipfile.ZipFile, sheet: str) -> tuple[frozenset[int], frozenset[int]]:
    """Which cell styles show a number as a date, and which as a duration: each style's
    number format (a custom one from numFmts, or a built-in one by its id), judged as
    openpyxl judges it (ECMA-376 Part 1, 18.8.30 numFmt, 18.8.10 cellXfs)."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset(), frozenset()
    root = _parse(archive, "xl/styles.xml", sheet)
    custom: dict[int, str] = {}
    formats: list[str | None] = []
    try:
        for part in root:
            if _local(part.tag) == "numFmts":
                for fmt in part:
                    if _local(fmt.tag) == "numFmt":
                        custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode")
        for part in root:
            if _local(part.tag) == "cellXfs":
                for xf in part:
                    if _local(xf.tag) == "xf":
                        number = int(xf.get("numFmtId", 0))
                        formats.append(custom.get(number) or builtin_format_code(number))
    except (TypeError, ValueError) as exc:
        raise SpreadsheetError("The workbook could not be read: save it again as .xlsx") from exc
    dates = frozenset(i for i, fmt in enumerate(formats) if is_date_format(fmt))
    durations = frozenset(i for i, fmt in enumerate(formats) if is_timedelta_format(fmt))
    return dates, durations


def _refused_reads(scan: SheetScan, sheet: str, reads: Collection[str]) -> list[SpreadsheetError]:
    """The cells the caller will read that show an error value or lie under merged cells."""
    from openpyxl.utils.cell import range_boundaries

    wanted = set(reads)
    problems = [
        SpreadsheetError(
            f"this cell shows the error {error}: correct it or type the amount",
            sheet=sheet,
            cell=ref,
        )
        for ref, error in scan.errors.items()
        if ref in wanted
    ]
    for merged in scan.merged:
        min_col, min_row, max_col, max_row = range_boundaries(merged)
        if any(
            min_col <= col <= max_col and min_row <= row <= max_row
            for col, row in map(_col_row, wanted)
        ):
            problems.append(
                SpreadsheetError(
                    "these cells are merged. Unmerge them so that each figure has a cell of "
                    "its own, save the workbook and upload it again",
                    sheet=sheet,
                    cell=merged,
                )
            )
    return problems


def _col_row(ref: str) -> tuple[int, int]:
    from openpyxl.utils.cell import coordinate_to_tuple

    row, col = coordinate_to_tuple(ref)
    return col, row


def read_cells(
    data: bytes,
    *,
    sheet: str,
    max_bytes: int,
    max_rows: int,
    max_cols: int = 10,
    reads: Collection[str] = (),
    problems: list[SpreadsheetError] | None = None,
    max_unpacked: int = MAX_UNCOMPRESSED,
) -> dict[str, Any]:
    """The cells of one sheet as {"B7": value}, as openpyxl would read them (data_only).
    Formulas come with their saved value; one with no saved value, or one linking to another
    workbook, is refused. Rows beyond max_rows are refused, whatever the sheet's declared
    size says; columns beyond max_cols are not read. `reads` are the cells the caller will
    use: a merged range or an error value over any of them is refused.

    A file that cannot be read at all is refused at once. Problems in its cells are all
    found: raised together (SpreadsheetProblems), or, given a `problems` list, added to it
    for the caller to add its own to, the cells refused left out of what is returned.
    `max_unpacked` bounds what the workbook may unpack to (20 MB, a return's, by default)."""
    archive = _open_archive(data, max_bytes, max_unpacked)
    sheet_path, strings_path, epoch = _parts(archive, sheet)
    dates, durations = _number_styles(archive, sheet)
    formats = CellFormats(_shared_strings(archive, strings_path, sheet), dates, durations, epoch)
    scan = scan_sheet(archive, sheet_path, sheet=sheet, formats=formats, max_rows=max_rows)
    found = [*scan.problems, *_refused_reads(scan, sheet, reads)]
    if _has_external_links(archive) and not any(isinstance(p, LinkedFormula) for p in found):
        found.append(SpreadsheetError(EXTERNAL_LINKS))
        refuse_all(found)  # whatever the caller would add: the file cannot be trusted
    if problems is None:
        refuse_all(found)
    else:
        problems.extend(found)
    refused = {problem.cell for problem in found}
    return {
        ref: value
        for ref, value in scan.values.items()
        if column_of(ref) <= max_cols and ref not in refused
    }
