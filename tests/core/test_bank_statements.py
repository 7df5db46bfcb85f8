"""The statement corpus (tests/data/statements): every untidy export the issue lists imports
to the same four lines, and every refused file is refused naming its row and column."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dp_portal.core.bank_statements import Columns, NeedsColumns, StatementError, read_statement
from dp_portal.core.uploads import STATEMENT, UploadError, check_upload

CORPUS = Path(__file__).parent.parent / "data" / "statements"
ACCOUNT = "12345678"
OCTOBER = {
    (date(2026, 10, 2), Decimal("1234.56")),
    (date(2026, 10, 9), Decimal("-400.00")),
    (date(2026, 10, 20), Decimal("-1050.25")),
    (date(2026, 10, 31), Decimal("-35.10")),
}


def read(name: str, **kw):
    data = (CORPUS / name).read_bytes()
    check_upload(data, name, STATEMENT)  # the one upload rule set applies first
    return read_statement(data, account_number=ACCOUNT, **kw)


@pytest.mark.parametrize(
    ("name", "closing"),
    [
        ("nationwide_cp1252.csv", Decimal("249.21")),  # Windows-1252, CRLF, £, details above
        ("hsbc_no_header.csv", None),  # no column names, thousands separators, newest first
        ("lloyds.csv", Decimal("249.21")),  # debit and credit columns, account on each row
        ("barclays.csv", None),  # one signed amount, sort code and account in one column
        ("trailing_minus_iso_dates.csv", Decimal("249.21")),  # 400.00-, £ signs, BOM
        ("monzo_currency_column.csv", None),  # a currency column saying GBP
        ("ofx1_sgml.ofx", Decimal("249.21")),
        ("ofx2_xml.qfx", Decimal("249.21")),
    ],
)
def test_untidy_exports_import_to_the_same_lines(name, closing):
    statement = read(name)
    assert {(line.day, line.amount) for line in statement.lines} == OCTOBER
    assert statement.closing_balance == closing
    wages = next(line for line in statement.lines if line.amount == Decimal("-400.00"))
    assert wages.description == "J SMITH WAGES"


def test_the_three_date_forms_are_read():
    assert {line.day for line in read("nationwide_cp1252.csv").lines} == {
        day for day, _ in OCTOBER
    }  # 02 Oct 2026
    assert read("lloyds.csv").lines[-1].day == date(2026, 10, 2)  # 02/10/2026
    assert read("trailing_minus_iso_dates.csv").lines[0].day == date(2026, 10, 2)  # ISO


def test_a_file_with_two_amount_columns_and_no_names_asks_which_is_which():
    with pytest.raises(NeedsColumns) as asked:
        read("no_header_amount_and_balance.csv")
    assert asked.value.width == 4
    assert asked.value.preview[0][1] == "FIFE COUNCIL DP DPT000001 02OCT26"
    columns = Columns(date=0, description=(1,), amount=2, balance=3)
    statement = read("no_header_amount_and_balance.csv", columns=columns)
    assert {(line.day, line.amount) for line in statement.lines} == OCTOBER
    assert statement.closing_balance == Decimal("249.21")
    # Remembered for the layout: the next file of the same shape needs no question.
    again = read(
        "no_header_amount_and_balance.csv",
        remembered=lambda key: columns if key == asked.value.layout_key else None,
    )
    assert again.columns == columns


@pytest.mark.parametrize(
    ("name", "where", "what"),
    [
        ("refused_not_a_statement.csv", "Row 1", "does not look like a bank statement"),
        ("refused_euro_amount.csv", "Row 3, column C (Amount)", "not in pounds"),
        ("refused_several_currencies.csv", "Row 4, column D (Currency)", "EUR, not pounds"),
        ("refused_currency_above_header.csv", "Row 2, column B", "EUR, not pounds"),
        ("refused_investment.csv", "Row 1, column C", "investment statement"),
        ("refused_bad_date.csv", "Row 4, column A (Date)", "'31/13/2026' is not a real date"),
        ("refused_other_account.csv", "Row 1, column B", "account ending 4321"),
        ("refused_other_account_rows.csv", "Row 3, column D (Account Number)", "ending 4321"),
        ("refused_investment.ofx", "Element INVSTMTRS", "investment statement"),
        ("refused_dollars.ofx", "Element CURDEF", "USD, not pounds"),
        ("refused_two_currencies.ofx", "Element CURDEF", "several currencies (EUR, GBP)"),
        ("refused_bad_date.ofx", "Transaction 2, element DTPOSTED", "'2026-10-09' is not a date"),
        ("refused_other_account.ofx", "Element ACCTID", "account ending 4321"),
    ],
)
def test_refusals_name_the_row_and_column(name, where, what):
    with pytest.raises(StatementError) as refused:
        read(name)
    message = str(refused.value)
    assert message.startswith(where + ":"), message
    assert what in message
    assert ACCOUNT not in message  # never a whole account number


def test_other_files_are_refused_by_the_upload_rules_first():
    with pytest.raises(UploadError, match="it is an OFX bank statement: its name should end"):
        check_upload((CORPUS / "ofx1_sgml.ofx").read_bytes(), "statement.csv", STATEMENT)
    with pytest.raises(UploadError, match="The file is a PDF document, but it must be a bank"):
        check_upload(b"%PDF-1.7\n%%EOF", "statement.pdf", STATEMENT)
    with pytest.raises(StatementError, match="cannot be read"):
        read_statement(b"OFXHEADER:100\nDATA:OFXSGML\n<OFX><BANKMSGSRSV1>")


def test_a_line_with_an_amount_both_in_and_out_is_refused():
    data = b"Date,Description,Paid in,Paid out\n02/10/2026,ODD,10.00,5.00\n"
    with pytest.raises(StatementError, match=r"^Row 2, column C \(Paid in\): the line has"):
        read_statement(data)
