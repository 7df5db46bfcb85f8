import itertools
import re
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dp_portal.core.calendar import Region, WorkingCalendar
from dp_portal.monitoring.periods import Tier, return_periods
from dp_portal.monitoring.reconcile import Figures, reconcile

D = Decimal
SCOTLAND = WorkingCalendar(Region.SCOTLAND)


def test_standard_tier_follows_financial_quarters_with_due_dates_on_working_days():
    periods = return_periods(date(2026, 5, 11), [], date(2026, 11, 23), SCOTLAND)
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 5, 11), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
    ]
    assert periods[0].due == date(2026, 7, 28)  # 30 June + 28 days, a Tuesday
    # 31 December + 28 days = 28 January 2027, a Thursday.
    assert periods[2].due == date(2027, 1, 28)


def test_due_date_moves_past_a_scottish_holiday():
    # October ends on the 31st; 28 days on is Saturday 28 November, and Monday 30 November
    # is St Andrew's Day, so the return is due on Tuesday 1 December.
    periods = return_periods(
        date(2026, 10, 1), [(date(2026, 10, 1), Tier.MONTHLY)], date(2026, 11, 2), SCOTLAND
    )
    october = periods[0]
    assert (october.start, october.end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert october.due == date(2026, 12, 1)  # 28 November is a Saturday, 30th a holiday


def test_new_accounts_send_a_first_return_at_twelve_weeks_then_quarterly():
    periods = return_periods(
        date(2026, 4, 6), [(date(2026, 4, 6), Tier.NEW)], date(2026, 8, 1), SCOTLAND
    )
    assert (periods[0].start, periods[0].end) == (date(2026, 4, 6), date(2026, 6, 28))
    # Two days to the end of June would make a pointless return: the second runs to September.
    assert (periods[1].start, periods[1].end) == (date(2026, 6, 29), date(2026, 9, 30))


def test_light_touch_is_yearly_and_a_change_of_tier_applies_from_its_date():
    periods = return_periods(
        date(2025, 4, 1),
        [(date(2025, 4, 1), Tier.LIGHT), (date(2026, 4, 1), Tier.MONTHLY)],
        date(2026, 5, 15),
        SCOTLAND,
    )
    assert (periods[0].start, periods[0].end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert (periods[1].start, periods[1].end) == (date(2026, 4, 1), date(2026, 4, 30))


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.sampled_from(list(Tier))
)
def test_periods_tile_the_time_without_gaps(start, tier):
    periods = return_periods(start, [(start, tier)], date(2031, 1, 1), SCOTLAND)
    assert periods[0].start == start
    for before, after in itertools.pairwise(periods):
        assert (after.start - before.end).days == 1
        assert SCOTLAND.is_working_day(before.due) and before.due > before.end


def _figures(**kw):
    base = dict(
        opening=D("500"),
        council_payments=D("1200"),
        contributions=D("0"),
        other_income=D("0"),
        spending={"pa_wages": D("1000"), "hmrc": D("50")},
        closing=D("650"),
        bank_balance=D("650"),
    )
    return Figures(**(base | kw))


def test_a_return_that_matches_is_clean():
    result = reconcile(
        _figures(),
        expected_opening=D("500"),
        payments_made=[("payment", D("1200"))],
        weekly_budget=D("300"),
        contingency_weeks=8,
        has_provider_line=False,
    )
    assert result.clean and result.contingency == D("2400.00")


def test_each_problem_is_a_plain_english_flag():
    result = reconcile(
        _figures(
            opening=D("400"),
            council_payments=D("1100"),
            closing=D("700"),
            bank_balance=D("690"),
            spending={"provider_invoices": D("100")},
        ),
        expected_opening=D("500"),
        payments_made=[("payment on 2 April 2026", D("1200"))],
        weekly_budget=D("300"),
        contingency_weeks=8,
        has_provider_line=False,
    )
    codes = {f.code for f in result.flags}
    assert codes == {"opening", "council_payments", "arithmetic", "bank", "provider_invoices"}
    council = next(f for f in result.flags if f.code == "council_payments")
    assert "payment on 2 April 2026 £1,200.00" in council.message


def test_surplus_is_above_contingency_and_liabilities():
    result = reconcile(
        _figures(
            closing=D("5000"),
            bank_balance=D("5000"),
            spending={"pa_wages": D("-3350")},
            wages_owed=D("200"),
        ),
        expected_opening=None,
        payments_made=[("p", D("1200"))],
        weekly_budget=D("300"),
        contingency_weeks=8,
        has_provider_line=False,
    )
    assert result.surplus == D("2400.00")  # 5000 - 200 owed - 2400 contingency
    assert any(f.code == "surplus" and "Talk to the person" in f.message for f in result.flags)


def test_reminder_dates_follow_the_timetable_and_skip_holidays():
    from dp_portal.monitoring.reminders import DEFAULT_STAGES, stage_dates

    due = date(2026, 11, 23)  # a Monday
    dates = {
        stage.key: day
        for stage, day in stage_dates(due, DEFAULT_STAGES, working_days=False, calendar=SCOTLAND)
    }
    assert dates["first"] == date(2026, 12, 1)  # 30 November is St Andrew's Day
    assert dates["second"] == date(2026, 12, 14)
    assert dates["final"] == date(2026, 12, 29)  # 28 December is Boxing Day observed
    assert dates["escalation"] == date(2027, 1, 11)
    working = dict(
        (s.key, d)
        for s, d in stage_dates(due, DEFAULT_STAGES, working_days=True, calendar=SCOTLAND)
    )
    assert working["first"] == date(2026, 12, 3)  # 7 working days, skipping St Andrew's Day


@given(
    due=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    offsets=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=6, unique=True),
    working=st.booleans(),
)
def test_every_stage_lands_on_a_working_day_no_earlier_than_its_offset(due, offsets, working):
    from datetime import timedelta

    from dp_portal.monitoring.reminders import Stage, stage_dates

    stages = tuple(Stage(f"s{n}", "Stage", n, "Letter") for n in sorted(offsets))
    days = [day for _, day in stage_dates(due, stages, working_days=working, calendar=SCOTLAND)]
    assert all(SCOTLAND.is_working_day(day) for day in days)
    assert all(day >= due + timedelta(days=n) for day, n in zip(days, sorted(offsets), strict=True))
    assert days == sorted(days)  # a later stage never goes out before an earlier one
    if not working:  # at most a long weekend plus holidays late, never a week
        assert all(
            (day - (due + timedelta(days=n))).days <= 5
            for day, n in zip(days, sorted(offsets), strict=True)
        )


