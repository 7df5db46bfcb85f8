"""The employer checklist's rules: an item's state from its newest tick and the day, and
which ticks cannot be right."""

from datetime import date

import pytest

from dp_portal.employers.checklist import (
    ITEMS,
    State,
    TickError,
    check_tick,
    describe,
    item,
    reminder_day,
    state_on,
)

TODAY = date(2026, 8, 1)
RENEWS = date(2026, 9, 30)  # reminder day: 31 August 2026


def test_the_items_are_the_ones_the_council_asked_for():
    assert [i.key for i in ITEMS] == [
        "contract",
        "pvg",
        "insurance",
        "hmrc",
        "pension",
        "holiday_sickness",
        "induction",
        "supervision",
    ]
    assert {i.key for i in ITEMS if i.renews} == {"pvg", "insurance"}
    with pytest.raises(LookupError):
        item("nonsense")


# Every state, and the day each begins (the diagram in employers/checklist.py).
STATES = [
    (None, None, TODAY, State.NOT_DONE, "Not done yet"),
    (date(2026, 4, 1), None, TODAY, State.DONE, "Done on 1 April 2026"),
    (date(2026, 4, 1), RENEWS, date(2026, 8, 30), State.DONE, "Due again on 30 September 2026"),
    (date(2026, 4, 1), RENEWS, date(2026, 8, 31), State.RENEWAL_DUE, "Renewal due on 30 Sept"),
    (date(2026, 4, 1), RENEWS, date(2026, 9, 29), State.RENEWAL_DUE, "Renewal due"),
    (date(2026, 4, 1), RENEWS, date(2026, 9, 30), State.LAPSED, "Lapsed on 30 September 2026"),
]


@pytest.mark.parametrize("done,renews,today,state,words", STATES)
def test_an_items_state_comes_from_its_tick_and_the_day(done, renews, today, state, words):
    assert state_on(done, renews, today) == state
    assert words in describe(state, done, renews)


def test_every_state_is_reachable():
    assert {row[3] for row in STATES} == set(State)


def test_the_reminder_goes_30_days_before_the_renewal_date():
    assert reminder_day(RENEWS) == date(2026, 8, 31)


BAD_TICKS = [
    ("contract", date(2026, 8, 2), None, "done_on", "cannot be in the future"),
    ("insurance", date(2026, 7, 1), None, "renews_on", "Enter the date it needs renewing"),
    ("insurance", date(2026, 7, 1), date(2026, 7, 1), "renews_on", "must be after"),
    ("insurance", date(2026, 7, 1), date(2040, 1, 1), "renews_on", "within 10 years"),
    ("contract", date(2026, 7, 1), date(2027, 7, 1), "renews_on", "does not have a renewal"),
]


@pytest.mark.parametrize("key,done,renews,field,words", BAD_TICKS)
def test_ticks_that_cannot_be_right_are_refused(key, done, renews, field, words):
    with pytest.raises(TickError) as refused:
        check_tick(key, done, renews, "", TODAY)
    assert refused.value.field == field
    assert words in str(refused.value)


def test_good_ticks_pass():
    check_tick("pvg", date(2026, 7, 1), None, "", TODAY)  # a PVG re-check date is optional
    check_tick("insurance", TODAY, date(2027, 8, 1), "Policy 123", TODAY)
