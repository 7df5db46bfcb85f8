"""Uplift letters: recorded for each affected person's correspondent in their preferred format,
rendered to accessible PDF (PDF/UA-1) when downloaded, and seen only by those who may see the
account."""

import re
import zlib
from datetime import date

from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.letters import Letter, render_html
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.payments.rate_models import RateRow

from ..conftest import sign_in_as
from ..factories import UPLIFT_CONTEXT


def _pdf_text(data: bytes) -> bytes:
    """The PDF's bytes with its compressed streams inflated, to look for markers."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def _priced_account(factory, db_session, officer, leader, **person):
    account = factory.account(person=factory.person(**person), start_date=date(2025, 4, 1))
    budget = Budget(
        account_id=account.id,
        version=1,
        effective_from=date(2025, 4, 1),
        status="approved",
        weekly_at_proposal_pence=1,
        proposed_by_id=officer.id,
        decided_by_id=leader.id,
    )
    db_session.add(budget)
    db_session.flush()
    db_session.add(
        BudgetLine(budget_id=budget.id, kind="pa_hours", description="Care", hours_hundredths=1500)
    )
    db_session.flush()
    return account


def test_uplift_letters_go_to_the_correspondent_in_their_format(app, client, factory, db_session):
    admin, officer, leader = (
        factory.user(Role.ADMIN),
        factory.user(Role.FINANCE_OFFICER),
        factory.user(Role.TEAM_LEADER),
    )
    db_session.add(
        RateRow(kind="living_wage", effective_from=date(2025, 4, 1), value=1260, source_note="t")
    )
    easy = _priced_account(
        factory, db_session, officer, leader, first_name="Isla", letter_format="easy_read"
    )
    represented = _priced_account(factory, db_session, officer, leader, first_name="Angus")
    rep = factory.representative(
        represented.person, full_name="Kirsty Carer", letter_format="large_print"
    )
    represented.correspondent, represented.correspondent_representative_id = (
        "representative",
        rep.id,
    )
    db_session.flush()

    sign_in_as(client, admin)
    data = {"new_wage": "13.45", "effective_from": ["1", "4", "2026"], "source_note": "SG letter"}
    assert client.post("/rates/uplift/apply", data=data).status_code == 302
    client.post("/rates/uplift/apply", data=data)  # applying again writes no more letters

    letters = {row.account_id: row for row in db_session.execute(select(Letter)).scalars()}
    assert len(letters) == 2
    assert letters[easy.id].letter_format == "easy_read"
    assert letters[easy.id].recipient_name.startswith("Isla")
    assert letters[represented.id].recipient_name == "Kirsty Carer"
    assert letters[represented.id].letter_format == "large_print"
    assert letters[represented.id].context["new_weekly"] == "201.75"  # 15 hours x £13.45

    with app.app_context():
        html = render_html(
            "uplift",
            "standard",
            **letters[represented.id].context,
            recipient_name="Kirsty Carer",
            address_lines=[],
            letter_date=date(2026, 11, 23),
            subject="Your direct payment is going up",
        )
    assert "£201.75" in html and "1 April 2026" in html and "£13.45" in html

    recipient = factory.user(Role.RECIPIENT)
    factory.access(recipient, represented)
    sign_in_as(client, recipient)
    page = client.get(f"/accounts/{represented.id}/letters").data.decode()
    assert "Your direct payment is going up" in page
    pdf = client.get(f"/letters/{letters[represented.id].id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert b"pdfuaid" in _pdf_text(pdf.data)  # declared PDF/UA
    assert b"StructTreeRoot" in _pdf_text(pdf.data)  # tagged, so screen readers can follow it
    assert client.get(f"/letters/{letters[easy.id].id}.pdf").status_code == 404
    db_session.expire_all()
    assert db_session.get(Letter, letters[represented.id].id).is_rendered  # stored once rendered


def test_letters_command_renders_what_is_pending(app, factory, db_session):
    from dp_portal.core.letters import LetterRecipient, letter_row

    account = factory.account()
    db_session.execute(
        Letter.__table__.insert(),
        [
            letter_row(
                account_id=account.id,
                kind="uplift",
                subject="S",
                to=LetterRecipient("A", ["1 Road"], "standard"),
                context=UPLIFT_CONTEXT,
            )
        ],
    )
    db_session.flush()
    result = app.test_cli_runner().invoke(args=["dp", "letters", "--batch", "10"])
    assert result.exit_code == 0, result.output
    assert "Done: 1 letters rendered" in result.output


def test_a_letter_that_cannot_render_does_not_hold_up_the_rest(app, factory, db_session):
    from dp_portal.core.letters import LetterRecipient, letter_row

    account = factory.account()
    to = LetterRecipient("A", ["1 Road"], "standard")
    rows = [
        letter_row(account_id=account.id, kind=kind, subject="S", to=to, context=UPLIFT_CONTEXT)
        for kind in ("uplift", "no_such_letter", "uplift")
    ]
    db_session.execute(Letter.__table__.insert(), rows)
    db_session.flush()
    result = app.test_cli_runner().invoke(args=["dp", "letters", "--batch", "1"])
    assert result.exit_code != 0 and "1 letters could not be rendered" in result.output
    assert "Done: 2 letters rendered" in result.output
    db_session.expire_all()
    rendered = {
        kind: key is not None
        for kind, key in db_session.execute(select(Letter.kind, Letter.pdf_key)).all()
    }
    assert rendered == {"uplift": True, "no_such_letter": False}
