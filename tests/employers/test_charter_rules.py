"""The Charter Mark's pure rules: the lifecycle table as drawn, what a review must say, award
numbers and dates, and when a renewal reminder is due."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp_portal.employers.charter_rules import (
    TRANSITIONS,
    AwardState,
    Decision,
    Finding,
    Review,
    Status,
    allowed,
    award_number,
    award_state,
    decision_problems,
    expiry,
    lead_days,
    normalise_number,
    parse_number,
    reminder_due,
)
from dp_portal.employers.models import CharterTier

S, HOLDER, SUPPORTER = Status, CharterTier.HOLDER, CharterTier.SUPPORTER

# The diagram in charter_rules' docstring, written out independently.
DRAWN = {
    (HOLDER, S.DRAFT, S.SUBMITTED),
    (HOLDER, S.DRAFT, S.WITHDRAWN),
    (HOLDER, S.SUBMITTED, S.MORE_INFO),
    (HOLDER, S.SUBMITTED, S.AWARDED),
    (HOLDER, S.SUBMITTED, S.DECLINED),
    (HOLDER, S.SUBMITTED, S.WITHDRAWN),
    (HOLDER, S.MORE_INFO, S.SUBMITTED),
    (HOLDER, S.MORE_INFO, S.WITHDRAWN),
    (SUPPORTER, S.DRAFT, S.AWARDED),
    (SUPPORTER, S.DRAFT, S.WITHDRAWN),
}


@pytest.mark.parametrize("tier", list(CharterTier))
@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("to", list(Status))
def test_every_move_is_allowed_exactly_as_drawn(tier, current, to):
    assert allowed(tier, current, to) == ((tier, current, to) in DRAWN)


def test_decided_and_withdrawn_applications_never_move():
    for tier in CharterTier:
        for final in (S.AWARDED, S.DECLINED, S.WITHDRAWN):
            assert (tier, final) not in TRANSITIONS


TITLES = {"pay": "Pays the minimum", "contract": "Gives a contract"}


def test_a_review_needs_a_finding_on_every_criterion_and_words_unless_met():
    problems = decision_problems(
        {"pay": Review(Finding.MORE_INFO, "  ")}, TITLES, Decision.MORE_INFO
    )
    assert problems == {
        "message_pay": "Say what you need for 'Pays the minimum': the applicant reads this",
        "finding_contract": "Choose a finding for 'Gives a contract'",
    }


@pytest.mark.parametrize(
    ("findings", "decision", "ok"),
    [
        ((Finding.MET, Finding.MET), Decision.AWARD, True),
        ((Finding.MET, Finding.MORE_INFO), Decision.AWARD, False),
        ((Finding.MET, Finding.UNMET), Decision.AWARD, False),
        ((Finding.MET, Finding.MORE_INFO), Decision.MORE_INFO, True),
        ((Finding.MET, Finding.MET), Decision.MORE_INFO, False),
        ((Finding.UNMET, Finding.MORE_INFO), Decision.DECLINE, True),
        ((Finding.MET, Finding.MORE_INFO), Decision.DECLINE, False),
    ],
)
def test_the_decision_follows_from_the_findings(findings, decision, ok):
    reviews = {key: Review(f, "Because") for key, f in zip(TITLES, findings, strict=True)}
    assert (decision_problems(reviews, TITLES, decision) == {}) == ok


def test_numbers_run_within_a_year_and_are_read_forgivingly():
    assert award_number(2026, 1) == "CM-2026-0001"
    assert award_number(2026, 12345) == "CM-2026-12345"
    assert parse_number(" cm-2026-0042 ") == (2026, 42)
    en_dash = "\u2013"
    assert normalise_number(f"CM - 2026 {en_dash} 0042") == "CM-2026-0042"
    assert normalise_number("cm20260042") == "CM-2026-0042"
    for bad in ("", "2026-0001", "CM-26-0001", "CM-2026-1", "CM-2026-0001; DROP", None):
        assert parse_number(bad) is None


def test_an_award_runs_to_the_day_before_its_anniversary():
    assert expiry(date(2026, 5, 1), 2) == date(2028, 4, 30)
    assert expiry(date(2028, 2, 29), 2) == date(2030, 2, 28)
    assert expiry(date(2028, 2, 29), 4) == date(2032, 2, 28)
    with pytest.raises(ValueError):
        expiry(date(2026, 5, 1), 0)


def test_an_award_is_current_up_to_and_including_its_last_day():
    start, end = date(2026, 5, 1), date(2028, 4, 30)
    assert award_state(start, end, date(2026, 4, 30)) == AwardState.NOT_STARTED
    assert award_state(start, end, start) == AwardState.CURRENT
    assert award_state(start, end, end) == AwardState.CURRENT
    assert award_state(start, end, end + timedelta(days=1)) == AwardState.EXPIRED


def test_reminder_lead_times_come_from_the_setting():
    assert lead_days("90,30") == (90, 30)
    assert lead_days(" 30 , 90, 90 ") == (90, 30)
    for bad in ("", "ninety", "90;30", "0", "400"):
        with pytest.raises(ValueError, match="CHARTER_RENEWAL_REMINDER_DAYS"):
            lead_days(bad)


END = date(2028, 4, 30)


def test_each_reminder_is_due_from_its_day_until_the_next_one():
    leads = (90, 30)
    assert reminder_due(END, END - timedelta(days=91), leads) is None
    assert reminder_due(END, END - timedelta(days=90), leads) == 90
    assert reminder_due(END, END - timedelta(days=31), leads) == 90  # a late job catches up
    assert reminder_due(END, END - timedelta(days=30), leads) == 30
    assert reminder_due(END, END, leads) == 30
    assert reminder_due(END, END + timedelta(days=1), leads) is None  # expired: none


@given(st.integers(min_value=-400, max_value=400))
def test_at_most_one_reminder_is_due_on_any_day(offset):
    due = reminder_due(END, END + timedelta(days=offset), (90, 30))
    assert due is None or (due == 90 and -90 <= offset < -30) or (due == 30 and -30 <= offset <= 0)
