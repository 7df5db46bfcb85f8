"""Bank payment files for a committed run: Bacs Standard 18 style fixed-width, and CSV.

The record layout is the common Standard 18 one (100 characters). Bureaux differ in details,
so the originator's details come from config and the layout is checked against the council's
bureau specification before going live.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

CREDIT = "99"
_ALLOWED = re.compile(r"[^A-Z0-9.&/\- ]")


@dataclass(frozen=True)
class Originator:
    sort_code: str
    account_number: str
    name: str


class Transfer(NamedTuple):
    sort_code: str
    account_number: str
    name: str
    amount_pence: int
    reference: str


def reference_suffix(period_start: date) -> str:
    """What follows the account reference on the person's bank statement: the period."""
    return f"{period_start:%d%b%y}".upper()


class _BacsCharacters(dict):
    """str.translate table: Bacs characters stay, anything else becomes a space."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        self[code] = code if char.isascii() and not _ALLOWED.match(char) else ord(" ")
        return self[code]


_TABLE = _BacsCharacters()


def bacs_text(value: str, width: int) -> str:
    """Upper case, Bacs characters only, padded or cut to `width`."""
    return (value or "").upper().translate(_TABLE)[:width].ljust(width)


MOST_PENCE = 99_999_999_999  # eleven digits: £999,999,999.99


_KEEP_LINES = _BacsCharacters({ord("\n"): ord("\n")})  # Bacs characters, and the separator


def bacs_column(values: list[str], width: int) -> list[str]:
    """bacs_text of each value, worked out for the whole column in one pass: a council's run
    has 92,000 credits, and a call each was most of the time the file took."""
    text = "\n".join(values).upper().translate(_KEEP_LINES)
    if text.count("\n") != len(values) - 1:  # a line break in a value, or no values at all
        return [bacs_text(value, width) for value in values]
    return [value[:width].ljust(width) for value in text.split("\n")]


def standard18_file(transfers: Iterable[Transfer], originator: Originator) -> str:
    """One 100-character credit record a transfer, each line ended CR LF. The originator's
    part is made once a file, the payee's names and references a column at a time
    (bacs_column), and the checks are made over the whole file, not record by record: a
    council's run has 92,000 credits. Each transfer is read by position (a database row
    with Transfer's fields will do): reading it by name cost more than the record."""
    columns = tuple(zip(*transfers, strict=True)) or ((),) * 5  # no credits: an empty file
    sort_codes, numbers, names, pence, references = columns
    if pence and (min(pence) <= 0 or max(pence) > MOST_PENCE):
        raise ValueError("a Bacs credit must be between 1p and £999,999,999.99")
    middle = "0" + CREDIT + originator.sort_code + originator.account_number + " " * 4
    own_name = bacs_text(originator.name, 18)
    records = [
        f"{sort_code}{number}{middle}{amount:011d}{own_name}{reference}{name}\r\n"
        for sort_code, number, amount, reference, name in zip(
            sort_codes,
            numbers,
            pence,
            bacs_column([reference or "" for reference in references], 18),
            bacs_column([name or "" for name in names], 18),
            strict=True,
        )
    ]
    wrong = set(map(len, records)) - {102}  # 100 characters and the line's end
    if wrong:
        raise ValueError(f"a Standard 18 record must be 100 characters, not {min(wrong) - 2}")
    return "".join(records)


def _cell(value: str) -> str:
    # A leading = + - @ makes a spreadsheet treat the cell as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def csv_file(transfers: Iterable[Transfer]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["sort_code", "account_number", "payee_name", "amount", "reference"])
    for t in transfers:
        writer.writerow(
            [
                t.sort_code,
                t.account_number,
                _cell(bacs_text(t.name, 18).strip()),
                f"{t.amount_pence // 100}.{t.amount_pence % 100:02d}",
                _cell(bacs_text(t.reference, 18).strip()),
            ]
        )
    return out.getvalue()
