"""The pooled client account's statement, imported by the organisation's staff: each line
classified, council payments matched, each line given to a client's sub-ledger (by the
payment, the client's reference, or staff's remembered choice), then posted together, all or
none; lines with no client stay on the statement; the same lines never twice."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dp_portal.client_money import pooled_import, pooled_posting
from dp_portal.core.errors import NotFound, RuleError
from dp_portal.core.uploads import UploadError
from dp_portal.extensions import db
from dp_portal.third_party.money_models import ClientBalance, ClientPosting
from dp_portal.third_party.money_statement_models import PooledStatementLine

from .conftest import committed_payment, make_office

CSV = """Date,Description,Amount
01/10/2026,BRAMBLE COUNCIL DIRECT PAYMENT {ref},1234.56
02/10/2026,{ref} CONTRIBUTION,50.00
05/10/2026,J SMITH WAGES {ref},-400.00
06/10/2026,A JONES WAGES,-80.00
07/10/2026,MONTHLY ACCOUNT CHARGES,-5.00
"""


@pytest.fixture
def folder(own_storage) -> Path:
    return own_storage.root / "statements"


@pytest.fixture
def paid(office, db_session):
    """The council paid £1,234.56 for the office's client on 1 October (posted to the
    client's sub-ledger when the run committed)."""
    return committed_payment(db_session, office.account, date(2026, 10, 1), 123456, office.checker)


def _import(office, folder, text: str, name: str = "pooled.csv", viewer=None):
    data = text.format(ref=office.account.reference).encode()
    return pooled_import.import_statement(viewer or office.viewer(), data=data, filename=name)


def _lines(row_id: int) -> dict[int, PooledStatementLine]:
    db.session.flush()
    rows = db.session.execute(
        select(PooledStatementLine).where(PooledStatementLine.statement_id == row_id)
    ).scalars()
    return {line.row_number: line for line in rows}


def _balance(office) -> int:
    return db.session.execute(
        select(ClientBalance.balance_pence).where(ClientBalance.account_id == office.account.id)
    ).scalar_one()


def test_each_line_is_classified_matched_and_given_to_a_client_or_left_on_the_statement(
    office, folder, paid
):
    done = _import(office, folder, CSV)
    lines = _lines(done.row.id)
    assert lines[2].payment_id == paid and lines[2].account_id == office.account.id
    assert lines[2].assigned_reason.startswith("The council's payment for")
    assert lines[3].account_id == office.account.id  # the reference in the description
    assert lines[3].category == "contributions"
    assert lines[4].account_id == office.account.id and lines[4].category == "pa_wages"
    assert lines[5].account_id is None  # no reference: staff choose
    assert lines[6].account_id is None and "stay on the statement" in lines[6].assigned_reason


def test_posting_puts_the_assigned_lines_in_the_sub_ledger_once_and_leaves_the_rest(
    office, folder, paid
):
    done = _import(office, folder, CSV)
    assert _balance(office) == 123456  # the council payment, posted when the run committed
    assert pooled_posting.post_statement(office.viewer(), done.row.id) == 2
    assert _balance(office) == 123456 + 5000 - 40000
    kinds = db.session.execute(
        select(ClientPosting.kind, ClientPosting.statement_line_id).where(
            ClientPosting.account_id == office.account.id
        )
    ).all()
    assert sorted(k for k, _ in kinds) == ["contribution", "council_payment", "pa_wages"]
    with pytest.raises(RuleError, match="Every line with a client has been posted"):
        pooled_posting.post_statement(office.viewer(), done.row.id)
    page = pooled_posting.review_page(office.viewer(), done.row.id, 1)
    assert page.unassigned == 2 and page.waiting == 0
    assert {line.row_number for line in page.lines.items if line.id in page.posted} == {2, 3, 4}


