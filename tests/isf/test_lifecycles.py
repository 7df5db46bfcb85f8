"""Every state machine of issue 14, walked through its whole table: each allowed move
happens, each other move is refused with a RuleError and changes nothing; and the database
refuses what the rules say never happens."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session

from dp_portal.core.errors import RuleError
from dp_portal.isf import lifecycles as lc
from dp_portal.isf.agreements import (
    VERSION_TRANSITIONS,
    Party,
    VersionStatus,
    all_confirmed,
    check_can_confirm,
    move_version,
)
from dp_portal.isf.delivery_models import IsfInvoice, IsfInvoiceLine, IsfPeriod
from dp_portal.isf.models import IsfAgreementVersion

from .helpers import agreement, funded_account, provider


def _pairs(table):
    return [(start, to) for start in table for to in table]


@pytest.mark.parametrize(("start", "to"), _pairs(VERSION_TRANSITIONS))
def test_an_agreement_version_moves_exactly_as_its_table_says(start, to):
    version = IsfAgreementVersion(status=str(start))
    if to in VERSION_TRANSITIONS[start]:
        move_version(version, to)
        assert version.status == to
        assert (version.activated_at is not None) == (to == VersionStatus.ACTIVE)
        assert (version.closed_at is not None) == (to != VersionStatus.ACTIVE)
    else:
        with pytest.raises(RuleError):
            move_version(version, to)
        assert version.status == start and version.activated_at is None


MACHINES = [
    (lc.move_period, "status", lc.PERIOD_TRANSITIONS),
    (lc.move_invoice, "status", lc.INVOICE_TRANSITIONS),
    (lc.move_line, "state", lc.LINE_TRANSITIONS),
    (lc.move_change_request, "status", lc.CHANGE_TRANSITIONS),
    (lc.move_adjustment, "status", lc.ADJUSTMENT_TRANSITIONS),
]
CASES = [
    pytest.param(move, attribute, start, to, table, id=f"{move.__name__}-{start}-{to}")
    for move, attribute, table in MACHINES
    for start, to in _pairs(table)
]


@pytest.mark.parametrize(("move", "attribute", "start", "to", "table"), CASES)
def test_part_b_state_machines_move_exactly_as_their_tables_say(move, attribute, start, to, table):
    row = SimpleNamespace(**{attribute: str(start)})
    if to in table[start]:
        move(row, to)
        assert getattr(row, attribute) == to
    else:
        with pytest.raises(RuleError):
            move(row, to)
        assert getattr(row, attribute) == start


def test_held_lines_are_decided_once_and_accepted_lines_never_move():
    assert lc.LINE_TRANSITIONS[lc.LineState.HELD] == {lc.LineState.RELEASED, lc.LineState.REFUSED}
    assert all(not lc.LINE_TRANSITIONS[s] for s in lc.LineState if s != lc.LineState.HELD)
    assert lc.PERIOD_TRANSITIONS[lc.PeriodStatus.SEALED] == frozenset()  # never unsealed


def test_the_agreement_is_active_only_when_all_three_parties_have_confirmed():
    assert not all_confirmed({"person", "council"})
    assert all_confirmed({"person", "council", "provider"})
    version = IsfAgreementVersion(status="awaiting")
    with pytest.raises(RuleError, match="already confirmed"):
        check_can_confirm(version, Party.COUNCIL, {"council"})
    check_can_confirm(version, Party.PROVIDER, {"council"})
    version.status = "active"
    with pytest.raises(RuleError, match="nothing to confirm"):
        check_can_confirm(version, Party.PROVIDER, set())


def test_the_database_keeps_one_version_in_force_and_one_waiting(factory, db_session):
    org = provider(factory)
    account, budget, line = funded_account(factory, org)
    row, version = agreement(factory, account, org, budget, line)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(
            IsfAgreementVersion(
                agreement_id=row.id,
                version=2,
                status="awaiting",
                starts_on=version.starts_on,
                annual_budget_pence=100,
                budget_id=budget.id,
                money_holder="council",
                payment_basis="scheduled",
                contribution_to="none",
                reporting_frequency="monthly",
                underspend="returned",
                created_by_id=row.created_by_id,
            )
        )
        db_session.flush()


def test_the_database_refuses_a_provider_held_fund_paid_on_invoice(factory, db_session):
    org = provider(factory)
    account, budget, line = funded_account(factory, org)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        agreement(
            factory, account, org, budget, line, money_holder="provider", payment_basis="invoice"
        )


def _invoice(factory, db_session, org, day):
    invoice = IsfInvoice(
        organisation_id=org.id,
        provider_reference="INV-1",
        period_start=day,
        period_end=day,
        source="form",
        submitted_by_id=factory.user().id,
    )
    db_session.add(invoice)
    db_session.flush()
    return invoice


def _period(db_session, row, account=None) -> IsfPeriod:
    account_id = row.account_id if account is None else account.id  # another's, to refuse
    period = IsfPeriod(
        agreement_id=row.id,
        account_id=account_id,
        period_start=date(2026, 4, 6),
        period_end=date(2026, 5, 3),
    )
    db_session.add(period)
    db_session.flush()
    return period


def _line(invoice, row, account, period=None, **values) -> IsfInvoiceLine:
    values = {"service_type": "day", "rate_pence": 2250, "amount_pence": 2250} | values
    return IsfInvoiceLine(
        invoice_id=invoice.id,
        agreement_id=row.id,
        period_id=(period or _period(object_session(invoice), row)).id,
        account_id=account.id,
        hours_hundredths=100,
        **values,
    )


def test_the_database_refuses_a_held_line_without_its_reason(factory, db_session):
    org = provider(factory)
    account, budget, line = funded_account(factory, org)
    row, _version = agreement(factory, account, org, budget, line)
    invoice = _invoice(factory, db_session, org, account.start_date)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(_line(invoice, row, account, state="held"))
        db_session.flush()


def test_the_database_refuses_a_line_whose_account_is_not_its_agreements(factory, db_session):
    """A line's period, agreement and account are one key to the period (migration 0033),
    and the period's agreement and account one key to the agreement (0032's for lines)."""
    org = provider(factory)
    account, budget, line = funded_account(factory, org)
    row, _version = agreement(factory, account, org, budget, line)
    someone_else, *_ = funded_account(factory, org)
    invoice = _invoice(factory, db_session, org, account.start_date)
    period = _period(db_session, row)
    db_session.add(_line(invoice, row, account, period, state="accepted"))
    db_session.flush()  # the agreement's own account: written
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(_line(invoice, row, someone_else, period, state="accepted"))
        db_session.flush()


def test_the_database_refuses_a_line_whose_period_is_another_agreements(factory, db_session):
    org = provider(factory)
    account, budget, line = funded_account(factory, org)
    row, _version = agreement(factory, account, org, budget, line)
    other_account, other_budget, other_line = funded_account(factory, org)
    other, _other_version = agreement(factory, other_account, org, other_budget, other_line)
    invoice = _invoice(factory, db_session, org, account.start_date)
    theirs = _period(db_session, other)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(_line(invoice, row, account, theirs, state="accepted"))
        db_session.flush()


def test_the_database_refuses_a_period_whose_account_is_not_its_agreements(factory, db_session):
    org = provider(factory)
    account, budget, line = funded_account(factory, org)
    row, _version = agreement(factory, account, org, budget, line)
    someone_else, *_ = funded_account(factory, org)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        _period(db_session, row, someone_else)
