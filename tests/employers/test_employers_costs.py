"""The PA cost calculator through its URL: the published rates on file (migration 0011), a
bookmarkable GET form, JSON for programs, plain messages for bad input, and a signed-in
recipient's budget beside the cost."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from dp_portal.auth.models import Role
from dp_portal.employers.pa_costs import MINUS as M
from dp_portal.employers.pa_costs import TIMES as X
from dp_portal.extensions import db
from dp_portal.payments import services as payments
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.rate_models import RateRow
from dp_portal.payments.rates import RateKind

from ..conftest import sign_in_as

JSON = {"Accept": "application/json"}
URL = "/employers/calculator"


def calc(client, json=True, **params):
    query = "&".join(
        f"{key}={v}"
        for key, value in params.items()
        for v in (value if isinstance(value, list) else [value])
    )
    return client.get(f"{URL}?{query}", headers=JSON if json else {})


# facts/rates.md: 20 hours at each year's Scottish minimum.
WORKED = [
    ("2024-06-01", "12.00", "no", "2024/25", "12.97", "286.41", "14.32"),
    ("2024-06-01", "12.00", "yes", "2024/25", "0.00", "273.44", "13.67"),
    ("2025-06-01", "12.60", "no", "2025/26", "27.96", "315.25", "15.76"),
    ("2025-06-01", "12.60", "yes", "2025/26", "0.00", "287.29", "14.36"),
    ("2026-06-01", "13.45", "no", "2026/27", "30.82", "337.73", "16.89"),
    ("2026-06-01", "13.45", "yes", "2026/27", "0.00", "306.91", "15.35"),
]


@pytest.mark.parametrize("row", WORKED, ids=lambda r: f"{r[3]}-allowance-{r[2]}")
def test_json_gives_the_worked_examples_to_the_penny(client, row):
    on, wage, allowance, year, ni, total, hourly = row
    response = calc(
        client, hours_per_week=20, hourly_wage=wage, on=on, employment_allowance=allowance
    )
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {
        "wages",
        "holiday_pay",
        "gross_pay",
        "employer_ni",
        "employer_pension",
        "total_weekly",
        "hourly",
        "total_yearly",
        "tax_year",
    }
    assert body["tax_year"] == year
    assert body["employer_ni"] == ni
    assert body["total_weekly"] == total
    assert body["hourly"] == hourly
    assert body["total_yearly"] == str(Decimal(total) * 52)
    assert all(isinstance(v, str) for v in body.values())


def test_the_last_and_first_day_of_a_tax_year_use_different_rates(client):
    """5 April 2025 is still 2024/25 (13.8% above £175); 6 April is 2025/26 (15% above £96).
    On 5 April: 20 x 12.60 = 252.00; holiday 30.42; gross 282.42; (282.42 - 175) x 13.8% =
    14.82396 -> 14.82; pension 4.87; total 302.11; 302.11 / 20 = 15.1055 -> 15.11."""
    last = calc(
        client, hours_per_week=20, hourly_wage="12.60", on="2025-04-05", employment_allowance="no"
    ).get_json()
    first = calc(
        client, hours_per_week=20, hourly_wage="12.60", on="2025-04-06", employment_allowance="no"
    ).get_json()
    assert (last["tax_year"], last["employer_ni"], last["total_weekly"], last["hourly"]) == (
        "2024/25",
        "14.82",
        "302.11",
        "15.11",
    )
    assert (first["tax_year"], first["employer_ni"], first["total_weekly"]) == (
        "2025/26",
        "27.96",
        "315.25",
    )


BAD = [
    ({"hourly_wage": "12.60"}, "hours_per_week", "Enter the hours a week"),
    ({"hours_per_week": "-5", "hourly_wage": "12.60"}, "hours_per_week", "more than 0"),
    ({"hours_per_week": "169", "hourly_wage": "12.60"}, "hours_per_week", "168 hours"),
    ({"hours_per_week": "lots", "hourly_wage": "12.60"}, "hours_per_week", "as a number"),
    ({"hours_per_week": "20", "hourly_wage": "12.605"}, "hourly_wage", "2 decimal places"),
    ({"hours_per_week": "20", "hourly_wage": "0"}, "hourly_wage", "more than £0"),
    ({"hours_per_week": "20", "hourly_wage": "12.60", "on": "2024-04-05"}, "on", "6 April 2024"),
    ({"hours_per_week": "20", "hourly_wage": "12.60", "on": "2027-04-06"}, "on", "5 April 2027"),
    ({"hours_per_week": "20", "hourly_wage": "12.60", "on": "2025-02-30"}, "on", "real date"),
    ({"weeks_per_year": "60"}, "weeks_per_year", "1 to"),
]  # fmt: skip


@pytest.mark.parametrize("params,field,words", BAD, ids=[b[1] + "-" + b[2] for b in BAD])
def test_bad_input_is_named_in_json_and_on_the_page(client, params, field, words):
    params = {"on": "2025-06-01", "employment_allowance": "no", **params}
    response = calc(client, **params)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    messages = [e["message"] for e in errors if e["field"] == field]
    assert messages and words in messages[0], errors

    page = calc(client, json=False, **params)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "There is a problem" in html
    assert messages[0].replace("'", "&#39;") in html
    assert "The cost for the" not in html  # no result beside the errors


def test_a_missing_allowance_answer_is_asked_for(client):
    response = calc(client, hours_per_week=20, hourly_wage="12.60", on="2025-06-01")
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {
            "field": "employment_allowance",
            "message": "Choose whether you claim the Employment Allowance",
        }
    ]


def test_the_empty_form_shows_no_errors(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" not in html
    assert 'name="hours_per_week"' in html


def test_the_result_page_shows_every_figure_with_its_working(client):
    response = calc(
        client,
        json=False,
        hours_per_week=20,
        hourly_wage="12.00",
        on="2024-06-01",
        employment_allowance="no",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for working in (
        f"20 hours {X} 12.00 = 240.00",
        f"240.00 {X} 12.07% = 28.97",
        f"(268.97 {M} 175) {X} 13.8% = 12.97",
        f"(268.97 {M} 120) {X} 3% = 4.47",
        "286.41 ÷ 20 hours = 14.32",
    ):
        assert working in html
    assert "£286.41 a week" in html
    assert "£14,893.32 a year" in html


def test_add_another_pa_shows_one_more_row_without_working_anything_out(client):
    response = calc(
        client,
        json=False,
        hours_per_week=20,
        hourly_wage="12.60",
        on="2025-06-01",
        employment_allowance="no",
        add="pa",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="hours_per_week-2"' in html
    assert "There is a problem" not in html
    assert "The cost for the" not in html


def test_remove_a_pa(client):
    response = calc(
        client,
        json=False,
        hours_per_week=["20", "10"],
        hourly_wage=["12.60", "13.00"],
        on="2025-06-01",
        employment_allowance="no",
        remove="1",
    )
    html = response.get_data(as_text=True)
    assert 'id="hours_per_week-2"' not in html
    assert re.search(r'id="hourly_wage-1"[^>]*value="13.00"', html)


def test_several_pas_each_have_their_own_thresholds(client):
    """20 h at 12.60 (NI 27.96, pension 4.87) and 10 h at 13.75 (gross 154.10: NI 8.71 on
    an exact half penny, rounded down; under the pension trigger)."""
    body = calc(
        client,
        hours_per_week=["20", "10"],
        hourly_wage=["12.60", "13.75"],
        on="2025-06-01",
        employment_allowance="no",
    ).get_json()
    assert [pa["employer_ni_before_allowance"] for pa in body["pas"]] == ["27.96", "8.71"]
    assert [pa["employer_pension"] for pa in body["pas"]] == ["4.87", "0.00"]
    assert body["employer_ni"] == "36.67"
    assert body["total_weekly"] == "478.06"  # 315.25 + 162.81
    assert body["hourly"] == "15.94"  # 478.06 / 30 = 15.935 -> 15.94


def test_errors_for_a_second_pa_name_it(client):
    body = calc(
        client,
        hours_per_week=["20", ""],
        hourly_wage=["12.60", "12.60"],
        on="2025-06-01",
        employment_allowance="no",
    ).get_json()
    assert body["errors"] == [
        {"field": "hours_per_week", "message": "PA 2: Enter the hours a week"}
    ]


def _minimum(db_session, start, pence):
    db_session.add(RateRow(kind="living_wage", effective_from=start, value=pence, source_note="t"))
    db_session.flush()


def test_it_says_whether_the_wage_meets_the_scottish_minimum_in_force(client, db_session):
    _minimum(db_session, date(2025, 4, 1), 1260)
    below = calc(
        client,
        json=False,
        hours_per_week=20,
        hourly_wage="12.00",
        on="2025-06-01",
        employment_allowance="no",
    ).get_data(as_text=True)
    assert "is below the Scottish minimum for adult social care of £12.60 an hour" in below
    meets = calc(
        client,
        json=False,
        hours_per_week=20,
        hourly_wage="12.60",
        on="2025-06-01",
        employment_allowance="no",
    ).get_data(as_text=True)
    assert "meets the Scottish minimum for adult social care of £12.60 an hour" in meets
    # Before the 2025 rate took effect, there was none on file here: it says so.
    earlier = calc(
        client,
        json=False,
        hours_per_week=20,
        hourly_wage="12.00",
        on="2025-03-01",
        employment_allowance="no",
    ).get_data(as_text=True)
    assert "We do not have the Scottish minimum" in earlier


def _budget(factory, account, hours):
    """Rates from April 2025 and an approved budget of `hours` PA hours (call inside an app
    context: the payments services work in db.session)."""
    account = db.session.merge(account)
    admin = factory.user(Role.ADMIN)
    for kind, value in (
        (RateKind.LIVING_WAGE, "12.60"),
        (RateKind.HOLIDAY, "12.07"),
        (RateKind.PENSION, "3"),
    ):
        payments.add_rate_row(kind, date(2025, 4, 1), Decimal(value), "test", actor=admin)
    budget = payments.propose_budget(
        account,
        effective_from=date(2025, 4, 6),
        lines=[LineSpec(LineKind.PA_HOURS, "PA support", hours=Decimal(hours))],
        weekly_contribution=Decimal("0"),
        contribution_basis="net",
        reason="Assessment",
        actor=factory.user(Role.FINANCE_OFFICER),
    )
    payments.decide_budget(
        budget, approve=True, note="", actor=factory.user(Role.TEAM_LEADER), ceiling=Decimal(5000)
    )
    db.session.commit()  # a savepoint: the test's transaction is rolled back at the end


def test_a_signed_in_recipient_sees_their_budget_beside_the_cost(app, client, factory, db_session):
    """Budget: 20 hours x (12.60 + 1.52 holiday + 0.42 pension) = 290.80 a week. The cost with
    the allowance is 287.29: covered, 3.51 a week (182.52 a year) to spare; without it 315.25:
    24.45 a week (1,271.40 a year) short."""
    user = factory.user(Role.RECIPIENT)
    account = factory.account(start_date=date(2025, 4, 6))
    factory.access(user, account)
    with app.app_context():
        _budget(factory, account, "20")
    sign_in_as(client, user)
    params = dict(json=False, hours_per_week=20, hourly_wage="12.60", on="2025-06-01")
    covered = calc(client, employment_allowance="yes", **params).get_data(as_text=True)
    assert "Your budget covers this cost, with £3.51 a week (£182.52 a year) to spare" in covered
    assert f"/accounts/{account.id}/employer-checklist" in covered
    short = calc(client, employment_allowance="no", **params).get_data(as_text=True)
    assert "It is £24.45 a week (£1,271.40 a year) short" in short


def test_nobody_elses_budget_is_shown(client, factory):
    other = factory.account()
    html = calc(
        client,
        json=False,
        hours_per_week=20,
        hourly_wage="12.60",
        on="2025-06-01",
        employment_allowance="no",
    ).get_data(as_text=True)
    assert "Your budget" not in html
    assert other.reference not in html


def test_insurance_and_payroll_are_shared_over_the_weeks(client):
    """150.00 / 52 = 2.8846 -> 2.88 and 132.00 / 52 = 2.538 -> 2.54 a week: 315.25 + 2.88 +
    2.54 = 320.67 a week; a year 16,393.00 + 150.00 + 132.00 = 16,675.00 (the amounts as
    entered); 320.67 / 20 = 16.0335 -> 16.03 an hour."""
    params = dict(hours_per_week=20, hourly_wage="12.60", on="2025-06-01")
    params |= dict(employment_allowance="no", insurance_per_year="150", payroll_per_year="132")
    body = calc(client, **params).get_json()
    assert (body["total_weekly"], body["total_yearly"], body["hourly"]) == (
        "320.67",
        "16675.00",
        "16.03",
    )
    html = calc(client, json=False, **params).get_data(as_text=True)
    assert "150.00 insurance a year ÷ 52 weeks = 2.88" in html
