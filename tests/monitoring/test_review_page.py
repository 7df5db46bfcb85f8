"""The return review page gives the officer what they need to decide in one place: every line
of the return with each flag on the line it concerns, the account's last two returns beside
it, the evidence shown on the page (PDFs framed, photos as images, both through the scoped
evidence route), and the record of who sent, asked and decided what, and when."""

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.monitoring.models import Evidence, MonitoringReturn

from ..conftest import sign_in_as
from ..hostile_files import pdf_pages, picture

START = date(2026, 4, 6)
FLAGGED = {  # the bank statement does not match the closing balance
    "opening": "0",
    "council_payments": "0",
    "spend_pa_wages": "100",
    "closing": "-100",
    "bank_balance": "-50",
    "explanation": "Wages paid in cash",
    "send": "y",
}


def _earlier(account, start, end, status, wages_pence, version=1):
    return MonitoringReturn(
        account_id=account.id,
        period_start=start,
        period_end=end,
        due_date=end,
        version=version,
        status=status,
        spend_pa_wages_pence=wages_pence,
        closing_pence=-wages_pence,
        bank_balance_pence=-wages_pence,
    )


@pytest.fixture
def flagged_return(client, factory, db_session):
    """A flagged return sent by the person, with a PDF, a photo and a CSV, after three
    earlier periods' returns (one of them sent twice)."""
    account = factory.account(start_date=date(2025, 7, 1))
    db_session.add_all(
        [
            _earlier(account, date(2025, 7, 1), date(2025, 9, 30), "accepted", 33333),
            _earlier(account, date(2025, 10, 1), date(2025, 12, 31), "superseded", 44444),
            _earlier(account, date(2025, 10, 1), date(2025, 12, 31), "accepted", 31111, 2),
            _earlier(account, date(2026, 1, 1), date(2026, 3, 31), "submitted", 32222),
        ]
    )
    me = factory.user(Role.RECIPIENT, full_name="Morag Sender")
    factory.access(me, account)
    sign_in_as(client, me)
    form_url = f"/accounts/{account.id}/returns/2026-04-01"
    for kind, data, name in (
        ("bank_statement", pdf_pages(1), "April statement.pdf"),
        ("receipt", picture("png"), "receipt.png"),
        ("other", b"date,amount\n2026-04-01,12.50\n", "lines.csv"),
    ):
        added = client.post(
            f"{form_url}/evidence",
            data={"kind": kind, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert added.status_code == 302
    assert client.post(form_url, data=FLAGGED).status_code == 302
    row = db_session.execute(
        select(MonitoringReturn).where(
            MonitoringReturn.account_id == account.id,
            MonitoringReturn.status == "submitted",
            MonitoringReturn.period_start == date(2026, 4, 1),
        )
    ).scalar_one()
    # The opening balance is not the last accepted closing balance (-£311.11), and the bank
    # statement is not the closing balance.
    assert [f["code"] for f in row.flags] == ["opening", "bank"]
    return row


def _row_of(page: str, key: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" id="line-{key}">(.*?)</tr>', page, re.S)
    assert match, key
    return match[1]


def test_the_review_page_shows_every_line_with_its_flags_beside_the_last_two_returns(
    client, factory, flagged_return
):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.get(f"/returns/{flagged_return.id}").text
    wages = _row_of(page, "spend_pa_wages")
    assert "Personal assistant wages" in wages
    # This return, then the two periods before it (the newest version of each), newest first.
    assert re.findall(r"£[\d,.]+", wages) == ["£100.00", "£322.22", "£311.11"]
    assert "£333.33" not in page and "£444.44" not in page  # older, and superseded
    assert "1 January 2026 to 31 March 2026" in page and "1 October 2025 to 31 December 2025"
    bank_flag = "is not the bank statement&#39;s"
    assert bank_flag in _row_of(page, "bank_balance")
    assert bank_flag not in _row_of(page, "closing")
    assert "is not the closing balance of the last accepted return" in _row_of(page, "opening")
    assert 'href="#line-bank_balance"' in page  # the summary of checks links to the line


def test_evidence_is_shown_on_the_page_and_served_inline_only_when_safe(
    client, factory, db_session, flagged_return
):
    files = {e.original_name: e.id for e in db_session.execute(select(Evidence)).scalars().all()}
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.get(f"/returns/{flagged_return.id}")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    pdf, png, csv = files["April statement.pdf"], files["receipt.png"], files["lines.csv"]
    frame = f'<iframe class="app-evidence-frame" loading="lazy" src="/evidence/{pdf}?view=inline"'
    assert frame in page.text
    assert 'title="Bank statement: April statement.pdf (PDF)"' in page.text
    assert f'src="/evidence/{png}?view=inline" alt="Receipt: receipt.png, as sent' in page.text
    assert f'href="/evidence/{csv}"' in page.text and f"/evidence/{csv}?view" not in page.text
    # The person sees their own files listed to download, not previewed: previews are for
    # the council's review.
    sign_in_as(client, db_session.get(User, flagged_return.submitted_by_id))
    own = client.get(f"/returns/{flagged_return.id}").text
    assert f'href="/evidence/{pdf}"' in own and "?view=inline" not in own
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))

    shown = client.get(f"/evidence/{pdf}?view=inline")
    assert shown.status_code == 200 and shown.mimetype == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    image = client.get(f"/evidence/{png}?view=inline")
    assert image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    for url in (f"/evidence/{pdf}", f"/evidence/{csv}?view=inline"):
        download = client.get(url)
        assert download.headers["Content-Disposition"].startswith("attachment"), url
        assert download.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in download.headers["Content-Security-Policy"]
    # Inline or not, the file is still loaded through the account's scope.
    sign_in_as(client, factory.user(Role.RECIPIENT))
    assert client.get(f"/evidence/{pdf}?view=inline").status_code == 404


def test_the_conversation_record_says_who_sent_asked_and_decided_what_and_when(
    client, factory, db_session, flagged_return
):
    officer = factory.user(Role.FINANCE_OFFICER, full_name="Fiona Officer")
    sign_in_as(client, officer)
    client.post(f"/returns/{flagged_return.id}", data={"message": "Why is the bank £50 out?"})
    page = client.get(f"/returns/{flagged_return.id}").text
    record = page[page.index("Conversation record") :]
    sent = record.index("Sent (version 1)")
    asked = record.index("Question")
    assert sent < asked
    assert "by Morag Sender" in record[sent:asked] and "Wages paid in cash" in record[sent:asked]
    assert "by Fiona Officer" in record[asked:] and "Why is the bank £50 out?" in record[asked:]


def test_the_officers_note_on_accepting_is_the_councils_own_record(
    client, factory, db_session, flagged_return
):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER, full_name="Fiona Officer"))
    client.post(
        f"/returns/{flagged_return.id}/accept",
        data={"accept-note": "Checked with the social worker: cash wages agreed"},
    )
    page = client.get(f"/returns/{flagged_return.id}").text
    assert "Checked with the social worker" in page[page.index("Conversation record") :]
    sign_in_as(client, db_session.get(User, flagged_return.submitted_by_id))
    page = client.get(f"/returns/{flagged_return.id}").text
    record = page[page.index("Conversation record") :]
    assert "Accepted" in record and "by Fiona Officer" in record
    assert "Checked with the social worker" not in page
