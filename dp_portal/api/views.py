"""The endpoints: each a declaration (what the OpenAPI document says of it) and its handler
(read the parameters, call one service, shape the answer), side by side."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

from ..monitoring.lifecycle import ReturnStatus
from . import shapes
from .endpoints import Call, Endpoint, api_endpoint
from .journal import KINDS, JournalQuery, journal_page
from .params import ChoiceParam, CursorParam, DateParam, IntParam, Param, ReferenceParam
from .reads import ListQuery, recoveries_page, returns_page, runs_page
from .rules import Scope

LIMIT = Param("limit", "How many rows a page holds at most", IntParam(1, 1000), default=100)
ACCOUNT = Param("account", "Only this account (its reference, like DP000123)", ReferenceParam(20))
JOURNAL_CURSOR = CursorParam("journal")
RETURNS_CURSOR = CursorParam("returns")
RECOVERIES_CURSOR = CursorParam("recoveries")
RUNS_CURSOR = CursorParam("runs")


def cursor(kind: CursorParam) -> Param:
    return Param(
        "cursor",
        "Read on after this position: the `next_cursor` of an earlier page, sent with the "
        "same filters. Leave it out to start from the beginning.",
        kind,
    )


def dates(after: str, before: str) -> tuple[Param, Param]:
    return (
        Param("from", f"Only {after} on or after this day", DateParam()),
        Param("to", f"Only {before} on or before this day (not before `from`)", DateParam()),
    )


def answer(name: str, items: list[dict], kind: CursorParam, last_id: int, has_more: bool):
    """A page of a list: its items, the cursor to read on from, and the path that does."""
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    position = kind.encode(last_id)
    following = f"{request.path}?{urlencode({**args, 'cursor': position})}"
    return shapes.paged(name, items, position, has_more, following)


def list_query(call: Call) -> ListQuery:
    p = call.params
    return ListQuery(
        p["cursor"] or 0,
        p["limit"],
        account=p.get("account"),
        status=p.get("status"),
        date_from=p.get("from"),
        date_to=p.get("to"),
    )


JOURNAL = Endpoint(
    "GET",
    "/journal",
    "journal",
    "The finance journal: payments and ledger entries",
    "Every ledger entry of every account, in the order they were written: committed payments "
    "(with their payment run), the person's contributions, corrections and money paid back. "
    "Keep the last `next_cursor` and read on from it later: each entry is returned exactly "
    "once, and entries written later appear only after it. Dates filter on the entry's date.",
    shapes.JOURNAL_PAGE,
    scope=Scope.LEDGER_READ,
    params=(
        *dates("entries dated", "entries dated"),
        Param("kind", "Only entries of this kind", ChoiceParam(KINDS)),
        cursor(JOURNAL_CURSOR),
        LIMIT,
    ),
    problems=(503,),
    tag="Finance",
)


@api_endpoint(JOURNAL)
def journal(call: Call) -> dict:
    p = call.params
    page = journal_page(JournalQuery(p["cursor"] or 0, p["limit"], p["from"], p["to"], p["kind"]))
    entries = shapes.journal_entries(page)
    return answer("entries", entries, JOURNAL_CURSOR, page.last_id, page.has_more)


RUNS = Endpoint(
    "GET",
    "/payment-runs",
    "payment_runs",
    "Committed payment runs",
    "Each committed payment run: its period, pay date, how many payments and the total, to "
    "match against the bank. Dates filter on the pay date.",
    shapes.RUNS_PAGE,
    scope=Scope.PAYMENTS_READ,
    params=(*dates("runs paid", "runs paid"), cursor(RUNS_CURSOR), LIMIT),
    tag="Finance",
)


@api_endpoint(RUNS)
def payment_runs(call: Call) -> dict:
    page = runs_page(list_query(call))
    return answer("runs", shapes.runs(page), RUNS_CURSOR, page.last_id, page.has_more)


RETURNS = Endpoint(
    "GET",
    "/returns",
    "returns",
    "Financial monitoring returns and their status",
    "Each return (each version sent is a row of its own), with its period, due date, status "
    "and whether it is overdue. Replaced versions are left out unless asked for with "
    "`status=superseded`. Dates keep the returns whose period overlaps them.",
    shapes.RETURNS_PAGE,
    scope=Scope.RETURNS_READ,
    params=(
        ACCOUNT,
        Param("status", "Only returns with this status", ChoiceParam(tuple(ReturnStatus))),
        *dates("returns whose period ends", "returns whose period starts"),
        cursor(RETURNS_CURSOR),
        LIMIT,
    ),
    tag="Monitoring",
)


@api_endpoint(RETURNS)
def returns(call: Call) -> dict:
    page = returns_page(list_query(call))
    return answer("returns", shapes.returns(page), RETURNS_CURSOR, page.last_id, page.has_more)


RECOVERIES = Endpoint(
    "GET",
    "/recoveries",
    "recoveries",
    "Recoveries: money asked back, repaid and still owed",
    "Each recovery with the amount asked back, how much has come back (from later payments "
    "or paid by the person) and what is still owed.",
    shapes.RECOVERIES_PAGE,
    scope=Scope.RECOVERIES_READ,
    params=(
        ACCOUNT,
        Param(
            "status",
            "Only recoveries with this status",
            ChoiceParam(("open", "recovered", "cancelled")),
        ),
        cursor(RECOVERIES_CURSOR),
        LIMIT,
    ),
    tag="Monitoring",
)


@api_endpoint(RECOVERIES)
def recoveries(call: Call) -> dict:
    page = recoveries_page(list_query(call))
    items = shapes.recoveries(page)
    return answer("recoveries", items, RECOVERIES_CURSOR, page.last_id, page.has_more)
