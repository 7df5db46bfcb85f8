"""What each kind of virtual user does, as generators of requests: the same flows drive locust
against the server (bench/load_locust.py) and the Flask test client in one process with no
server (bench/load_inprocess.py), so both baselines see the same pages in the same order.

A flow yields a `Request` and is sent back the `Response`. Each request says what a right
answer is (its status, and text the right page shows or where it redirects); a driver counts
anything else as an error and ends that visit. Pages are named by route (`/returns/<id>`),
never by a URL with ids in it.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass, field
from decimal import Decimal

CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Request:
    method: str
    route: str  # the page's name in the report: its route, never a URL with ids
    path: str
    data: dict | None = None
    status: int = 200
    shows: str = ""  # 200: text the right page contains; 302: the start of where it goes
    headers: dict | None = None  # sent as well (an API token)

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}"

    def problem(self, status: int, text: str, location: str) -> str | None:
        """Why the answer is wrong (None: it is right)."""
        if status != self.status:
            return f"{self.name}: status {status}, expected {self.status}"
        if status == 302 and not _path_of(location).startswith(self.shows):
            return f"{self.name}: redirected to {_path_of(location)}, expected {self.shows}"
        if status == 200 and self.shows not in text:
            return f"{self.name}: the page does not show {self.shows!r}"
        return None


@dataclass
class Response:
    status: int
    text: str
    location: str = ""


class WrongPage(Exception):
    """Sent into a flow when an answer is wrong: the visit ends there."""


Flow = Generator[Request, Response, None]


def _path_of(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


def csrf(text: str) -> str:
    found = CSRF.search(text)
    return found.group(1) if found else ""


def field_value(text: str, name: str) -> Decimal:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', text)
    value = (found.group(1) if found else "").replace(",", "").replace("£", "")
    return Decimal(value or "0")


@dataclass
class Identity:
    """A virtual user's sign-in, and the X-Forwarded-For address it comes from (the bench
    app trusts one proxy, as behind nginx: each person has an address of their own, so the
    production sign-in limits hold as they would)."""

    email: str
    password: str
    address: str
    work: dict = field(default_factory=dict)


def sign_in(who: Identity) -> Flow:
    page = yield Request("GET", "/sign-in", "/sign-in", shows="Sign in")
    form = {"csrf_token": csrf(page.text), "email": who.email, "password": who.password}
    yield Request("POST", "/sign-in", "/sign-in", form, status=302, shows="/")


def recipient(who: Identity) -> Flow:
    """A person signs in, looks at their home page, their account, a return they sent before,
    fills in this period's return and sends it, and signs out."""
    work = who.work
    account, start = work["account_id"], work["start"]
    yield from sign_in(who)
    yield Request("GET", "/", "/", shows="Your direct payments")
    yield Request("GET", "/accounts/<id>", f"/accounts/{account}", shows="Where we pay the money")
    yield Request("GET", "/returns/<id>", f"/returns/{work['seen_return']}", shows="Return for")
    form_path = f"/accounts/{account}/returns/{start}"
    page = yield Request("GET", "/accounts/<id>/returns/<start>", form_path, shows="Return for")
    sent = yield Request(
        "POST",
        "/accounts/<id>/returns/<start>",
        form_path,
        _filled_in(page.text),
        status=302,
        shows="/returns/",
    )
    page = yield Request("GET", "/returns/<id>", _path_of(sent.location), shows="Return for")
    yield Request("POST", "/sign-out", "/sign-out", {"csrf_token": csrf(page.text)}, 302, "/")


def _filled_in(page: str) -> dict:
    """The figures a careful person types: 93% of what came in spent on wages, the rest in
    the bank, so the return adds up."""
    opening, received = field_value(page, "opening"), field_value(page, "council_payments")
    wages = (received * Decimal("0.93")).quantize(Decimal("0.01"))
    closing = opening + received - wages
    return {
        "csrf_token": csrf(page),
        "opening": str(opening),
        "council_payments": str(received),
        "spend_pa_wages": str(wages),
        "closing": str(closing),
        "bank_balance": str(closing),
        "send": "Send the return",
    }


def officer(who: Identity, visit: int) -> Flow:
    """A finance officer (signed in once, at the start) looks at their home page and the
    review queue, reviews the next return of their own share and accepts it (or, one time in
    five, asks a question about it), then opens the payment runs and the run waiting for a
    second officer, and approves it on every third visit (the first visit approves and the
    second asks a question, so a short run has every page)."""
    work = who.work
    home = yield Request("GET", "/", "/", shows="What needs doing")
    yield Request("GET", "/returns", "/returns", shows="Returns to review")
    return_id = work["returns"][visit % len(work["returns"])]
    page = yield Request("GET", "/returns/<id>", f"/returns/{return_id}", shows="Return for")
    token = csrf(page.text) or csrf(home.text)
    if visit % 5 == 1:
        data = {"csrf_token": token, "message": "Please send the bank statement for May."}
        yield Request("POST", "/returns/<id> (question)", f"/returns/{return_id}", data, 302, "/")
    else:
        data = {"accept-csrf_token": token, "accept-note": "Checked against the statement"}
        path = f"/returns/{return_id}/accept"
        yield Request("POST", "/returns/<id>/accept", path, data, 302, "/returns/")
    yield Request("GET", "/returns/<id>", f"/returns/{return_id}", shows="Return for")
    yield Request("GET", "/payment-runs", "/payment-runs", shows="Payment runs")
    run_path = f"/payment-runs/{work['run_id']}"
    page = yield Request("GET", "/payment-runs/<id>", run_path, shows="Payments for")
    if visit % 3 == 0 and "/approve" in page.text:
        data = {"csrf_token": csrf(page.text)}
        yield Request("POST", "/payment-runs/<id>/approve", run_path + "/approve", data, 302, "/")


def org_staff(who: Identity, visit: int) -> Flow:
    """A money management organisation's staff member (signed in once) looks at the accounts
    their organisation manages, their client money home, one client's sub-ledger and the
    pooled account's reconciliation."""
    work = who.work
    client = work["clients"][visit % len(work["clients"])]
    yield Request("GET", "/", "/", shows="manages")
    yield Request("GET", "/money", "/money", shows="Client money")
    yield Request(
        "GET", "/accounts/<id>/client-money", f"/accounts/{client}/client-money", shows="Client"
    )
    path = f"/money/reconciliations/{work['reconciliation']}"
    yield Request("GET", "/money/reconciliations/<id>", path, shows="Reconciliation for")


def hello() -> Flow:
    """The server's own cost: a page that does nothing, on the same server."""
    yield Request("GET", "/_hello", "/_hello", shows="Hello")
