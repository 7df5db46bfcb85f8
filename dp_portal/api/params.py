"""Query and path parameters: each kind knows its JSON Schema (for the OpenAPI document) and
how to read the text a client sent, with a message that says what to send instead.

`read_parameters` reads them all and reports every problem at once (a 400 problem whose
`errors` name each parameter), so a client fixes its request in one go. Parameters the
endpoint does not know are refused too: a misspelt filter (`form=` for `from=`) would
otherwise quietly return everything.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from werkzeug.datastructures import Headers, MultiDict

from .problems import ApiProblem

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY = "[A-Za-z0-9_.:+/=-]{1,80}"
KEY_PATTERN = f'^({_KEY}|"{_KEY}")$'


class Kind(Protocol):
    @property
    def schema(self) -> dict[str, Any]: ...

    def parse(self, text: str) -> Any:
        """The value, or ValueError with what to send instead."""


@dataclass(frozen=True)
class DateParam:
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string", "format": "date"})

    def parse(self, text: str) -> date:
        if not _ISO_DATE.match(text):
            raise ValueError("must be a date written YYYY-MM-DD, like 2026-04-06")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("is not a real date: write it YYYY-MM-DD, like 2026-04-06") from None


@dataclass(frozen=True)
class IntParam:
    minimum: int
    maximum: int

    @property
    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def parse(self, text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,9}", text):
            raise ValueError(f"must be a whole number from {self.minimum} to {self.maximum}")
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"must be a whole number from {self.minimum} to {self.maximum}")
        return value


@dataclass(frozen=True)
class ChoiceParam:
    choices: tuple[str, ...]

    @property
    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}

    def parse(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError("must be one of " + ", ".join(self.choices))
        return text


@dataclass(frozen=True)
class ReferenceParam:
    """A reference as the portal writes them (an account's, like DP000123): letters, numbers,
    / or -. Nothing else can match one, so nothing else is sent on to the database (where
    PostgreSQL would refuse a NUL character outright)."""

    max_length: int

    @property
    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^[A-Za-z0-9/-]{{1,{self.max_length}}}$"}

    def parse(self, text: str) -> str:
        if not re.fullmatch(f"[A-Za-z0-9/-]{{1,{self.max_length}}}", text):
            raise ValueError(f"must be letters, numbers, / or -, up to {self.max_length} long")
        return text


@dataclass(frozen=True)
class BoolParam:
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "boolean"})

    def parse(self, text: str) -> bool:
        if text not in ("true", "false"):
            raise ValueError("must be true or false")
        return text == "true"


@dataclass(frozen=True)
class KeyParam:
    """An idempotency key: letters, numbers and _ . : + / = -, 1 to 80 of them (a UUID
    fits), bare or in double quotes (the IETF draft sends it as a quoted string)."""

    schema: dict[str, Any] = field(
        default_factory=lambda: {"type": "string", "pattern": KEY_PATTERN}
    )

    def parse(self, text: str) -> str:
        if not re.fullmatch(KEY_PATTERN[1:-1], text):
            raise ValueError(
                "must be 1 to 80 letters, numbers or _ . : + / = -, like a UUID, "
                "the same for every retry of one import"
            )
        return text.strip('"')


@dataclass(frozen=True)
class CursorParam:
    """An opaque position in a list: the id of the last row read, so that reading on from it
    returns the rows after it (and the same rows every time). Each list has its own `name`,
    so a cursor from one list is refused by another."""

    name: str

    @property
    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[A-Za-z0-9_-]{4,64}$"}

    def encode(self, after_id: int) -> str:
        raw = f"{self.name}:{after_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def parse(self, text: str) -> int:
        wrong = ValueError("is not a cursor this list gave: start without one, or use next_cursor")
        if not re.fullmatch(r"[A-Za-z0-9_-]{4,64}", text):
            raise wrong
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise wrong from None
        name, _, number = raw.partition(":")
        if name != self.name or not re.fullmatch(r"0|[1-9][0-9]{0,17}", number):
            raise wrong
        return int(number)


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    kind: Kind
    where: str = "query"  # or "path", or "header"
    required: bool = False
    default: Any = None

    def document(self) -> dict[str, Any]:
        schema = dict(self.kind.schema)
        if self.default is not None:
            schema["default"] = self.default
        return {
            "name": self.name,
            "in": self.where,
            "required": self.required or self.where == "path",
            "description": self.description,
            "schema": schema,
        }


def read_parameters(
    params: tuple[Param, ...],
    query: MultiDict,
    path: dict[str, str],
    headers: Headers | None = None,
) -> dict[str, Any]:
    """Every parameter's value (its default when not sent), or a 400 problem naming each
    parameter that is wrong, missing, repeated or unknown."""
    values: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    known = {p.name for p in params if p.where == "query"}
    for name in query:
        if name not in known:
            wanted = ", ".join(sorted(known)) or "none"
            errors.append(_error(name, f"is not a parameter here (this endpoint takes: {wanted})"))
    for param in params:
        sent = _sent(param, query, path, headers)
        if len(sent) > 1:
            errors.append(_error(param.name, "was sent more than once: send it once"))
        elif not sent:
            if param.required:
                errors.append(_error(param.name, "is needed"))
            values[param.name] = param.default
        else:
            try:
                values[param.name] = param.kind.parse(sent[0])
            except ValueError as problem:
                errors.append(_error(param.name, str(problem)))
    if errors:
        raise ApiProblem(400, "Some parameters are not valid: see errors.", errors=errors)
    return values


def _sent(
    param: Param, query: MultiDict, path: dict[str, str], headers: Headers | None
) -> list[str]:
    if param.where == "path":
        return [path[param.name]]
    if param.where == "header":
        return headers.getlist(param.name) if headers is not None else []
    return query.getlist(param.name)


def _error(name: str, message: str) -> dict[str, str]:
    return {"parameter": name, "detail": f"{name} {message}"}
