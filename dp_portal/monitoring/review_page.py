"""What the return review page shows an officer besides the decision forms: every line of the
return with the reconciliation flags that concern it, the same lines of the account's two
previous returns beside it (a sudden change stands out), and the record of the conversation
about it: each version sent, each question asked and each decision, with who and when. Reads
only; never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import User
from ..core.money import ZERO
from ..extensions import db
from .drafts import figures_of, versions
from .lifecycle import ReturnStatus
from .models import MonitoringReturn
from .reconcile import SPENDING, Figures

# The line each reconciliation flag (reconcile.py) is about, so the officer sees it where the
# figure is. The arithmetic and the surplus are both judged on the closing balance.
LINE_OF_FLAG = {
    "opening": "opening",
    "council_payments": "council_payments",
    "arithmetic": "closing",
    "bank": "bank_balance",
    "provider_invoices": "spend_provider_invoices",
    "surplus": "closing",
}

# The return's lines in the order of the form and the spreadsheet, by section.
SECTIONS = (
    (
        "Money in",
        (
            ("opening", "Balance at the start of the period"),
            ("council_payments", "Payments from the council"),
            ("contributions", "Contributions paid in"),
            ("other_income", "Any other money paid in"),
        ),
    ),
    ("Money out", tuple((f"spend_{key}", label) for key, label in SPENDING)),
    (
        "At the end of the period",
        (
            ("closing", "Balance at the end of the period"),
            ("bank_balance", "Closing balance on the bank statement"),
            ("wages_owed", "Wages still owed"),
            ("hmrc_due", "HMRC or pension payments still due"),
        ),
    ),
)
COMPARED = 2  # earlier returns shown beside this one
# Compared returns: what was sent for a period, whatever was decided about it since.
SENT = (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.ACCEPTED)


@dataclass(frozen=True)
class Line:
    key: str  # the form's field name, also the row's anchor on the page
    label: str
    amounts: list[Decimal]  # this return's first, then each compared return's
    flags: list[str]  # the messages of the flags about this line


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line]
    totals: list[Decimal] | None  # money in and money out are totalled


@dataclass(frozen=True)
class Entry:
    """One step of the conversation about a return."""

    when: datetime
    who: str
    what: str  # "Sent", "Question", "Accepted"
    version: int
    text: str


def earlier_returns(row: MonitoringReturn) -> list[MonitoringReturn]:
    """The returns sent for the account's two periods before this one (the newest version
    of each), newest first."""
    found: dict = {}
    for earlier in db.session.execute(
        select(MonitoringReturn)
        .where(
            MonitoringReturn.account_id == row.account_id,
            MonitoringReturn.period_start < row.period_start,
            MonitoringReturn.status.in_(SENT),
        )
        .order_by(MonitoringReturn.period_start.desc(), MonitoringReturn.version.desc())
        .limit(COMPARED * 4)  # a period has few versions
    ).scalars():
        found.setdefault(earlier.period_start, earlier)
    return list(found.values())[:COMPARED]


def _value(figures: Figures, key: str) -> Decimal:
    if key.startswith("spend_"):
        return figures.spending[key.removeprefix("spend_")]
    return getattr(figures, key)


def sections(row: MonitoringReturn, earlier: list[MonitoringReturn]) -> list[Section]:
    """The return's lines, each with its flags and the compared returns' figures."""
    columns = [figures_of(r) for r in [row, *earlier]]
    flagged: dict[str, list[str]] = {}
    for flag in row.flags:
        flagged.setdefault(LINE_OF_FLAG.get(flag["code"], ""), []).append(flag["message"])
    result = []
    for title, lines in SECTIONS:
        built = [
            Line(key, label, [_value(f, key) for f in columns], flagged.get(key, []))
            for key, label in lines
        ]
        totals = None
        if title != "At the end of the period":
            # The opening balance is not money in: the total is what came in in the period.
            totals = [
                sum((line.amounts[i] for line in built if line.key != "opening"), ZERO)
                for i in range(len(columns))
            ]
        result.append(Section(title, built, totals))
    return result


def conversation_record(row: MonitoringReturn, *, council: bool) -> list[Entry]:
    """Every version of the period's return: when it was sent and by whom (with what they
    wrote), the question asked about it, or its acceptance, oldest first. The note of what
    an officer checked before accepting is the council's own record: only `council` staff
    see it."""
    history = versions(row.account_id, row.period_start)[::-1]
    ids = {r.submitted_by_id for r in history} | {r.decided_by_id for r in history}
    names = dict(
        db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids - {None}))).all()
    )
    entries = []
    for version in history:
        if version.submitted_at is not None:
            who = names.get(version.submitted_by_id, "")
            entries.append(
                Entry(version.submitted_at, who, "Sent", version.version, version.explanation)
            )
        if version.decided_at is None:
            continue
        who = names.get(version.decided_by_id, "")
        if version.query_message:
            entries.append(
                Entry(version.decided_at, who, "Question", version.version, version.query_message)
            )
        else:
            note = (version.decision_note or "") if council else ""
            entries.append(Entry(version.decided_at, who, "Accepted", version.version, note))
    return entries
