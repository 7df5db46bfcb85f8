"""Each role's home page says what needs doing: every figure is right, and links to a list
that shows exactly the rows it counted."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from dp_portal.accounts.models import BankDetailsChange
from dp_portal.auth.models import Role
from dp_portal.core.letters import Letter, LetterRecipient, letter_row
from dp_portal.core.types import local_today, utcnow
from dp_portal.employers.models import CostRate
from dp_portal.employers.services import _admin_tasks
from dp_portal.extensions import db
from dp_portal.monitoring.models import EscalationTask, MonitoringReturn
from dp_portal.payments.home import _rate_task
from dp_portal.payments.ledger_models import Payment, Recovery
from dp_portal.payments.models import Budget
from dp_portal.payments.rate_models import RateRow
from dp_portal.payments.run_models import PaymentRun

from ..conftest import sign_in_as
from ..factories import UPLIFT_CONTEXT

_TASK = re.compile(
    r'<a class="govuk-link govuk-task-list__link" href="([^"]+)" '
    r'aria-describedby="([^"]+)">([^<]+)</a>.*?<div class="govuk-task-list__status" id="\2">'
    r"\s*(.*?)\s*</div>",
    re.S,
)


def tasks_on(page: str) -> dict[str, tuple[int, str]]:
    """Each task on a home page: its label -> (the figure shown, the link behind it)."""
    found = {}
    for href, _, label, status in _TASK.findall(page):
        figure = re.sub(r"<[^>]+>", "", status).strip().replace(",", "")
        found[html.unescape(label)] = (0 if figure == "None" else int(figure), html.unescape(href))
    return found


def rows_linking(client, href: str, pattern: str) -> int:
    """How many distinct rows of the list at `href` link to something matching `pattern`."""
    page = client.get(href)
    assert page.status_code == 200, href
    return len(set(re.findall(pattern, page.get_data(as_text=True))))


def _run(db_session, index: int, built_by, status="built") -> PaymentRun:
    start = date(2026, 4, 6) + timedelta(weeks=4 * index)
    run = PaymentRun(
        period_index=index,
        period_start=start,
        period_end=start + timedelta(days=27),
        pay_date=start - timedelta(days=3),
        status=status,
        built_by_id=built_by.id,
    )
    db_session.add(run)
    return run


def _return(db_session, account, days_ago: int, *, flags="[]", status="submitted", start=None):
    start = start or date(2026, 4, 6)
    row = MonitoringReturn(
        account_id=account.id,
        period_start=start,
        period_end=date(2026, 6, 30) if start == date(2026, 4, 6) else start + timedelta(89),
        due_date=date(2026, 7, 28),
        status=status,
        flags_json=flags,
        submitted_at=utcnow() - timedelta(days=days_ago),
    )
    db_session.add(row)
    return row


def _letters(db_session, account, count: int, **kw) -> None:
    to = LetterRecipient("A", [], "standard")
    rows = [
        letter_row(account_id=account.id, kind="uplift", subject="S", to=to, context=UPLIFT_CONTEXT)
        | kw
        for _ in range(count)
    ]
    db_session.execute(insert(Letter), rows)


@pytest.fixture
def finance_world(factory, db_session):
    me, other = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    _run(db_session, 0, other)
    _run(db_session, 1, other)
    _run(db_session, 2, me)
    _run(db_session, 3, other, status="committed")
    accounts = [factory.account() for _ in range(4)]
    _return(db_session, accounts[0], 3)
    _return(db_session, accounts[1], 20, flags='[{"code": "x", "text": "y"}]')
    _return(db_session, accounts[2], 40)
    _return(db_session, accounts[3], 50, status="queried")
    for account, status in ((accounts[0], "open"), (accounts[1], "closed")):
        db_session.add(
            EscalationTask(
                account_id=account.id,
                period_start=date(2026, 4, 6),
                period_end=date(2026, 6, 30),
                due_date=date(2026, 7, 28),
                opened_on=local_today(),
                status=status,
            )
        )
    for method, status in (("offset", "open"), ("invoice", "open"), ("invoice", "recovered")):
        db_session.add(
            Recovery(
                account_id=accounts[0].id,
                amount_pence=1000,
                recovered_pence=1000 if status == "recovered" else 0,
                method=method,
                status=status,
                reason="Surplus",
                source="Return",
                created_by_id=other.id,
            )
        )
    db_session.add(
        BankDetailsChange(
            account_id=accounts[0].id,
            payee_name="NEW PAYEE",
            sort_code="089999",
            account_number="66374958",
            bank_check="not_checked",
            correspondent_json='{"name": "A", "address_lines": [], "letter_format": "standard"}',
            reason="New account",
            requested_by_id=other.id,
        )
    )
    _letters(db_session, accounts[0], 2, email_status="failed", email_to="a@example.org")
    _letters(db_session, accounts[0], 1, email_status="sent", email_to="a@example.org")
    db_session.flush()
    return me


def test_a_finance_officers_home_counts_what_waits_and_links_to_exactly_those(
    client, finance_world
):
    sign_in_as(client, finance_world)
    tasks = tasks_on(client.get("/").get_data(as_text=True))
    expected = {
        "Payment runs waiting for your approval": (2, r'href="/payment-runs/(\d+)"'),
        "Payment runs you built, waiting for another officer": (1, r'href="/payment-runs/(\d+)"'),
        "Approved payment runs to commit": (0, r'href="/payment-runs/(\d+)"'),
        "Returns waiting for review": (3, r'href="/returns/(\d+)"'),
        "Returns waiting for review more than 2 weeks": (2, r'href="/returns/(\d+)"'),
        "Returns waiting for review more than 4 weeks": (1, r'href="/returns/(\d+)"'),
        "Returns with flags waiting for review": (1, r'href="/returns/(\d+)"'),
        "Escalations waiting for your decision": (1, r'href="/escalations/(\d+)"'),
        "Recoveries being taken from payments": (1, r"<td class=\"govuk-table__cell\">(Taken)"),
        "Recovery invoices not yet paid": (1, r"<td class=\"govuk-table__cell\">(Invoiced)"),
        "Letters whose email did not arrive": (2, r'action="/letters/(\d+)/email-again"'),
        "Bank details changes waiting for a second officer": (
            1,
            r'href="/bank-details-changes/(\d+)"',
        ),
    }
    for label, (count, pattern) in expected.items():
        shown, href = tasks[label]
        assert shown == count, label
        assert rows_linking(client, href, pattern) == count, (label, href)


def test_the_waiting_runs_filter_shows_only_runs_built_by_others(client, finance_world):
    sign_in_as(client, finance_world)
    everything = rows_linking(client, "/payment-runs", r'href="/payment-runs/(\d+)"')
    assert everything == 4
    assert rows_linking(client, "/payment-runs?waiting=others", r'href="/payment-runs/(\d+)"') == 2


@pytest.fixture
def budgets_world(factory, db_session):
    leader, officer = factory.user(Role.TEAM_LEADER), factory.user(Role.FINANCE_OFFICER)
    small, large, big_now, new = (factory.account() for _ in range(4))

    def budget(account, version, weekly, status, start=date(2026, 4, 6)):
        db_session.add(
            Budget(
                account_id=account.id,
                version=version,
                effective_from=start,
                status=status,
                weekly_at_proposal_pence=weekly,
                proposed_by_id=officer.id,
            )
        )

    budget(small, 1, 50000, "approved")
    budget(small, 2, 62050, "proposed", date(2026, 12, 7))
    budget(large, 1, 100000, "approved")
    budget(large, 2, 180000, "proposed", date(2026, 12, 7))  # above the leader's limit
    budget(big_now, 1, 90000, "approved")
    budget(big_now, 2, 200000, "approved", date(2026, 10, 5))  # in force, over the limit
    budget(new, 1, 160000, "approved", date(2027, 4, 5))  # over, but not in force yet
    db_session.flush()
    return leader, small, big_now


def test_a_team_leaders_home_sets_old_and_new_budgets_side_by_side(client, budgets_world):
    leader, small, big_now = budgets_world
    sign_in_as(client, leader)
    page = client.get("/").get_data(as_text=True)
    tasks = tasks_on(page)
    assert tasks["Budgets waiting for your approval"][0] == 1  # not the one over the limit
    table = page[page.index('id="budgets-to-decide"') :]
    table = table[: table.index("</table>")]
    assert small.reference in table
    assert re.search(r"£500\.00</td>\s*<td[^>]*>£620\.50</td>", table)  # each week
    assert re.search(r"£26,000\.00</td>\s*<td[^>]*>£32,266\.00</td>", table)  # each year
    shown, href = tasks["Budgets waiting for your approval"]
    assert href == "/budgets?yours=1"
    assert rows_linking(client, href, r'href="/budgets/(\d+)"') == 1
    assert rows_linking(client, "/budgets", r'href="/budgets/(\d+)"') == 2
    shown, href = tasks["Accounts with a budget over the team leader limit"]
    assert shown == 1
    listed = client.get(href).get_data(as_text=True)
    assert (
        big_now.reference in listed and rows_linking(client, href, r"/accounts/(\d+)/budget") == 1
    )


def test_an_administrators_home_lists_locked_users_and_the_filter_shows_them(client, factory):
    admin = factory.user(Role.ADMIN)
    locked = factory.user(Role.RECIPIENT, locked_until=utcnow() + timedelta(minutes=10))
    factory.user(Role.RECIPIENT, locked_until=utcnow() - timedelta(minutes=10))  # lock ran out
    sign_in_as(client, admin)
    shown, href = tasks_on(client.get("/").get_data(as_text=True))[
        "Users locked out after wrong passwords"
    ]
    assert shown == 1
    assert rows_linking(client, href, r'href="/admin/users/(\d+)"') == 1
    assert f"/admin/users/{locked.id}" in client.get(href).get_data(as_text=True)


def test_a_persons_home_shows_the_next_payment_returns_that_need_them_and_new_letters(
    client, factory, db_session
):
    user = factory.user(Role.RECIPIENT)
    account = factory.account()
    factory.access(user, account)
    today = local_today()
    for days, pence in ((-25, 40000), (3, 41234), (31, 41234)):
        db_session.add(
            Payment(
                account_id=account.id,
                period_index=days,
                period_start=today + timedelta(days),
                period_end=today + timedelta(days + 27),
                payee_type="person",
                amount_pence=pence,
                pay_date=today + timedelta(days),
                breakdown_json='{"segments": [], "arrears": []}',
            )
        )
    queried = _return(db_session, account, 60, status="queried")
    user.previous_sign_in_at = utcnow() - timedelta(days=2)
    _letters(db_session, account, 1, created_at=utcnow() - timedelta(days=5))
    _letters(db_session, account, 2, created_at=utcnow() - timedelta(hours=1))
    db_session.flush()
    sign_in_as(client, user)
    page = client.get("/").get_data(as_text=True)
    due_on = f"{(today + timedelta(3)).day} {(today + timedelta(3)):%B %Y}"
    assert f"£412.34, due to be paid on {due_on}" in page
    assert f'href="/accounts/{account.id}/payments"' in page
    # Where the balance is heading, with a link to the working.
    assert "By the end of the year" in page
    assert f'href="/accounts/{account.id}/forecast"' in page
    answer = f'href="/accounts/{account.id}/returns/{queried.period_start.isoformat()}"'
    assert re.search(answer + r' role="button"[^>]*>Answer the question', page)
    # The quarter July to September was never sent: late, with its own button.
    late = f'href="/accounts/{account.id}/returns/2026-07-01" role="button"'
    assert late in page
    letters = re.search(r"New letters since your last visit</dt>\s*<dd[^>]*>(\d+)<", page)
    assert letters and letters.group(1) == "2"


def test_a_pa_employer_sees_the_checklist_items_still_to_do(client, factory, db_session):
    from dp_portal.employers.models import ChecklistTick

    user = factory.user(Role.RECIPIENT)
    account = factory.account()
    factory.access(user, account)
    sign_in_as(client, user)
    assert "Employer checklist items to do" not in client.get("/").get_data(as_text=True)
    db_session.add(
        ChecklistTick(
            account_id=account.id,
            item_key="contract",
            done_on=local_today(),
            note="",
            recorded_by_id=user.id,
        )
    )
    db_session.flush()
    page = client.get("/").get_data(as_text=True)
    shown = re.search(r"Employer checklist items to do</dt>\s*<dd[^>]*>(\d+)", page)
    assert shown and shown.group(1) == "7"
    assert f'href="/accounts/{account.id}/employer-checklist"' in page


def test_signing_in_keeps_when_the_person_last_visited(client, factory, db_session):
    from tests.factories import PASSWORD

    user = factory.user(Role.RECIPIENT)
    before = utcnow() - timedelta(days=3)
    user.last_sign_in_at = before
    db_session.flush()
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    db_session.refresh(user)
    assert user.previous_sign_in_at == before
    assert user.last_sign_in_at > before


def test_administrators_are_asked_for_next_aprils_figures_when_they_are_near(app_ctx):

    def cost_figures(today):
        return next(t for t in _admin_tasks(today) if t.endpoint == "employers.cost_rates")

    assert _rate_task(date(2026, 12, 3)).count == 0  # 1 April is four months off
    assert _rate_task(date(2027, 1, 15)).count == 1
    assert cost_figures(date(2027, 1, 15)).count == 1  # 6 April is 81 days off
    db.session.add(
        RateRow(
            kind="living_wage",
            effective_from=date(2027, 4, 1),
            value=1300,
            source_note="x",
        )
    )
    db.session.add(
        CostRate(
            kind="ni_rate",
            effective_from=date(2027, 4, 6),
            value=1500,
            source_note="x",
        )
    )
    db.session.flush()
    assert _rate_task(date(2027, 1, 15)).count == 0
    assert cost_figures(date(2027, 1, 15)).count == 0


def test_with_nothing_due_the_home_shows_the_last_payment_as_paid(client, factory, db_session):
    user = factory.user(Role.RECIPIENT)
    account = factory.account()
    factory.access(user, account)
    today = local_today()
    for days, pence in ((-53, 39000), (-25, 40000), (-25, 1234)):  # the last: arrears, same day
        db_session.add(
            Payment(
                account_id=account.id,
                period_index=days,
                kind="arrears" if pence == 1234 else "regular",
                period_start=today + timedelta(days),
                period_end=today + timedelta(days + 27),
                payee_type="person",
                amount_pence=pence,
                pay_date=today + timedelta(days),
                breakdown_json='{"segments": [], "arrears": []}',
            )
        )
    db_session.flush()
    sign_in_as(client, user)
    page = client.get("/").get_data(as_text=True)
    paid_on = today - timedelta(25)
    assert re.search(r"Last payment</dt>\s*<dd[^>]*>£412\.34, paid on", page)
    assert f"paid on {paid_on.day} {paid_on:%B %Y}" in page