def test_a_line_that_would_take_a_client_below_zero_refuses_the_whole_statement(office, folder):
    done = _import(office, folder, CSV)  # no council payment: wages of £400 from £50
    with pytest.raises(RuleError, match=r"Row 4 of the statement .* below zero"):
        pooled_posting.post_statement(office.viewer(), done.row.id)
    db.session.flush()
    assert db.session.execute(select(func.count()).select_from(ClientPosting)).scalar() == 0


def test_importing_the_same_lines_again_changes_nothing(office, folder, paid):
    done = _import(office, folder, CSV)
    pooled_posting.post_statement(office.viewer(), done.row.id)
    with pytest.raises(UploadError, match="has been imported before"):
        _import(office, folder, CSV, name="again.csv")
    db.session.flush()
    assert db.session.execute(select(func.count()).select_from(PooledStatementLine)).scalar() == 5
    assert _balance(office) == 123456 + 5000 - 40000


def test_staff_choose_a_client_for_a_line_and_it_is_remembered_for_lines_like_it(
    office, folder, paid
):
    done = _import(office, folder, CSV)
    jones = _lines(done.row.id)[5]
    chosen = {jones.id: ("pa_wages", office.account.reference.lower())}
    assert pooled_posting.save_choices(office.viewer(), done.row.id, chosen) == 1
    assert jones.account_id == office.account.id
    later = "Date,Description,Amount\n03/11/2026,A JONES WAGES,-80.00\n"
    nxt = _import(office, folder, later, name="november.csv")
    assert _lines(nxt.row.id)[2].account_id == office.account.id
    assert "for lines like it before" in _lines(nxt.row.id)[2].assigned_reason


def test_a_client_that_is_not_the_organisations_or_a_charge_given_a_client_is_refused(
    office, folder, factory
):
    done = _import(office, folder, CSV)
    lines = _lines(done.row.id)
    stranger = factory.account()
    with pytest.raises(RuleError, match="Row 3: none of your clients has the reference"):
        pooled_posting.save_choices(
            office.viewer(), done.row.id, {lines[3].id: ("contributions", stranger.reference)}
        )
    with pytest.raises(RuleError, match="Row 6: Bank charges and fees stay on the statement"):
        pooled_posting.save_choices(
            office.viewer(),
            done.row.id,
            {lines[6].id: ("bank_charges", office.account.reference)},
        )


def test_another_organisations_staff_cannot_open_the_statement(office, folder, factory):
    done = _import(office, folder, CSV)
    other = make_office(factory)
    with pytest.raises(NotFound):
        pooled_posting.review_page(other.viewer(), done.row.id, 1)
    with pytest.raises(NotFound):
        pooled_posting.post_statement(other.viewer(), done.row.id)


def test_an_ofx_statement_of_the_pooled_account_imports(office, folder):
    ofx = (Path(__file__).parent.parent / "data" / "statements" / "ofx2_xml.qfx").read_bytes()
    done = pooled_import.import_statement(office.viewer(), data=ofx, filename="pooled.qfx")
    assert done.row.source == "OFX" and done.row.line_count > 0


def test_staff_import_check_and_post_a_statement_through_the_pages(client, office, paid):
    from ..conftest import sign_in_as

    sign_in_as(client, office.preparer)
    data = CSV.format(ref=office.account.reference).encode()
    response = client.post(
        "/money/statements", data={"file": (io.BytesIO(data), "pooled.csv")}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "5 lines imported" in page and "Check the statement" in page
    statement_id = int(response.request.path.rsplit("/", 1)[1])
    jones = _lines(statement_id)[5]
    response = client.post(
        f"/money/statements/{statement_id}/lines",
        data={f"category-{jones.id}": "pa_wages", f"client-{jones.id}": "", "post": "1"},
        follow_redirects=True,
    )
    assert "2 lines posted to the clients" in response.get_data(as_text=True)
    assert _balance(office) == 123456 + 5000 - 40000
    refused = client.post(
        "/money/statements", data={"file": (io.BytesIO(data), "pooled.csv")}
    ).get_data(as_text=True)
    assert "has been imported before, so nothing has changed" in refused
