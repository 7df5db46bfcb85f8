"""The employer checklist's rules: what a PA employer should have done, and when a done item
comes back due.

An item's state is worked out from its newest tick (ticks are appended, never edited) and
the day; nothing is stored but the ticks, so there is no transition to guard:

    not done --tick--> done --(renewal date - 30 days)--> renewal due --(renewal date)--> lapsed
        ^                ^                                     |                           |
        |                +-------------- tick again (a new renewal date) -----------------+
   (no tick yet)

Only items with a renewal date (employer's liability insurance, and PVG checks if the
employer sets one) come back due. A reminder letter goes RENEWAL_NOTICE_DAYS before the
renewal date, once per item and renewal date (employers/jobs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..core.errors import RuleError
from ..core.types import LabelledEnum

RENEWAL_NOTICE_DAYS = 30
MAX_YEARS_AHEAD = 10  # a renewal date further off than this is a typing mistake
NOTE_LENGTH = 500


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    hint: str
    renews: bool = False  # asks for a renewal date
    renewal_required: bool = False


ITEMS: tuple[Item, ...] = (
    Item(
        "contract",
        "Contract or written statement issued",
        "Each PA must have a written statement of their main terms on or before their first day.",
    ),
    Item(
        "pvg",
        "PVG scheme membership checked",
        "Check each PA is a member of the Protecting Vulnerable Groups scheme through "
        "Disclosure Scotland. Add a date to check again if you want a reminder.",
        renews=True,
    ),
    Item(
        "insurance",
        "Employer's liability insurance in place",
        "The law says you must have it. Give the date your policy needs renewing.",
        renews=True,
        renewal_required=True,
    ),
    Item(
        "hmrc",
        "Registered with HMRC as an employer",
        "Register before the first pay day, and run payroll through Real Time Information.",
    ),
    Item(
        "pension",
        "Pension duties declared",
        "Tell The Pensions Regulator how you meet the workplace pension duties, even if no "
        "PA needs to be put in a pension.",
    ),
    Item(
        "holiday_sickness",
        "Holiday and sickness explained",
        "Tell each PA how they build up holiday, how to book it, and what to do when ill.",
    ),
    Item(
        "induction",
        "Induction and training",
        "Show each PA how you like things done, and plan the training they need.",
    ),
    Item(
        "supervision",
        "Regular supervision",
        "Meet each PA regularly to talk about the work and how they are.",
    ),
)
BY_KEY = {item.key: item for item in ITEMS}


class State(LabelledEnum):
    NOT_DONE = "not_done", "Not done yet"
    DONE = "done", "Done"
    RENEWAL_DUE = "renewal_due", "Renewal due"
    LAPSED = "lapsed", "Lapsed"

    @property
    def tag_colour(self) -> str:
        return {
            "not_done": "govuk-tag--grey",
            "done": "govuk-tag--green",
            "renewal_due": "govuk-tag--yellow",
            "lapsed": "govuk-tag--red",
        }[self.value]


def item(key: str) -> Item:
    """The item by its key; LookupError for one we do not have."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise LookupError(f"no checklist item {key!r}") from None


def reminder_day(renews_on: date) -> date:
    """When the reminder letter goes: RENEWAL_NOTICE_DAYS before the renewal date."""
    return renews_on - timedelta(days=RENEWAL_NOTICE_DAYS)


def state_on(done_on: date | None, renews_on: date | None, today: date) -> State:
    if done_on is None:
        return State.NOT_DONE
    if renews_on is None or today < reminder_day(renews_on):
        return State.DONE
    if today < renews_on:
        return State.RENEWAL_DUE
    return State.LAPSED


def describe(state: State, done_on: date | None, renews_on: date | None) -> str:
    """What the page says about an item, in words."""
    if state == State.NOT_DONE:
        return "Not done yet"
    done = f"Done on {_long(done_on)}"
    if renews_on is None:
        return done
    if state == State.DONE:
        return f"{done}. Due again on {_long(renews_on)}"
    if state == State.RENEWAL_DUE:
        return f"{done}. Renewal due on {_long(renews_on)}"
    return f"{done}. Lapsed on {_long(renews_on)}: tick it again when it is renewed"


class TickError(RuleError):
    """A tick that cannot be right, naming the form field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_tick(key: str, done_on: date, renews_on: date | None, note: str, today: date) -> None:
    """Raise TickError (with what to do) for a tick that cannot be right."""
    target = item(key)
    if done_on > today:
        raise TickError("done_on", "The date it was done cannot be in the future")
    if renews_on is not None and not target.renews:
        raise TickError("renews_on", "This item does not have a renewal date")
    if target.renewal_required and renews_on is None:
        raise TickError("renews_on", "Enter the date it needs renewing")
    if renews_on is not None:
        if renews_on <= done_on:
            raise TickError("renews_on", "The renewal date must be after the date it was done")
        if renews_on > date(today.year + MAX_YEARS_AHEAD, today.month, min(today.day, 28)):
            raise TickError("renews_on", f"The renewal date must be within {MAX_YEARS_AHEAD} years")
    if len(note) > NOTE_LENGTH:
        raise TickError("note", f"The note must be {NOTE_LENGTH} characters or fewer")


def _long(day: date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"
