"""The strict sheet scan driven by expat (core/sheet_xml.py) reads every sheet exactly as the
ElementTree iterparse walk it replaced did: the same values, error cells, merged ranges and
problems, and the same refusal (message, sheet and cell) for every malformed or disguised
sheet. The reference below is that walk, kept here as the model."""

import zipfile
from io import BytesIO
from typing import Any

import pytest
from defusedxml.ElementTree import iterparse

from dp_portal.core.filetypes import SpreadsheetError
from dp_portal.core.sheet_scan import (
    _SAVE_AGAIN,
    CellFormats,
    SpreadsheetProblems,
    _local,
    _Walk,
    refuse_all,
    scan_sheet,
)
from dp_portal.core.sheet_xml import _CELL_PARTS, MAIN_NS

_UNRELIABLE = f"the sheet is damaged and cannot be read reliably: {_SAVE_AGAIN}"


def reference_scan(archive, path, *, sheet, formats, max_rows):
    """The walk before expat drove it: ElementTree's iterparse, a stack of names per start."""
    walk, stack = _Walk(sheet, formats, max_rows), []
    try:
        with archive.open(path) as stream:
            for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                if event == "start":
                    name = _local(element.tag)
                    inside = not stack or name == "sheetData" or "sheetData" in stack
                    if (
                        inside
                        and name in _CELL_PARTS
                        and not element.tag.startswith(f"{{{MAIN_NS}}}")
                    ):
                        raise SpreadsheetError(_UNRELIABLE, sheet=sheet)
                    stack.append(name)
                    if name == "row" and stack[-2:-1] == ["sheetData"]:
                        walk.start_row(element.get("r"))
                    elif name == "c" and stack[-3:-1] == ["sheetData", "row"]:
                        walk.start_cell(element.get("r"))
                    continue
                name = stack.pop()
                if name == "c" and stack[-2:] == ["sheetData", "row"]:
                    walk.end_cell(element)
                    element.clear()
                elif name == "mergeCell":
                    walk.merge(element.get("ref"))
    except SpreadsheetProblems:
        raise
    except SpreadsheetError as fatal:
        refuse_all([*walk.scan.problems, fatal])
    except Exception as exc:
        where = "just after this cell" if walk.ref else "near its start"
        raise walk.refuse(
            f"the sheet is damaged {where} and cannot be read: {_SAVE_AGAIN}"
        ) from exc
    return walk.scan


def _problem(p) -> tuple:
    return type(p).__name__, str(p), p.sheet, p.cell


def outcome(scan, data: bytes, max_rows: int = 40) -> tuple[Any, ...]:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sheet.xml", data)
    formats = CellFormats(["zero", "one"], frozenset({1}), frozenset({2}))
    try:
        with zipfile.ZipFile(buffer) as archive:
            got = scan(archive, "sheet.xml", sheet="S", formats=formats, max_rows=max_rows)
    except SpreadsheetError as refused:
        return "refused", _problem(refused), [_problem(p) for p in getattr(refused, "problems", [])]
    values = {ref: (type(value), value) for ref, value in got.values.items()}
    return values, got.errors, got.merged, [_problem(p) for p in got.problems]


def sheet(rows: str, *, root: str = f'<worksheet xmlns="{MAIN_NS}"', tail: str = "") -> bytes:
    return f"{root}><sheetData>{rows}</sheetData>{tail}</worksheet>".encode()


