"""The PA cost calculator's rules, to the penny: the worked examples in shared/facts/rates.md
for all three tax years (with and without the Employment Allowance), cases worked by hand
from the same published rules, and properties that hold for any input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dp_portal.employers.pa_costs import (
    MINUS as M,
)
from dp_portal.employers.pa_costs import (
    TIMES as X,
)
from dp_portal.employers.pa_costs import (
    CostInputs,
    CostRates,
    PaInput,
    calculate,
    tax_year_label,
    tax_year_start,
)

# The published figures (shared/facts/rates.md), as employers/cost_rates.py loads them.
BAND = {
    "pension_trigger": D("192.00"),
    "pension_lower": D("120.00"),
    "pension_upper": D("967.00"),
    "pension_rate": D("3"),
    "holiday_rate": D("12.07"),
}
RATES = {
    "2024/25": CostRates(date(2024, 4, 6), D("13.8"), D("175.00"), D("5000.00"), **BAND),
    "2025/26": CostRates(date(2025, 4, 6), D("15"), D("96.00"), D("10500.00"), **BAND),
    "2026/27": CostRates(date(2026, 4, 6), D("15"), D("96.00"), D("10500.00"), **BAND),
}


def run(year, pas, *, allowance=False, weeks=52, insurance="0", payroll="0"):
    inputs = CostInputs(
        pas=tuple(PaInput(D(str(h)), D(w)) for h, w in pas),
        on=RATES[year].tax_year_start,
        employment_allowance=allowance,
        weeks=weeks,
        insurance_yearly=D(insurance),
        payroll_yearly=D(payroll),
    )
    return calculate(inputs, RATES[year])


def weekly(result) -> dict[str, str]:
    return {
        "wages": str(result.wages.amount),
        "holiday": str(result.holiday.amount),
        "gross": str(result.gross.amount),
        "ni": str(result.ni.amount),
        "pension": str(result.pension.amount),
        "total": str(result.total_weekly.amount),
        "hourly": str(result.hourly.amount),
    }


# facts/rates.md, "Worked example": 20 hours a week at the Scottish minimum of each year.
WORKED = [
    # year, wage, wages, holiday, gross, NI, pension, total / hourly without, with the allowance
    ("2024/25", "12.00", "240.00", "28.97", "268.97", "12.97", "4.47", "286.41", "14.32", "273.44", "13.67"),  # noqa: E501
    ("2025/26", "12.60", "252.00", "30.42", "282.42", "27.96", "4.87", "315.25", "15.76", "287.29", "14.36"),  # noqa: E501
    ("2026/27", "13.45", "269.00", "32.47", "301.47", "30.82", "5.44", "337.73", "16.89", "306.91", "15.35"),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize("row", WORKED, ids=[r[0] for r in WORKED])
def test_the_worked_examples_without_the_employment_allowance(row):
    year, wage, wages, holiday, gross, ni, pension, total, hourly, _, _ = row
    result = run(year, [(20, wage)])
    assert weekly(result) == {
        "wages": wages,
        "holiday": holiday,
        "gross": gross,
        "ni": ni,
        "pension": pension,
        "total": total,
        "hourly": hourly,
    }
    assert result.total_yearly.amount == D(total) * 52


@pytest.mark.parametrize("row", WORKED, ids=[r[0] for r in WORKED])
def test_the_worked_examples_with_the_employment_allowance(row):
    year, wage, wages, holiday, gross, ni, pension, _, _, total, hourly = row
    result = run(year, [(20, wage)], allowance=True)
    assert weekly(result) == {
        "wages": wages,
        "holiday": holiday,
        "gross": gross,
        "ni": "0.00",
        "pension": pension,
        "total": total,
        "hourly": hourly,
    }
    # The year's NI is well under the allowance, so none of it is paid.
    assert result.allowance.ni_yearly == D(ni) * 52
    assert result.ni_yearly.amount == 0
    assert result.allowance.runs_out_week is None
    assert result.total_yearly.amount == D(total) * 52


def test_every_figure_shows_its_working():
    result = run("2024/25", [(20, "12.00")])
    pa = result.pas[0]
    assert pa.wages.working == f"20 hours {X} 12.00 = 240.00"
    assert pa.holiday.working == f"240.00 {X} 12.07% = 28.97"
    assert pa.gross.working == "240.00 + 28.97 = 268.97"
    assert pa.ni.working == f"(268.97 {M} 175) {X} 13.8% = 12.97"
    assert pa.pension.working == f"(268.97 {M} 120) {X} 3% = 4.47"
    assert pa.total.working == "268.97 + 12.97 + 4.47 = 286.41"
    assert result.hourly.working == "286.41 ÷ 20 hours = 14.32"
    assert result.ni_yearly.working == f"12.97 {X} 52 weeks = 674.44"


# Worked by hand from the same rules (each line rounded from the rounded lines above it).
BY_HAND = [
    # Under the NI secondary threshold and the pension trigger: 10 x 12.00 = 120.00;
    # 120.00 x 12.07% = 14.484 -> 14.48; gross 134.48 <= 175, <= 192; 134.48 / 10 -> 13.45.
    ("2024/25", 10, "12.00", "120.00", "14.48", "134.48", "0.00", "0.00", "134.48", "13.45"),
    # Above the threshold but under the trigger: 12 x 12.60 = 151.20; x 12.07% = 18.24984
    # -> 18.25; gross 169.45; (169.45 - 96) x 15% = 11.0175 -> 11.02; 169.45 <= 192: no
    # pension; 180.47 / 12 = 15.039 -> 15.04.
    ("2025/26", 12, "12.60", "151.20", "18.25", "169.45", "11.02", "0.00", "180.47", "15.04"),
    # Above the upper limit of the band: 70 x 13.00 = 910.00; x 12.07% = 109.837 -> 109.84;
    # gross 1019.84; (1019.84 - 96) x 15% = 138.576 -> 138.58; pension on 967 - 120 = 847
    # only: 25.41; 1183.83 / 70 = 16.9118 -> 16.91.
    ("2025/26", 70, "13.00", "910.00", "109.84", "1019.84", "138.58", "25.41", "1183.83", "16.91"),
    # A half-penny tie: 14 x 14.50 = 203.00; x 12.07% = 24.5021 -> 24.50; gross 227.50;
    # (227.50 - 175) x 13.8% = 7.245 -> 7.24 (HMRC: an exact half penny rounds down), while
    # the pension (227.50 - 120) x 3% = 3.225 -> 3.23 rounds half up; 237.97 / 14 -> 17.00.
    ("2024/25", 14, "14.50", "203.00", "24.50", "227.50", "7.24", "3.23", "237.97", "17.00"),
    # A tie at 15%: 10 x 13.75 = 137.50; x 12.07% = 16.59625 -> 16.60; gross 154.10;
    # (154.10 - 96) x 15% = 8.715 -> 8.71; under the trigger; 162.81 / 10 -> 16.28.
    ("2025/26", 10, "13.75", "137.50", "16.60", "154.10", "8.71", "0.00", "162.81", "16.28"),
    # Exactly at the pension trigger is not above it: gross 192.00 owes no pension. 16 x
    # 10.71 = 171.36; x 12.07% = 20.683 -> 20.68; gross 192.04 (just above): 2.16.
    ("2026/27", 16, "10.71", "171.36", "20.68", "192.04", "14.41", "2.16", "208.61", "13.04"),
]  # fmt: skip


@pytest.mark.parametrize("row", BY_HAND, ids=lambda r: f"{r[0]}-{r[1]}h-{r[2]}")
def test_cases_worked_by_hand(row):
    year, hours, wage, wages, holiday, gross, ni, pension, total, hourly = row
    result = run(year, [(hours, wage)])
    assert weekly(result) == {
        "wages": wages,
        "holiday": holiday,
        "gross": gross,
        "ni": ni,
        "pension": pension,
        "total": total,
        "hourly": hourly,
    }


def test_pay_exactly_at_the_thresholds_owes_nothing_on_them():
    rates = RATES["2024/25"]
    from dp_portal.employers.pa_costs import employer_ni, employer_pension

    assert employer_ni(D("175.00"), rates).amount == 0
    assert employer_ni(D("175.01"), rates).amount == D("0.00")  # 0.00138 rounds to 0.00
    assert employer_ni(D("175.04"), rates).amount == D("0.01")  # 0.00552
    assert employer_pension(D("192.00"), rates).amount == 0
    assert employer_pension(D("192.01"), rates).amount == D("2.16")  # 72.01 x 3% = 2.1603


def test_the_last_and_first_day_of_a_tax_year():
    assert tax_year_start(date(2025, 4, 5)) == date(2024, 4, 6)
    assert tax_year_start(date(2025, 4, 6)) == date(2025, 4, 6)
    assert tax_year_start(date(2026, 1, 1)) == date(2025, 4, 6)
    assert tax_year_label(date(2025, 4, 6)) == "2025/26"
    assert tax_year_label(date(2099, 4, 6)) == "2099/00"


def test_several_pas_with_the_allowance_running_out():
    """Thresholds apply to each PA; the allowance is one for the employer, used up in week 46.

    PA 1: 40 x 15.00 = 600.00; holiday 72.42; gross 672.42; NI (672.42 - 175) x 13.8% =
    68.64396 -> 68.64; pension (672.42 - 120) x 3% = 16.5726 -> 16.57.
    PA 2: 30 x 14.00 = 420.00; holiday 50.694 -> 50.69; gross 470.69; NI 295.69 x 13.8% =
    40.80522 -> 40.81; pension 350.69 x 3% = 10.5207 -> 10.52.
    NI a week 109.45, a year 5,691.40; the £5,000 allowance covers 45 weeks in full
    (4,925.25), 74.75 of week 46 (from 15 February 2025), leaving 691.40 to pay: 13.2961
    -> 13.30 a week on average.
    """
    result = run(
        "2024/25",
        [(40, "15.00"), (30, "14.00")],
        allowance=True,
        insurance="150.00",
        payroll="132.00",
    )
    assert [str(pa.ni.amount) for pa in result.pas] == ["68.64", "40.81"]
    assert [str(pa.pension.amount) for pa in result.pas] == ["16.57", "10.52"]
    assert [str(pa.total.amount) for pa in result.pas] == ["757.63", "522.02"]
    allowance = result.allowance
    assert allowance.ni_yearly == D("5691.40")
    assert allowance.used == D("5000.00")
    assert allowance.ni_yearly_after == D("691.40")
    assert allowance.runs_out_week == 46
    assert allowance.runs_out_on == date(2025, 2, 15)
    assert allowance.left_that_week == D("74.75")
    # 150 / 52 = 2.8846 -> 2.88; 132 / 52 = 2.538 -> 2.54.
    assert weekly(result) == {
        "wages": "1020.00",
        "holiday": "123.11",
        "gross": "1143.11",
        "ni": "13.30",
        "pension": "27.09",
        "total": "1188.92",  # 1143.11 + 13.30 + 27.09 + 2.88 + 2.54
        "hourly": "16.98",  # 1188.92 / 70 = 16.9846
    }
    # 1143.11 x 52 + 691.40 + 27.09 x 52 + 150 + 132 = 59,441.72 + 691.40 + 1,408.68 + 282.
    assert result.total_yearly.amount == D("61823.80")


def test_without_the_allowance_the_year_pays_all_its_ni():
    result = run("2024/25", [(40, "15.00"), (30, "14.00")])
    assert result.ni.amount == D("109.45")
    assert result.ni_yearly.amount == D("5691.40")
    assert result.allowance.runs_out_week is None


def test_fewer_weeks_a_year():
    result = run("2025/26", [(20, "12.60")], weeks=48)
    assert result.total_yearly.amount == D("315.25") * 48


def test_meets_the_scottish_minimum_only_at_or_above_it():
    rates = CostRates(**{**RATES["2025/26"].__dict__, "scottish_minimum": D("12.60")})
    at = calculate(CostInputs((PaInput(D(20), D("12.60")),), date(2025, 6, 1), False), rates)
    below = calculate(CostInputs((PaInput(D(20), D("12.59")),), date(2025, 6, 1), False), rates)
    assert at.meets_minimum is True
    assert below.meets_minimum is False
    unknown = run("2025/26", [(20, "12.60")])
    assert unknown.meets_minimum is None


# --- Properties ---------------------------------------------------------------------------

hours = st.decimals(min_value=D("0.25"), max_value=D(168), places=2)
wages = st.decimals(min_value=D("0.01"), max_value=D(500), places=2)
pas = st.lists(st.tuples(hours, wages), min_size=1, max_size=4)
years = st.sampled_from(sorted(RATES))
money = st.decimals(min_value=D(0), max_value=D(5000), places=2)


@settings(max_examples=200, deadline=None)
@given(pas, years, st.booleans(), st.integers(1, 53), money, money)
def test_totals_are_the_sum_of_their_lines(pa_list, year, allowance, weeks, ins, payroll):
    result = run(year, pa_list, allowance=allowance, weeks=weeks, insurance=ins, payroll=payroll)
    for pa in result.pas:
        assert pa.gross.amount == pa.wages.amount + pa.holiday.amount
        assert pa.total.amount == pa.gross.amount + pa.ni.amount + pa.pension.amount
        for figure in (pa.wages, pa.holiday, pa.ni, pa.pension):
            assert figure.amount == figure.amount.quantize(D("0.01"))
    parts = [result.gross, result.ni, result.pension, result.insurance, result.payroll]
    assert result.total_weekly.amount == sum(f.amount for f in parts)
    assert result.total_yearly.amount == (
        result.gross.amount * weeks
        + result.ni_yearly.amount
        + result.pension.amount * weeks
        + D(ins)
        + D(payroll)
    )
    assert result.gross.amount == sum(pa.gross.amount for pa in result.pas)


@settings(max_examples=200, deadline=None)
@given(pas, years)
def test_ni_is_never_negative_and_pension_is_zero_at_or_below_the_trigger(pa_list, year):
    result = run(year, pa_list)
    rates = RATES[year]
    for pa in result.pas:
        assert pa.ni.amount >= 0
        assert pa.pension.amount >= 0
        if pa.gross.amount <= rates.pension_trigger:
            assert pa.pension.amount == 0
        if pa.gross.amount <= rates.ni_threshold:
            assert pa.ni.amount == 0
        assert pa.pension.amount <= D("25.41")  # (967 - 120) x 3%: the band caps it


@settings(max_examples=200, deadline=None)
@given(pas, years, st.integers(1, 53))
def test_the_allowance_takes_the_years_ni_down_to_zero_and_no_further(pa_list, year, weeks):
    result = run(year, pa_list, allowance=True, weeks=weeks)
    before = sum(pa.ni.amount for pa in result.pas) * weeks
    assert result.ni_yearly.amount == max(D(0), before - RATES[year].employment_allowance)
    if result.allowance.runs_out_week is not None:
        week = result.allowance.runs_out_week
        weekly_ni = result.ni_before.amount
        assert weekly_ni * (week - 1) <= RATES[year].employment_allowance < weekly_ni * week


@settings(max_examples=200, deadline=None)
@given(pas, years)
def test_ni_rounds_like_half_up_except_on_an_exact_half_penny(pa_list, year):
    from decimal import ROUND_HALF_UP

    rates = RATES[year]
    for pa in run(year, pa_list).pas:
        exact = (pa.gross.amount - rates.ni_threshold) * rates.ni_rate / 100
        if exact <= 0:
            continue
        half_up = exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
        if (exact * 1000) % 10 == 5 and exact * 1000 == (exact * 1000).to_integral_value():
            assert pa.ni.amount == half_up - D("0.01")
        else:
            assert pa.ni.amount == half_up
