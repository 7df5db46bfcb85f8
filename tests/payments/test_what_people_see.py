"""What a person sees about their money is true: a payment whose pay date has not come is
"due to be paid", never "paid", and every total on the Payments page is the sum of the lines
it lists."""

import re
from datetime import timedelta

import pytest

from dp_portal.auth.models import Role
from dp_portal.core.types import local_today
from dp_portal.payments import remittance
from dp_portal.payments.ledger_models import LedgerEntry, Payment

from ..conftest import sign_in_as


def _payment(db_session, account, *, pay_date, pence, kind="regular", index=0, corrects=None):
    payment = Payment(
        account_id=account.id,
        period_index=index,
        period_start=pay_date + timedelta(days=4),
        period_end=pay_date + timedelta(days=31),
        payee_type="person",
        kind=kind,
        corrects_payment_id=corrects,
        amount_pence=pence,
        pay_date=pay_date,
        breakdown_json='{"segments": [], "offsets": []}',
        payee_name="A TESTER",
        sort_code="089999",
        account_number="66374958",
    )
    db_session.add(payment)
    db_session.flush()
    db_session.add(
        LedgerEntry(
            account_id=account.id,
            entry_date=pay_date,
            kind="payment",
            amount_pence=pence,
            payment_id=payment.id,
            description="Direct payment",
        )
    )
    # A contribution the person pays in: on the ledger, but not a payment of ours.
    db_session.add(
        LedgerEntry(
            account_id=account.id,
            entry_date=pay_date,
            kind="contribution",
            amount_pence=5000,
            description="Your contribution",
        )
    )
    db_session.flush()
    return payment


def _sections(page: str) -> tuple[str, str]:
    """(the "Due to be paid" table, the "Paid" table) of the Payments page."""
    parts = page.split('<caption class="govuk-table__caption govuk-table__caption--m">')
    tables = {part.split("</caption>")[0]: part.split("</table>")[0] for part in parts[1:]}
    return tables.get("Due to be paid", ""), tables.get("Paid", "")


def _rows(table: str) -> list[str]:
    return re.findall(r'numeric">(-?£[\d,.]+)</td>', table)


def _total(table: str) -> str:
    return re.findall(r"<strong>(-?£[\d,.]+)</strong>", table)[0]


@pytest.fixture
def me(client, factory):
    account = factory.account()
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    sign_in_as(client, person)
    return account


def test_a_future_payment_is_due_to_be_paid_and_totals_add_up(client, db_session, me):
    today = local_today()
    _payment(db_session, me, pay_date=today - timedelta(days=28), pence=40000, index=0)
    _payment(db_session, me, pay_date=today, pence=40100, index=1)  # paid today
    future = _payment(db_session, me, pay_date=today + timedelta(days=3), pence=41000, index=2)

    due, paid = _sections(client.get(f"/accounts/{me.id}/payments").text)
    assert "Due to be paid on" in due and "Paid on" not in due
    assert _rows(due) == ["£410.00"] and _total(due) == "£410.00"
    # Paid: the two whose pay date has come, and a total of those only (no contributions).
    assert _rows(paid) == ["£401.00", "£400.00"] and _total(paid) == "£801.00"

    advice = client.get(f"/payments/{future.id}").text
    assert "We will pay this on" in advice and "Due to be paid on" in advice
    assert "Paid on" not in advice


def test_the_remittance_pdf_for_a_future_payment_says_we_will_pay(
    client, db_session, me, monkeypatch
):
    today = local_today()
    future = _payment(db_session, me, pay_date=today + timedelta(days=5), pence=41000)
    past = _payment(db_session, me, pay_date=today - timedelta(days=23), pence=40000, index=1)
    rendered = []
    monkeypatch.setattr(
        remittance, "html_to_pdf", lambda html: rendered.append(html) or b"%PDF-1.7"
    )
    assert client.get(f"/payments/{future.id}.pdf").status_code == 200
    assert client.get(f"/payments/{past.id}.pdf").status_code == 200
    assert "We will pay £410.00" in rendered[0] and "We have paid" not in rendered[0]
    assert "We have paid £400.00" in rendered[1]
    # Advice of a payment still to come is dated today, not on its (future) pay date.
    assert f"{today.day} {today:%B %Y}" in rendered[0]


def test_nothing_paid_yet_says_so(client, me):
    assert "No payments have been made yet" in client.get(f"/accounts/{me.id}/payments").text


def test_a_correction_is_listed_and_counted(client, db_session, me):
    today = local_today()
    original = _payment(db_session, me, pay_date=today - timedelta(days=10), pence=40000)
    _payment(
        db_session,
        me,
        pay_date=today - timedelta(days=2),
        pence=-40000,
        kind="adjustment",
        corrects=original.id,
    )
    _due, paid = _sections(client.get(f"/accounts/{me.id}/payments").text)
    assert "Correction for" in paid
    assert _rows(paid) == ["-£400.00", "£400.00"] and _total(paid) == "£0.00"
