import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp_portal.core.calendar import Period
from dp_portal.core.money import round_money
from dp_portal.payments.bankfile import (
    Originator,
    Transfer,
    bacs_column,
    bacs_text,
    csv_file,
    standard18_file,
)
from dp_portal.payments.budgets import LineKind, LineSpec, price_lines, weekly_total
from dp_portal.payments.rates import RateBook, RateInputs, RateKind, pa_hourly_rate, uplifted
from dp_portal.payments.schedule import Weekly, period_amount

D = Decimal


def test_pa_rate_lines_are_rounded_from_the_lines_above_and_add_up():
    breakdown = pa_hourly_rate(
        RateInputs(
            wage=D("12.60"),
            holiday_pct=D("12.07"),
            pension_pct=D("3"),
            ni_pct=D("0"),
            insurance=D("0.10"),
            payroll=D("0.15"),
        ),
        date(2025, 4, 1),
    )
    amounts = {line.label: line.amount for line in breakdown.lines}
    assert amounts["Hourly pay"] == D("12.60")
    assert amounts["Holiday pay"] == D("1.52")  # 12.60 x 12.07% = 1.52082
    assert amounts["Employer pension"] == D("0.42")  # 14.12 x 3% = 0.4236
    assert amounts["Employer National Insurance"] == D("0.00")
    assert breakdown.total == D("14.79")
    assert breakdown.total == sum(amounts.values())
    assert "= £14.79 an hour" in breakdown.sentence()


@given(
    st.decimals(min_value=D("5"), max_value=D("40"), places=2),
    st.decimals(min_value=D("0"), max_value=D("20"), places=2),
    st.decimals(min_value=D("0"), max_value=D("15"), places=2),
)
def test_pa_rate_always_adds_up_to_the_penny(wage, holiday, ni):
    breakdown = pa_hourly_rate(
        RateInputs(wage=wage, holiday_pct=holiday, ni_pct=ni), date(2026, 4, 1)
    )
    assert breakdown.total == sum(line.amount for line in breakdown.lines)
    assert all(line.amount == round_money(line.amount) for line in breakdown.lines)


def test_rate_book_takes_the_latest_row_and_the_newest_correction():
    book = RateBook(
        (
            (RateKind.LIVING_WAGE, date(2025, 4, 1), 1, D("12.60")),
            (RateKind.LIVING_WAGE, date(2026, 4, 1), 2, D("13.40")),
            (RateKind.LIVING_WAGE, date(2026, 4, 1), 3, D("13.45")),  # a correction
        )
    )
    assert book.pa_rate_on(date(2024, 1, 1)) is None
    assert book.inputs_on(date(2026, 3, 31)).wage == D("12.60")
    assert book.inputs_on(date(2026, 4, 1)).wage == D("13.45")


def test_budget_lines_are_priced_and_not_rounded():
    lines = [
        LineSpec(LineKind.PA_HOURS, "Personal care", hours=D("20")),
        LineSpec(LineKind.PROVIDER_HOURS, "Day support", hours=D("3.5"), provider_id=7),
        LineSpec(LineKind.FIXED_WEEKLY, "Transport", amount=D("10")),
        LineSpec(LineKind.FIXED_ANNUAL, "Respite", amount=D("1000")),
    ]
    priced = price_lines(
        lines, D("14.79"), lambda org, service: D("21.50") if (org, service) == (7, "day") else None
    )
    assert [p.weekly for p in priced][:3] == [D("295.80"), D("75.250"), D("10")]
    assert priced[3].weekly == D("1000") / 52
    assert weekly_total(priced) == D("295.80") + D("75.25") + D("10") + D("1000") / 52


def test_period_is_prorated_to_the_day_across_an_uplift():
    period = Period(date(2026, 3, 23), date(2026, 4, 19))  # 28 days, 9 before 1 April
    uplift = date(2026, 4, 1)

    def weekly(day):
        return Weekly(D("280") if day < uplift else D("294"), D("7"))

    amount = period_amount(period, weekly, {uplift})
    assert [s.days for s in amount.segments] == [9, 19]
    # 9 days at 280/7 + 19 days at 294/7, less 28 days at 7/7
    assert amount.total == round_money(D(9) * 40 + D(19) * 42 - 28)
    assert amount.total == D("1130.00")


@given(
    st.lists(st.decimals(min_value=D("0"), max_value=D("3000"), places=2), min_size=1, max_size=5),
    st.lists(st.integers(min_value=1, max_value=27), max_size=4),
    st.decimals(min_value=D("0"), max_value=D("100"), places=2),
)
def test_segments_equal_day_by_day_and_round_once(weeklies, offsets, contribution):
    period = Period(date(2026, 5, 4), date(2026, 5, 31))
    changes = sorted({period.start + timedelta(days=o) for o in offsets})
    starts = [period.start, *changes]

    def weekly(day):
        index = sum(1 for s in starts if s <= day) - 1
        return Weekly(weeklies[index % len(weeklies)], contribution)

    amount = period_amount(period, weekly, changes)
    by_day = sum((weekly(d).budget - weekly(d).contribution) / 7 for d in period.each_day())
    assert amount.total == round_money(by_day)
    assert sum(s.days for s in amount.segments) == 28


def _as_json_dumps_writes(amount, arrears):
    """The stored breakdown, as json.dumps would write it from the figures."""
    return json.dumps(
        {
            "period": [amount.period.start.isoformat(), amount.period.end.isoformat()],
            "segments": [
                {
                    "from": s.start.isoformat(),
                    "to": s.end.isoformat(),
                    "days": s.days,
                    "weekly_budget": str(s.weekly.budget),
                    "weekly_contribution": str(s.weekly.contribution),
                    "lines": [[label, str(value)] for label, value in s.weekly.lines],
                }
                for s in amount.segments
            ],
            "budget": str(amount.budget),
            "contribution": str(amount.contribution),
            "invoiced": str(amount.invoiced),
            "offsets": [[label, str(value)] for label, value in amount.offsets],
            "total": str(amount.total),
            "arrears": arrears,
        },
        separators=(",", ":"),
    )


