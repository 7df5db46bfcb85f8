"""Importing statements for an account: lines saved with their categories and matches, the
same lines never twice, refusals saving nothing, corrections remembered, and the return
filled from the lines."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dp_portal.auth.models import Role
from dp_portal.core.bank_statements import Columns, StatementError
from dp_portal.core.errors import RuleError
from dp_portal.core.uploads import UploadError
from dp_portal.extensions import db
from dp_portal.monitoring import drafts, statement_services
from dp_portal.monitoring.models import STATEMENTS_AREA
from dp_portal.monitoring.periods import ReturnPeriod
from dp_portal.monitoring.statement_figures import imported_lines
from dp_portal.monitoring.statement_models import StatementImport, StatementLine
from dp_portal.payments.ledger_models import Payment

CORPUS = Path(__file__).parent.parent / "data" / "statements"
OCTOBER = ReturnPeriod(date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 28))


@pytest.fixture
def folder(own_storage) -> Path:
    return own_storage.root / STATEMENTS_AREA


@pytest.fixture
def person(app_ctx, factory):
    account = factory.account(
        start_date=date(2026, 4, 6), sort_code="309950", account_number="12345678"
    )
    user = factory.user(Role.RECIPIENT)
    factory.access(user, account)
    return account, user


def paid(db_session, account, day: date, pence: int) -> Payment:
    payment = Payment(
        account_id=account.id,
        period_index=day.month,
        period_start=day,
        period_end=day + timedelta(days=27),
        payee_type="person",
        amount_pence=pence,
        pay_date=day,
        breakdown_json='{"segments": [], "offsets": []}',
    )
    db_session.add(payment)
    db_session.flush()
    return payment


def do_import(person, folder, name: str):
    account, user = person
    data = (CORPUS / name).read_bytes()
    return statement_services.import_statement(account, data=data, filename=name, actor=user)


def lines_of(db_session, account):
    db.session.flush()  # the services' session; the test's own shares its connection
    return (
        db_session.execute(select(StatementLine).where(StatementLine.account_id == account.id))
        .scalars()
        .all()
    )


def test_an_import_saves_classified_lines_matched_to_the_council_payment(
    person, folder, db_session
):
    account, _ = person
    payment = paid(db_session, account, date(2026, 10, 1), 123456)
    done = do_import(person, folder, "nationwide_cp1252.csv")
    assert done.needs_columns is None and done.row.line_count == 4
    assert (folder / done.row.stored_name).exists()
    by_amount = {line.amount: line for line in imported_lines(done.row.id)}
    assert by_amount[Decimal("1234.56")].payment_id == payment.id
    assert [by_amount[Decimal(a)].category.value for a in ("-400.00", "-1050.25", "-35.10")] == [
        "pa_wages",
        "hmrc",
        "pension",
    ]


def test_importing_the_same_lines_again_changes_nothing(person, folder, db_session):
    account, _ = person
    do_import(person, folder, "nationwide_cp1252.csv")
    before = (len(lines_of(db_session, account)), len(list(folder.iterdir())))
    for name in ("nationwide_cp1252.csv", "ofx1_sgml.ofx", "lloyds.csv"):  # same lines
        with pytest.raises(UploadError, match=r"Every line in this statement \(4\) has been"):
            do_import(person, folder, name)
    assert (len(lines_of(db_session, account)), len(list(folder.iterdir()))) == before
    assert db_session.execute(select(func.count(StatementImport.id))).scalar() == 1


@pytest.mark.parametrize(
    "name", ["refused_bad_date.csv", "refused_other_account.ofx", "refused_euro_amount.csv"]
)
def test_a_refused_statement_saves_nothing(person, folder, db_session, name):
    with pytest.raises(StatementError):
        do_import(person, folder, name)
    assert db_session.execute(select(func.count(StatementImport.id))).scalar() == 0
    assert not folder.exists() or not list(folder.iterdir())


def test_columns_chosen_once_are_remembered_for_the_next_file(person, folder, db_session):
    account, user = person
    asked = do_import(person, folder, "no_header_amount_and_balance.csv")
    assert asked.needs_columns is not None and asked.row.status == "awaiting_columns"
    columns = Columns(date=0, description=(1,), amount=2, balance=3)
    statement_services.choose_columns(account, asked.row.id, columns, actor=user)
    assert asked.row.status == "imported" and asked.row.line_count == 4
    with pytest.raises(RuleError):  # chosen once only
        statement_services.choose_columns(account, asked.row.id, columns, actor=user)
    # The next file of this layout (November's) is read with the remembered columns.
    november = b"2026-11-06,J SMITH WAGES 06NOV,-400.00,-150.79\n2026-11-07,TESCO,-1.00,-151.79\n"
    done = statement_services.import_statement(
        account, data=november, filename="nov.csv", actor=user
    )
    assert done.needs_columns is None and done.row.line_count == 2


def test_a_correction_is_remembered_for_lines_like_it(person, folder, db_session):
    account, user = person
    do_import(person, folder, "nationwide_cp1252.csv")
    wages = next(line for line in lines_of(db_session, account) if line.amount_pence == -40000)
    changed = statement_services.correct_lines(
        account, OCTOBER, {wages.id: "provider_invoices"}, actor=user
    )
    db.session.flush()
    db_session.refresh(wages)
    assert changed == 1 and wages.category == "provider_invoices"
    november = b"Date,Description,Amount\n06/11/2026,J SMITH WAGES 06NOV,-400.00\n"
    statement_services.import_statement(account, data=november, filename="nov.csv", actor=user)
    later = next(line for line in lines_of(db_session, account) if line.row_number == 2)
    assert later.category == "provider_invoices"
    assert later.reason == "You chose this for lines like it before"
    with pytest.raises(RuleError, match="money paid out"):
        statement_services.correct_lines(
            account, OCTOBER, {wages.id: "council_payment"}, actor=user
        )


def test_the_next_return_opens_filled_with_the_lines(person, folder, db_session):
    account, user = person
    do_import(person, folder, "nationwide_cp1252.csv")
    draft = drafts.draft_for(account, OCTOBER, create=False)
    figures = drafts.figures_of(draft)
    assert figures.council_payments == Decimal("1234.56")
    assert figures.spending["pa_wages"] == Decimal("400.00")
    assert figures.spending["hmrc"] == Decimal("1050.25")
    assert figures.spending["pension"] == Decimal("35.10")
    assert figures.closing == Decimal("-250.79")  # opening 0 + in - out
    assert figures.bank_balance == Decimal("249.21")  # what the statement shows
    # After a correction, filling the saved draft again takes it in.
    wages = next(line for line in lines_of(db_session, account) if line.amount_pence == -40000)
    statement_services.correct_lines(account, OCTOBER, {wages.id: "payroll"}, actor=user)
    filled = statement_services.fill_return(account, OCTOBER, actor=user)
    assert filled.spend_pa_wages_pence == 0 and filled.spend_payroll_pence == 40000


def test_the_demo_recipient_has_a_statement_imported(app_ctx, factory):
    from dp_portal.demo.third_party_statements import RECIPIENT, demo_statements

    account = factory.account(start_date=date(2026, 4, 6))
    factory.access(factory.user(Role.RECIPIENT, email=RECIPIENT), account)
    assert demo_statements(date(2026, 11, 30)) >= 3
    figures = drafts.figures_of(drafts.draft_for(account, OCTOBER, create=False))
    assert figures.spending["hmrc"] == Decimal("61.20")
    assert figures.spending["pa_wages"] > 0