# --- Lifecycles: every pair of states, allowed or refused as the table says -----------------

LIFECYCLE_CASES = [
    ("return", "draft", "submitted", True),
    ("return", "submitted", "queried", True),
    ("return", "submitted", "accepted", True),
    ("return", "submitted", "superseded", True),
    ("return", "queried", "superseded", True),
    ("return", "accepted", "superseded", True),
    ("escalation task", "open", "suspended", True),
    ("escalation task", "open", "closed", True),
    ("escalation task", "suspended", "closed", True),
]


def _lifecycles():
    from dp_portal.monitoring.lifecycle import RETURN, TASK

    return {machine.name: machine for machine in (RETURN, TASK)}


def _every_pair():
    allowed = {(name, a, b) for name, a, b, _ in LIFECYCLE_CASES}
    for name, machine in _lifecycles().items():
        for a, b in itertools.product(machine.states, repeat=2):
            yield name, a.value, b.value, (name, a.value, b.value) in allowed


def test_each_lifecycle_allows_exactly_the_moves_listed_and_refuses_the_rest():
    import pytest

    from dp_portal.core.errors import RuleError

    machines = _lifecycles()
    pairs = list(_every_pair())
    assert len(pairs) == 5 * 5 + 3 * 3
    for name, a, b, allowed in pairs:
        row = type("Row", (), {"status": a})()
        if allowed:
            machines[name].move(row, machines[name].states(b), "refused")
            assert row.status == b, (name, a, b)
        else:
            with pytest.raises(RuleError, match="refused"):
                machines[name].move(row, machines[name].states(b), "refused")
            assert row.status == a, (name, a, b)


def test_the_diagram_lists_every_move_in_the_table():
    from dp_portal.monitoring import lifecycle

    listed = set(re.findall(r"^ {4}([a-z]+) → ([a-z]+) ", lifecycle.__doc__, re.MULTILINE))
    table = {(a, b) for _, a, b, allowed in _every_pair() if allowed}
    assert listed == table


def test_the_database_keeps_to_the_same_states():
    from dp_portal.monitoring.lifecycle import ReturnStatus, TaskStatus
    from dp_portal.monitoring.models import EscalationTask, MonitoringReturn

    for model, states in ((MonitoringReturn, ReturnStatus), (EscalationTask, TaskStatus)):
        [check] = [
            c
            for c in model.__table__.constraints
            if getattr(c, "name", "") and str(c.name).endswith("status")
        ]
        assert set(re.findall(r"'(\w+)'", str(check.sqltext))) == {s.value for s in states}


# --- Which way the packages may lean ----------------------------------------------------------


def _imports(path) -> set[str]:
    """Every module a file imports, with relative imports made absolute (dp_portal....)."""
    import ast

    package = ".".join(path.with_suffix("").parts[path.parts.index("dp_portal") :][:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _package_files(name: str):
    from pathlib import Path

    import dp_portal

    root = Path(dp_portal.__file__).parent
    return sorted((root / name).rglob("*.py")) if name else sorted(root.rglob("*.py"))


def test_payments_never_import_monitoring_and_nothing_imports_reports():
    for path in _package_files("payments"):
        assert not any(m.startswith("dp_portal.monitoring") for m in _imports(path)), path
    for path in _package_files(""):
        if "reports" in path.parts or (
            path.name == "__init__.py" and path.parent.name == "dp_portal"
        ):
            continue  # the app factory registers the reports' pages
        assert not any(m.startswith("dp_portal.reports") for m in _imports(path)), path


def test_monitoring_rules_know_nothing_of_flask_or_the_database():
    for name in ("periods", "reconcile", "reminders", "lifecycle"):
        [path] = [p for p in _package_files("monitoring") if p.stem == name]
        leaning = {
            m
            for m in _imports(path)
            if m.split(".")[0] in ("flask", "sqlalchemy", "flask_sqlalchemy")
            or m.startswith("dp_portal.extensions")
        }
        assert leaning == set(), path
