"""Driving expat over one sheet's XML for the strict scan (sheet_scan.py): which elements are
rows and cells, the namespace every cell part must be in, and the parts of each cell, handed
to the scan's walk as they open and close.

expat is driven directly rather than through ElementTree's iterparse: defusedxml's parser is
ElementTree's pure-Python one, which made an element object, two name look-ups and an event
tuple for every element of every row, about half the time of reading an upload. The same
defences are set as defusedxml sets (no DTD, no entity declarations, no external entities).
"""

from __future__ import annotations

from xml.parsers import expat

from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from .filetypes import SpreadsheetError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Cells in another namespace are read by no spreadsheet program (nor by openpyxl): what the
# person sees would not be what we read.
_CELL_PARTS = {"worksheet", "sheetData", "row", "c", "v", "f", "is"}
_SAVE_AGAIN = "save the workbook again as .xlsx and upload it again"
_UNRELIABLE = f"the sheet is damaged and cannot be read reliably: {_SAVE_AGAIN}"


class _Node:
    """An element inside a cell (or a merged range), as much of it as reading a cell needs,
    read as ElementTree would give it: its local name as `tag`, its attributes, its text
    before its first child, and its children."""

    __slots__ = ("attrib", "children", "tag", "text")

    def __init__(self, tag: str, attrib: dict[str, str]):
        self.tag, self.attrib, self.text, self.children = tag, attrib, None, []

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def __iter__(self):
        return iter(self.children)


def _refuse_dtd(*_args) -> None:
    raise DTDForbidden(None, None, None)


def _refuse_entity(*_args) -> None:
    raise EntitiesForbidden(None, None, None, None, None, None)


def _refuse_external(*_args) -> None:
    raise ExternalReferenceForbidden(None, None, None, None)


def sheet_parser(walk, sheet: str):
    """An expat parser calling the walk as the sheet's elements open and close, each judged
    as the iterparse walk judged it: the namespace of every cell part inside sheetData, rows
    whose parent is sheetData, cells whose parent is such a row (names worked out once)."""
    parser = expat.ParserCreate(None, "}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    names: dict[str, tuple[str, bool]] = {}  # expat's name: (local name, in another namespace)
    stack: list[str] = []  # the local names of the open elements
    nodes: list[_Node | None] = []  # beside each, its _Node when one is kept
    inside = [0]  # how many sheetData elements are open

    def start(name: str, attrib: dict[str, str]) -> None:
        try:
            local, foreign = names[name]
        except KeyError:
            local = name.rsplit("}", 1)[-1]
            foreign = local in _CELL_PARTS and not name.startswith(MAIN_NS + "}")
            names[name] = local, foreign
        if foreign and (inside[0] or not stack or local == "sheetData"):
            raise SpreadsheetError(_UNRELIABLE, sheet=sheet)
        parent = nodes[-1] if nodes else None
        node = None
        if local == "c" and stack[-2:] == ["sheetData", "row"]:
            walk.start_cell(attrib.get("r"))
            node = _Node(local, attrib)
        elif local == "row" and stack[-1:] == ["sheetData"]:
            walk.start_row(attrib.get("r"))
        elif local == "sheetData":
            inside[0] += 1
        if parent is not None or local == "mergeCell":
            node = node or _Node(local, attrib)
        if parent is not None:
            parent.children.append(node)
        stack.append(local)
        nodes.append(node)

    def end(_name: str) -> None:
        # The element ending is the one last started (expat refuses XML whose tags do not
        # match), so its name is already known.
        local, node = stack.pop(), nodes.pop()
        if local == "c" and stack[-2:] == ["sheetData", "row"]:
            walk.end_cell(node)
        elif local == "mergeCell":
            walk.merge(node.get("ref"))
        elif local == "sheetData":
            inside[0] -= 1

    def text(data: str) -> None:
        node = nodes[-1] if nodes else None
        if node is not None and not node.children:  # ElementTree's .text, not a child's tail
            node.text = data if node.text is None else node.text + data

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    return parser
