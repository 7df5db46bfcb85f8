"""The shapes the API sends and accepts, as JSON Schema (2020-12, as OpenAPI 3.1 uses), named
so the document can refer to them (#/components/schemas/<name>). `define` adds one; a new
endpoint's module defines its own shapes beside its handler.

Money is always two fields: pounds as text with two decimals ("123.45") and whole pence (an
integer), never a JSON number with a fraction, which many programs read as a float.
"""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, dict[str, Any]] = {}


def define(name: str, schema: dict[str, Any]) -> str:
    """Add the schema `name` (or check it is the same as before) and return its name."""
    if SCHEMAS.get(name, schema) != schema:
        raise ValueError(f"schema {name} is defined twice, differently")
    SCHEMAS[name] = schema
    return name


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], *, description: str = "") -> dict[str, Any]:
    """An object with exactly these properties, all of them always present."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def text(description: str, **more: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **more}


def integer(description: str, **more: Any) -> dict[str, Any]:
    return {"type": "integer", "description": description, **more}


def day(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date", "description": description}


def instant(description: str, *, nullable: bool = False) -> dict[str, Any]:
    kind: Any = ["string", "null"] if nullable else "string"
    return {"type": kind, "format": "date-time", "description": description}


def money_pair(name: str, what: str, *, signed: bool = False) -> dict[str, Any]:
    """`name` (pounds as text) and `name_pence` (an integer) for one amount."""
    pattern = "^-?[0-9]+\\.[0-9]{2}$" if signed else "^[0-9]+\\.[0-9]{2}$"
    pence: dict[str, Any] = integer(f"{what}, in pence")
    if not signed:
        pence["minimum"] = 0
    return {
        name: text(f"{what}, in pounds with two decimals", pattern=pattern, examples=["123.45"]),
        f"{name}_pence": pence,
    }


def page_of(items: str, item_schema: str, what: str) -> dict[str, Any]:
    return obj(
        {
            items: {"type": "array", "items": ref(item_schema), "description": what},
            "next_cursor": text(
                "Where this page ends: send it as `cursor` (with the same filters) to read on. "
                "Reading from the same cursor always returns the same rows."
            ),
            "has_more": {"type": "boolean", "description": "Whether more rows follow already"},
            "next": text("The path and query that read the next page"),
        }
    )


FIELD_ERROR = define(
    "FieldError",
    {
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": text("What is wrong and what to send instead"),
            "parameter": text("The query or path parameter at fault"),
            "pointer": text("A JSON Pointer (RFC 6901) to the part of the body at fault"),
        },
        "additionalProperties": False,
    },
)
PROBLEM = define(
    "Problem",
    {
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "detail", "instance"],
        "properties": {
            "type": text(
                "A link to the explanation of this kind of problem", format="uri-reference"
            ),
            "title": text("The kind of problem, the same every time"),
            "status": integer("The HTTP status", minimum=400, maximum=599),
            "detail": text("What went wrong with this request, and what to do"),
            "instance": text("The path that was asked for", format="uri-reference"),
            "errors": {"type": "array", "items": ref(FIELD_ERROR), "minItems": 1},
        },
        "additionalProperties": False,
    },
)
