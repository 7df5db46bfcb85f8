"""What a return is reconciled against, read in two round trips: the account's plan versions
(budgets joined to their lines) and the council's figures for the period (the last accepted
closing balance before it and the payments in it)."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date
from decimal import Decimal

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.monitoring.drafts import council_figures
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.monitoring.periods import ReturnPeriod
from dp_portal.payments import services
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.plans import load_plans, plans_of
from dp_portal.payments.rates import RateKind

PERIOD = ReturnPeriod(date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 28))


def _return(account, end: date, status: str, closing: int, version: int = 1) -> None:
    start = end.replace(day=1, month=end.month - 2)
    db.session.add(
        MonitoringReturn(
            account_id=account.id,
            period_start=start,
            period_end=end,
            due_date=end,
            version=version,
            status=status,
            closing_pence=closing,
        )
    )


def _paid(account, day: date, pence: int, kind: str = "regular") -> None:
    db.session.add(
        Payment(
            account_id=account.id,
            period_index=day.toordinal(),  # one payment a period
            period_start=day,
            period_end=day,
            payee_type="person",
            kind=kind,
            amount_pence=pence,
            pay_date=day,
            breakdown_json="{}",
        )
    )


def test_the_latest_accepted_closing_before_the_period_and_only_its_payments(app_ctx, factory):
    account, other = factory.account(), factory.account()
    _return(account, date(2026, 3, 31), "accepted", 10_000)
    _return(account, date(2026, 6, 30), "accepted", 25_050)  # the latest accepted before
    _return(account, date(2026, 9, 30), "accepted", 99_999)  # the period itself: not before
    _return(other, date(2026, 6, 30), "accepted", 77_700)  # someone else's
    _paid(account, date(2026, 6, 30), 1_000)  # the day before the period
    _paid(account, date(2026, 8, 3), 50_000, "arrears")
    _paid(account, date(2026, 7, 1), 40_000)  # the first day, listed first
    _paid(account, date(2026, 9, 30), 40_001)  # the last day
    _paid(account, date(2026, 10, 1), 9_999)  # the day after
    _paid(other, date(2026, 8, 1), 5_555)
    db.session.flush()

    opening, paid = council_figures(account.id, PERIOD)

    assert opening == Decimal("250.50")
    assert paid == [
        ("payment on 01 July 2026", Decimal("400.00")),
        ("arrears on 03 August 2026", Decimal("500.00")),
        ("payment on 30 September 2026", Decimal("400.01")),
    ]


def test_no_payments_in_the_period_still_gives_the_opening_balance(app_ctx, factory):
    account = factory.account()
    _return(account, date(2026, 6, 30), "accepted", 12_345)
    _return(
        account, date(2026, 6, 30), "submitted", 1, version=2
    )  # sent, not accepted: not counted
    db.session.flush()
    assert council_figures(account.id, PERIOD) == (Decimal("123.45"), [])
    assert council_figures(factory.account().id, PERIOD) == (None, [])


def test_one_accounts_plans_are_those_the_whole_council_loads(app_ctx, factory):
    leader, approver = factory.user(Role.TEAM_LEADER), factory.user(Role.TEAM_LEADER)
    services.add_rate_row(
        RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=leader
    )
    account = factory.account()
    care = LineSpec(LineKind.PA_HOURS, "Personal care", hours=Decimal("12.5"))
    respite = LineSpec(LineKind.PA_HOURS, "Evenings", hours=Decimal("3"))
    # A council reads each line as one JSON text made by the database (plans._line_text):
    # quotes, a backslash and letters beyond ASCII come back exactly.
    breaks = LineSpec(
        LineKind.FIXED_ANNUAL, 'Short breaks: "Taigh" \\ Mòrag\u2019s', amount=Decimal("520.00")
    )
    for start, lines, weekly in [
        (date(2026, 4, 6), [care], "10.00"),
        (date(2026, 10, 5), [care, respite, breaks], "20.00"),
    ]:
        budget = services.propose_budget(
            account,
            effective_from=start,
            lines=lines,
            weekly_contribution=Decimal(weekly),
            contribution_basis="net",
            reason="Review",
            actor=leader,
        )
        services.decide_budget(
            budget, approve=True, note="", actor=approver, ceiling=Decimal("1500")
        )

    def seen(plans):  # lines and terms are interned (equal by identity): compare fields
        return [
            (
                v.effective_from,
                [astuple(x) for x in v.terms.lines],
                v.terms.contribution,
                v.terms.basis,
            )
            for v in plans
        ]

    assert seen(plans_of(account.id)) == seen(load_plans({account.id})[account.id])
    assert seen(plans_of(account.id)) == [
        (date(2026, 4, 6), [astuple(care)], Decimal("10.00"), "net"),
        (
            date(2026, 10, 5),
            [astuple(care), astuple(respite), astuple(breaks)],
            Decimal("20.00"),
            "net",
        ),
    ]
    assert plans_of(factory.account().id) == ()
