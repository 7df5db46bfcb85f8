"""The API's documentation page, read from the OpenAPI document (openapi.py) so it can never
say something the document does not: each operation with its parameters, answers and an
example, each schema as a table of fields, and each kind of problem (the `type` of a problem
links to its heading here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from .problems import KINDS, Kind

_FORMATS = {"date": "date (YYYY-MM-DD)", "date-time": "date and time (ISO 8601, UTC)"}
_TYPES = {
    "string": "text",
    "integer": "whole number",
    "boolean": "true or false",
    "array": "list",
    "object": "object",
    "null": "null",
}


def inline_code(text: str) -> Markup:
    """A description as HTML: escaped, with its `code` spans (CommonMark, as OpenAPI
    descriptions are written) shown as code."""
    pieces = re.split(r"`([^`]+)`", text)  # text, code, text, code, ..., text
    return Markup("").join(
        Markup("<code>{}</code>").format(piece) if i % 2 else escape(piece)
        for i, piece in enumerate(pieces)
    )


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # in words
    link: str | None  # the schema it refers to
    description: str


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    scope: str | None
    params: list[Field]
    success: str
    success_schema: str | None
    problems: list[Kind]
    example: str


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: list[Field]


@dataclass(frozen=True)
class Page:
    title: str
    version: str
    description: str
    sections: list[tuple[str, str, list[Operation]]]
    schemas: list[Schema]
    problems: list[Kind]


def _ref_name(schema: dict[str, Any]) -> str | None:
    target = schema.get("$ref", "")
    return target.rsplit("/", 1)[-1] if target else None


def describe(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A schema in words, and the named schema it points to (if any)."""
    if name := _ref_name(schema):
        return name, name
    if "oneOf" in schema:
        parts = [describe(option) for option in schema["oneOf"]]
        return " or ".join(words for words, _ in parts), next((n for _, n in parts if n), None)
    kinds = schema.get("type", "object")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = " or ".join(
        _FORMATS.get(schema.get("format", ""), _TYPES.get(k, k)) if k != "null" else "null"
        for k in kinds
    )
    link = None
    if "array" in kinds and "items" in schema:
        inner, link = describe(schema["items"])
        words = f"list of {inner}"
    if "enum" in schema:
        words += ": one of " + ", ".join(str(v) for v in schema["enum"])
    return words, link


def _fields(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        words, link = describe(prop)
        note = "" if name in required else " (optional)"
        fields.append(Field(name, words + note, link, prop.get("description", "")))
    return fields


def _operation(path: str, method: str, op: dict[str, Any], base_url: str) -> Operation:
    status, success = next(iter(op["responses"].items()))
    content = next(iter(success["content"].values()))
    params = []
    for param in op.get("parameters", []):
        words, link = describe(param["schema"])
        default = param["schema"].get("default")
        extra = f" (default {default})" if default is not None else ""
        extra += " (a header)" if param["in"] == "header" else ""
        params.append(Field(param["name"], words + extra, link, param.get("description", "")))
    problems = [KINDS[int(code)] for code in op["responses"] if int(code) >= 400]
    scope = op.get("x-scope")
    auth = ' -H "Authorization: Bearer $DP_TOKEN"' if scope else ""
    if "requestBody" in op:
        body = next(iter(op["requestBody"]["content"].values()))["schema"]
        words, link = describe(body)
        params.append(Field("(the body)", f"{words} (JSON)", link, "What to send"))
        auth = f' -X {method.upper()}{auth} -H "Content-Type: application/json" --data @rows.json'
    return Operation(
        anchor=op["operationId"],
        method=method.upper(),
        path=path,
        summary=op["summary"],
        description=op["description"],
        scope=scope,
        params=params,
        success=status,
        success_schema=_ref_name(content["schema"]),
        problems=problems,
        example=f'curl{auth} "{base_url}{path}"',
    )


def page(document: dict[str, Any], base_url: str) -> Page:
    by_tag: dict[str, list[Operation]] = {tag["name"]: [] for tag in document["tags"]}
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            by_tag[op["tags"][0]].append(_operation(path, method, op, base_url))
    schemas = [
        Schema(name, schema.get("description", ""), _fields(schema))
        for name, schema in document["components"]["schemas"].items()
    ]
    info = document["info"]
    return Page(
        info["title"],
        info["version"],
        info["description"],
        [(tag["name"], tag["description"], by_tag[tag["name"]]) for tag in document["tags"]],
        schemas,
        list(KINDS.values()),
    )