OTHER = 'xmlns:o="urn:other"'
CASES = {
    "every cell type": sheet(
        '<row r="1"><c r="A1"><v>12</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="b"><v>1</v>'
        '</c><c r="D1" s="1"><v>46000.5</v></c><c r="E1" s="2"><v>1.25</v></c><c r="F1" t="e">'
        '<v>#DIV/0!</v></c><c r="G1" t="d"><v>2026-04-06T10:00:00</v></c><c r="H1" t="str">'
        '<f>"a"&amp;"b"</f><v>ab</v></c><c r="I1"><v>1e3</v></c></row>'
    ),
    "inline strings with runs, phonetics and empty text": sheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>plain</t><r><t>one</t></r><r><rPr/><t>'
        ' two</t></r><rPh><t>x</t></rPh></is></c><c r="B2" t="inlineStr"><is><t/></is></c>'
        '<c r="C2" t="inlineStr"><is><r><t>a</t><t/></r></is></c><c r="D2" t="inlineStr"/>'
        '<c r="E2" t="inlineStr"><is><o:t ' + OTHER + ">foreign t</o:t></is></c></row>"
    ),
    "text split by references, CDATA, comments and instructions": sheet(
        '<row r="3"><c r="A3" t="str"><f>1</f><v>a&amp;b&#65;<![CDATA[<c>]]>z</v></c>'
        '<c r="B3"><!-- note --><v>1<?pi x?>2</v></c><c r="C3"><v>7<x/>8</v></c></row>'
    ),
    "pretty printed, prefixed and without references": (
        f'<?xml version="1.0"?>\n<x:worksheet xmlns:x="{MAIN_NS}">\n <x:sheetData>\n'
        '  <x:row>\n   <x:c><x:v>1</x:v></x:c>\n   <x:c t="s" o:t="b" ' + OTHER + "><x:v>0</x:v>"
        '</x:c>\n  </x:row>\n  <x:row><x:c r="C2"><x:v> 5 </x:v></x:c></x:row>\n </x:sheetData>'
        '\n <x:mergeCells><x:mergeCell ref="A1:B2"/></x:mergeCells>\n</x:worksheet>'
    ).encode(),
    "utf-16": sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>é</t></is></c></row>')
    .decode()
    .encode("utf-16"),
    "merged ranges, one damaged": sheet(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        tail='<mergeCells><mergeCell ref="A1:B1"/><mergeCell ref="C1"/></mergeCells>'
        '<mergeCells><mergeCell ref="1:2"/></mergeCells>',
    ),
    "a foreign mergeCell is still a merged range": sheet(
        "", tail=f'<extLst><o:mergeCell {OTHER} ref="D4:E5"/></extLst>'
    ),
    "foreign elements outside sheetData are extensions": sheet(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        tail=f'<extLst><o:row {OTHER}><o:c r="Z9"><o:v>9</o:v></o:c></o:row></extLst>',
    ),
    "a foreign cell": sheet(f'<row r="1"><o:c {OTHER} r="A1"><o:v>1</o:v></o:c></row>'),
    "a foreign value": sheet(f'<row r="1"><c r="A1"><o:v {OTHER}>1</o:v></c></row>'),
    "a foreign row": sheet(f'<o:row {OTHER} r="1"/>'),
    "a foreign sheet": sheet("", root='<worksheet xmlns="urn:other"'),
    "a sheetData in no namespace": b"<worksheet><sheetData/></worksheet>",
    "a foreign root not named as a sheet": f'<o:book {OTHER}><sheetData xmlns="{MAIN_NS}">'
    '<row r="1"><c r="A1"><v>3</v></c></row></sheetData></o:book>'.encode(),
    "rows and cells where they are not": sheet(
        '<row r="1"><c r="A1"><is><row r="9"><c r="B9"><v>2</v></c></row></is><v>1</v></c></row>',
        tail='<row r="50"><c r="A50"><v>9</v></c></row>',
    ),
    "a sheet inside a cell": sheet(
        '<row r="1"><c r="A1"><sheetData><row r="2"><c r="A2"><v>5</v></c></row></sheetData>'
        "<v>1</v></c></row>"
    ),
    "bad values, all listed": sheet(
        '<row r="1"><c r="A1"><v>NaN</v></c><c r="B1" t="s"><v>-1</v></c><c r="C1" t="b"><v>'
        'yes</v></c><c r="D1" t="d"><v>soon</v></c><c r="E1" t="zz"><v>1</v></c><c r="F1">'
        '<f>[1]Sheet1!A1</f><v>2</v></c><c r="G1"><f>A1</f></c><c r="H1" s="x"><v>1</v></c>'
        '<c r="I1"><v>1e400</v></c><c r="J1"><v>1e16</v></c></row>'
    ),
    "too many problems": sheet(
        '<row r="1">' + "".join(f'<c r="{chr(65 + n)}1"><v>x</v></c>' for n in range(25)) + "</row>"
    ),
    "something below the last row": sheet('<row r="41"><c r="A41"><v>1</v></c></row>'),
    "an empty cell below the last row": sheet('<row r="41"><c r="A41"/></row>'),
    "rows out of order": sheet('<row r="2"/><row r="1"/>'),
    "a row numbered badly": sheet('<row r="x"/>'),
    "a cell in the wrong row": sheet('<row r="1"><c r="A2"><v>1</v></c></row>'),
    "a cell twice": sheet('<row r="1"><c r="A1"/><c r="A1"/></row>'),
    "a cell labelled badly": sheet('<row r="1"><c r="A-1"/></row>'),
    "a problem then a fatal one": sheet('<row r="1"><c r="A1"><v>x</v></c></row><row r="1"/>'),
    "a DTD": b'<!DOCTYPE worksheet [<!ENTITY e "x">]>' + sheet('<row r="1"/>'),
    "an undefined entity after a cell": sheet('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>&e;'),
    "mismatched tags": sheet('<row r="1"><c r="A1"><v>1</c></row>'),
    "an unbound prefix": sheet('<row r="1"><q:c r="A1"/></row>'),
    "truncated": sheet('<row r="1"><c r="A1"><v>1</v></c></row>')[:-30],
    "empty": b"",
    "not XML": b"PK\x03\x04 not a sheet",
}


@pytest.mark.parametrize("case", CASES)
def test_the_expat_scan_reads_and_refuses_exactly_as_the_iterparse_walk(case):
    data = CASES[case]
    assert outcome(scan_sheet, data) == outcome(reference_scan, data)


def test_the_providers_invoice_template_is_read_the_same():
    from datetime import date

    from dp_portal.isf.invoice_upload import build_template

    people = [(f"DP{n:06d}", f"Person {n}", "day") for n in range(300)]
    with zipfile.ZipFile(BytesIO(build_template(people, date(2026, 4, 6), date(2026, 5, 3)))) as z:
        data = z.read("xl/worksheets/sheet1.xml")
    ours = outcome(scan_sheet, data, max_rows=1007)
    assert ours == outcome(reference_scan, data, max_rows=1007)
    assert len(ours[0]) > 900
