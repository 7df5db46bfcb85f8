"""UK bank account modulus checking, as Pay.UK (formerly VocaLink) specifies it.

The check catches most typing mistakes in a sort code and account number; passing it does
not prove the account exists. Pay.UK publishes the weight table (valacdos.txt) and the sort
code substitution table (scsubtab.txt) and changes them several times a year, so the tables
are data the council installs or uploads, never constants in the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Method(StrEnum):
    MOD10 = "MOD10"
    MOD11 = "MOD11"
    DBLAL = "DBLAL"


@dataclass(frozen=True)
class WeightRow:
    start: str
    end: str
    method: Method
    weights: tuple[int, ...]
    exception: int | None

    def covers(self, sort_code: str) -> bool:
        return self.start <= sort_code <= self.end


class TableError(ValueError):
    """A weight table file could not be read."""


@dataclass(frozen=True)
class ModulusTables:
    rows: tuple[WeightRow, ...]
    substitutions: dict[str, str]

    @classmethod
    def parse(cls, valacdos: str, scsubtab: str = "") -> ModulusTables:
        rows = []
        for number, line in enumerate(valacdos.splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) not in (17, 18):
                raise TableError(
                    f"Weight table line {number} has {len(parts)} fields, not 17 or 18"
                )
            try:
                start, end, method = parts[0], parts[1], Method(parts[2])
                weights = tuple(int(p) for p in parts[3:17])
                exception = int(parts[17]) if len(parts) == 18 else None
            except ValueError as exc:
                raise TableError(f"Weight table line {number} is not in the Pay.UK format") from exc
            if not (_is_sort_code(start) and _is_sort_code(end)):
                raise TableError(f"Weight table line {number} has a sort code that is not 6 digits")
            rows.append(WeightRow(start, end, method, weights, exception))
        if not rows:
            raise TableError("The weight table is empty")
        substitutions = {}
        for number, line in enumerate(scsubtab.splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not all(_is_sort_code(p) for p in parts):
                raise TableError(f"Substitution table line {number} is not two sort codes")
            substitutions[parts[0]] = parts[1]
        return cls(tuple(rows), substitutions)

    def rows_for(self, sort_code: str) -> list[WeightRow]:
        return [row for row in self.rows if row.covers(sort_code)][:2]


def _is_sort_code(text: str) -> bool:
    return len(text) == 6 and text.isdigit()


# Positions in the 14-digit string: sort code u..z, account number a..h.
_U, _A, _B, _C, _G, _H = 0, 6, 7, 8, 12, 13


def _total(digits: str, weights: tuple[int, ...], method: Method) -> int:
    products = [int(d) * w for d, w in zip(digits, weights, strict=True)]
    if method is Method.DBLAL:
        return sum(sum(int(c) for c in str(p)) for p in products)
    return sum(products)


def _modulus(method: Method) -> int:
    return 11 if method is Method.MOD11 else 10


def _run(row: WeightRow, sort_code: str, account: str, tables: ModulusTables) -> bool:
    """One check, with the exceptions that change how that single check is done."""
    exc = row.exception
    weights = list(row.weights)
    if exc == 5:
        sort_code = tables.substitutions.get(sort_code, sort_code)
    if exc == 8:
        sort_code = "090126"
    digits = sort_code + account

    if exc == 2:
        a, g = digits[_A], digits[_G]
        if a != "0" and g != "9":
            weights = [0, 0, 1, 2, 5, 3, 6, 4, 8, 7, 10, 9, 3, 1]
        elif a != "0" and g == "9":
            weights = [0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 10, 9, 3, 1]
    if (exc == 7 and digits[_G] == "9") or (
        exc == 10 and digits[_A : _B + 1] in ("09", "99") and digits[_G] == "9"
    ):
        weights[_U : _B + 1] = [0] * 8

    total = _total(digits, tuple(weights), row.method)
    if exc == 1:
        total += 27
    remainder = total % _modulus(row.method)

    if exc == 4:
        return remainder == int(digits[_G : _H + 1])
    if exc == 5 and row.method is Method.MOD11:
        if remainder == 1:
            return False
        expected = 0 if remainder == 0 else 11 - remainder
        return expected == int(digits[_G])
    if exc == 5 and row.method is Method.DBLAL:
        expected = 0 if remainder == 0 else 10 - remainder
        return expected == int(digits[_H])
    return remainder == 0


def check_account(sort_code: str, account_number: str, tables: ModulusTables) -> bool:
    """True when the pair passes the modulus check, or the sort code has no rows to check.

    Both arguments are digits only: a 6-digit sort code and an 8-digit account number.
    """
    if not _is_sort_code(sort_code) or len(account_number) != 8 or not account_number.isdigit():
        return False
    rows = tables.rows_for(sort_code)
    if not rows:
        return True  # Pay.UK: a sort code not in the table cannot be checked; treat as valid.
    first = rows[0]
    second = rows[1] if len(rows) > 1 else None
    exc = first.exception

    if exc == 6 and account_number[0] in "45678" and account_number[6] == account_number[7]:
        return True  # a foreign currency account: its check digit cannot be checked

    first_ok = _run(first, sort_code, account_number, tables)

    if exc == 14 and not first_ok:
        if account_number[7] not in "019":
            return False
        return _run(first, sort_code, "0" + account_number[:7], tables)

    if second is None:
        return first_ok

    if exc == 2 and second.exception == 9:
        return first_ok or _run(second, "309634", account_number, tables)
    if exc in (10, 12) or second.exception in (11, 13):
        return first_ok or _run(second, sort_code, account_number, tables)
    if not first_ok:
        return False
    if second.exception == 3 and account_number[2] in "69":
        return True
    return _run(second, sort_code, account_number, tables)
