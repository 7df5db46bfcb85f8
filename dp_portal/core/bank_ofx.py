"""Reading an OFX or QFX bank statement: OFX 1 (SGML, "OFXHEADER:100") and OFX 2 (XML,
"<?OFX OFXHEADER="200"?>"). ofxtools parses the file into elements (it copes with the
unclosed tags of OFX 1); the elements are read here, so that a refusal can name the
transaction and the element (OFX 2.2 specification, section 11.4: STMTRS, STMTTRN).

Only a bank account statement in pounds is taken: an investment statement (INVSTMTRS), a
credit card statement (CCSTMTRS), several statements in different currencies, or any
transaction in another currency is refused. Pure: no Flask, no database.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from .bank_statements import Line, Statement, check_account
from .bank_values import StatementError

_OFX_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(OFXHEADER\s*:|<\?xml[^>]*>\s*<\?OFX)", re.I)
OFX_PLACE = ("transaction", "element")
_DTPOSTED = re.compile(r"^(\d{4})(\d{2})(\d{2})")
_AMOUNT = re.compile(r"^[+-]?\d+([.,]\d{1,2})?$")


def is_ofx(data: bytes) -> bool:
    return _OFX_START.match(data[:1024]) is not None


def _tree(data: bytes) -> Element:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except Exception as exc:  # ofxtools raises SyntaxError, ValueError, its own errors
        raise StatementError(
            "the file starts like an OFX statement but cannot be read: it may be damaged or "
            "cut short. Download the statement from your bank again"
        ) from exc
    return tree.getroot()


def _text(element: Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _refuse_other_kinds(root: Element) -> list[Element]:
    if root.find(".//INVSTMTRS") is not None:
        raise StatementError(
            "this is an investment statement (OFX INVSTMTRS): import the statement of the "
            "bank account the direct payment is paid into",
            column="INVSTMTRS",
            labels=OFX_PLACE,
        )
    statements = root.findall(".//STMTRS")
    if not statements:
        what = "a credit card statement" if root.find(".//CCSTMTRS") is not None else "no"
        raise StatementError(
            f"the OFX file holds {what} bank account statement: import the statement of the "
            "bank account the direct payment is paid into"
        )
    currencies = sorted({_text(statement, "CURDEF").upper() for statement in statements})
    if len(currencies) > 1:
        raise StatementError(
            f"the file holds statements in several currencies ({', '.join(currencies)}): "
            "import the statement of the account in pounds only",
            column="CURDEF",
            labels=OFX_PLACE,
        )
    if currencies != ["GBP"]:
        raise StatementError(
            f"the statement is in {currencies[0] or 'no stated currency'}, not pounds (GBP)",
            column="CURDEF",
            labels=OFX_PLACE,
        )
    return statements


def _day(text: str, number: int) -> date:
    match = _DTPOSTED.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise StatementError(
            f"{text!r} is not a date: OFX dates are written YYYYMMDD, like 20261031",
            row=number,
            labels=OFX_PLACE,
            column="DTPOSTED",
        ) from exc


def _amount(text: str, number: int, tag: str = "TRNAMT") -> Decimal:
    if not _AMOUNT.match(text):
        raise StatementError(
            f"{text!r} is not an amount in pounds and pence",
            row=number,
            column=tag,
            labels=OFX_PLACE,
        )
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise StatementError(
            f"{text!r} is not an amount", row=number, column=tag, labels=OFX_PLACE
        ) from exc


def _line(transaction: Element, number: int) -> Line:
    for tag in ("CURRENCY", "ORIGCURRENCY"):
        other = transaction.find(tag)
        if other is not None and _text(other, "CURSYM").upper() not in ("", "GBP"):
            raise StatementError(
                f"the transaction is in {_text(other, 'CURSYM')}, not pounds",
                row=number,
                labels=OFX_PLACE,
                column=tag,
            )
    name, memo = _text(transaction, "NAME"), _text(transaction, "MEMO")
    description = " ".join(part for part in (name, memo if memo != name else "") if part)
    return Line(
        number,
        _day(_text(transaction, "DTPOSTED"), number),
        description or _text(transaction, "TRNTYPE"),
        _amount(_text(transaction, "TRNAMT"), number),
    )


def read_ofx(data: bytes, *, account_number: str | None = None) -> Statement:
    """Read an OFX statement, or raise StatementError naming the transaction ("row": its
    number in the file) and the element ("column")."""
    statements = _refuse_other_kinds(_tree(data))
    lines: list[Line] = []
    ending, closing = None, None
    for statement in statements:
        account = _text(statement, "BANKACCTFROM/ACCTID")
        found = "".join(ch for ch in account if ch.isdigit())[-4:] or None
        check_account(found, account_number, row=None, column="ACCTID", labels=OFX_PLACE)
        ending = ending or found
        for transaction in statement.iter("STMTTRN"):
            lines.append(_line(transaction, len(lines) + 1))
        balance = _text(statement, "LEDGERBAL/BALAMT")
        closing = _amount(balance, 0, "BALAMT") if balance else closing
    if not lines:
        raise StatementError("the statement has no lines of money in or out")
    return Statement("OFX", tuple(lines), None, None, closing, ending)