@given(
    st.lists(st.decimals(min_value=D("0"), max_value=D("3000"), places=4), min_size=1, max_size=3),
    st.lists(st.text(max_size=30), min_size=1, max_size=3),
    st.lists(st.integers(min_value=1, max_value=27), max_size=3),
    st.lists(st.decimals(min_value=D("0.01"), max_value=D("500"), places=2), max_size=2),
)
def test_the_stored_breakdown_is_what_json_would_write(weeklies, labels, cuts, offsets):
    """Labels with quotes, back-slashes or any other characters, long decimals (1000 / 52),
    several pieces, offsets and arrears: the text is exactly json.dumps's."""
    period = Period(date(2026, 5, 4), date(2026, 5, 31))
    changes = sorted({period.start + timedelta(days=c) for c in cuts})

    def weekly(day):
        budget = weeklies[day.day % len(weeklies)] / 52 * 52 if day.day % 2 else weeklies[0]
        lines = tuple((label, budget / len(labels)) for label in labels)
        return Weekly(budget, D("7.25"), lines, D("0"))

    amount = period_amount(
        period, weekly, changes, tuple((f"Recovery {i}", o) for i, o in enumerate(offsets))
    )
    arrears = [{"period_index": 3, "from": "2026-04-06", "due_pence": -150}]
    assert amount.breakdown_json == _as_json_dumps_writes(amount, [])
    with_arrears = amount.breakdown_json_with(json.dumps(arrears, separators=(",", ":")))
    assert with_arrears == _as_json_dumps_writes(amount, arrears)
    assert json.loads(with_arrears)["total"] == str(amount.total)


def test_provider_rates_rise_by_the_living_wage_percentage():
    assert uplifted(D("21.50"), D("12.60"), D("13.45")) == round_money(
        D("21.50") * D("13.45") / D("12.60")
    )


def test_standard18_file_has_one_100_character_record_per_credit():
    text = standard18_file(
        [
            Transfer("089999", "66374958", "Mrs A Robertson-Smith", 123456, "DP000001 06APR26"),
            Transfer("309634", "00012345", "J O'Neil", 1, "DP000002 06APR26"),
        ],
        Originator("309634", "12345678", "Glenarden Council"),
    )
    assert text.endswith("\r\n")
    record, second = text.split("\r\n")[:2]
    assert len(record) == 100 and len(second) == 100
    assert record[0:6] == "089999" and record[6:14] == "66374958"
    assert record[14] == "0" and record[15:17] == "99"
    assert record[17:23] == "309634" and record[23:31] == "12345678"
    assert record[35:46] == "00000123456"
    assert record[46:64] == "GLENARDEN COUNCIL "
    assert record[64:82] == "DP000001 06APR26  "
    assert record[82:100] == "MRS A ROBERTSON-SM"
    assert second[35:46] == "00000000001" and second[82:100] == "J O NEIL          "


@given(st.lists(st.text(max_size=30), max_size=20))
def test_a_whole_column_of_bacs_text_is_each_value_made_bacs_text(values):
    # The bank file makes its names and references Bacs text a column at a time (for speed):
    # each must come out exactly as it would alone, line breaks and all.
    assert bacs_column(values, 18) == [bacs_text(value, 18) for value in values]


def test_a_payee_name_with_a_line_break_is_still_one_record():
    text = standard18_file(
        [
            Transfer("089999", "66374958", "Mrs A\nRobertson", 100, "DP000001 06APR26"),
            Transfer("309634", "00012345", "J O'Neil", 1, "DP000002 06APR26"),
        ],
        Originator("309634", "12345678", "Glenarden Council"),
    )
    first, second = text.split("\r\n")[:2]
    assert first[82:100] == "MRS A ROBERTSON   " and second[82:100] == "J O NEIL          "


def test_standard18_file_refuses_a_credit_of_nothing():
    with pytest.raises(ValueError, match="between 1p"):
        standard18_file(
            [Transfer("089999", "66374958", "A Person", 0, "DP000001")],
            Originator("309634", "12345678", "Glenarden Council"),
        )


def test_a_run_with_no_credits_has_an_empty_standard18_file():
    assert standard18_file([], Originator("309634", "12345678", "Glenarden Council")) == ""


def test_csv_defends_against_formula_injection():
    text = csv_file([Transfer("089999", "66374958", "-HYPHEN", 100, "=SUM(A1)")])
    assert "'-HYPHEN" in text and "'=SUM" not in text  # = is not a Bacs character at all


def test_spreadsheet_text_that_looks_like_a_formula_stays_text():
    import io

    import openpyxl

    from dp_portal.core.spreadsheets import workbook_bytes

    data = workbook_bytes(
        {"S": (["Name", "Amount"], [['=HYPERLINK("http://x")', D("12.50")], ["@SUM(1)", D("1")]])}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data))["S"]
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["A3"].data_type == "s"
    assert sheet["B2"].value == 12.5 and sheet["B2"].number_format == '"£"#,##0.00'


def test_payment_views_hold_no_queries():
    """Views parse the request, call a service and render: the database is the services'."""
    import ast
    from pathlib import Path

    import dp_portal.payments

    folder = Path(dp_portal.payments.__file__).parent
    for path in folder.glob("*views.py"):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & {"db", "select", "update", "insert", "delete"}, path.name
        assert "db.session" not in path.read_text(), path.name
