"""The cast of the load benchmark: which of the N virtual users plays which part, whose sign-in
each uses, and the endless series of visits each makes (bench/load_flows.py).

Both drivers use this, so the served run and the in-process baseline have the same users
doing the same things in the same order: out of every 10 users, 4 are people sending returns
(5 when there are no API reads), 3 finance officers, 2 organisation staff and 1 an
integration reading the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bench import load_flows as flows
from bench.load_flows import Flow, Identity, Request, Response

SHARES = {"officer": 3, "org_staff": 2, "api": 1}  # of 10; recipients are the rest


def parts(users: int, api: bool) -> list[str]:
    """The part of each virtual user, by number: spread through the numbers, so a run that
    ramps up (or stops early) has the same mix at every moment."""
    shares = {k: v for k, v in SHARES.items() if api or k != "api"}
    cast = []
    for n in range(users):
        slot = n % 10
        for part, share in shares.items():
            if slot < share:
                cast.append(part)
                break
            slot -= share
        else:
            cast.append("recipient")
    return cast


def _address(kind: int, n: int) -> str:
    # Loopback addresses, only ever written in a header (nothing is sent to them).
    return f"127.{kind}.{n // 250 % 250}.{n % 250 + 1}"


@dataclass
class VirtualUser:
    number: int
    part: str
    plan: dict
    of_part: int  # this user's number among those of its part
    in_part: int  # how many users play this part
    signed_out: bool = True  # staff sign in again after a visit that went wrong

    def visits(self) -> Iterator[tuple[str, Flow]]:
        """(the address it comes from, the visit's flow): endless for staff and integrations;
        a person's visits end when the people in the plan kept for this user have all sent
        their return. Each person's visit starts with a browser of their own (no cookies):
        see `Stepper.fresh`."""
        if self.part == "recipient":
            people = self.plan["recipients"][self.of_part :: self.in_part]
            for n, person in enumerate(people):
                address = _address(1, self.of_part + n * self.in_part)
                yield address, flows.recipient(self._identity(person, address))
            return
        if self.part == "api":
            from bench.load_api import api_reads

            visit = 0
            while True:
                reads = api_reads(self.plan["api"], visit + self.of_part, self.of_part)
                yield _address(3, self.number), reads
                visit += 1
        key = {"officer": "officers", "org_staff": "org_staff"}[self.part]
        who = self._identity(self.plan[key][self.of_part], _address(2, self.number))
        who.work["run_id"] = self.plan["run_id"]
        visit = 0
        while True:
            if self.signed_out:  # at the start, and again after a visit went wrong
                self.signed_out = False
                yield who.address, flows.sign_in(who)  # staff stay signed in all day
                continue
            step = flows.officer if self.part == "officer" else flows.org_staff
            yield who.address, step(who, visit)
            visit += 1

    def _identity(self, work: dict, address: str) -> Identity:
        return Identity(work["email"], self.plan["password"], address, dict(work))


def cast(plan: dict, users: int) -> list[VirtualUser]:
    api = bool(plan.get("api"))
    roles = parts(users, api)
    cast = []
    for number, part in enumerate(roles):
        of_part = roles[:number].count(part)
        cast.append(VirtualUser(number, part, plan, of_part, roles.count(part)))
    needed = {"officer": "officers", "org_staff": "org_staff"}
    for part, key in needed.items():
        if roles.count(part) > len(plan[key]):
            raise SystemExit(f"{users} users need {roles.count(part)} {key}; the plan has fewer")
    return cast


class Stepper:
    """One virtual user's visits, a request at a time: `pending` is the next request, `answer`
    gives it its response and moves on (to the next visit when one ends, or after a wrong
    answer)."""

    def __init__(self, user: VirtualUser):
        self.user = user
        self.visits = user.visits()
        self.flow: Flow | None = None
        self.pending: Request | None = None
        self.address = ""
        self.fresh = False  # the pending request starts a new person's visit: no cookies
        self.recipient = user.part == "recipient"
        self._next_visit()

    def _next_visit(self) -> None:
        self.flow, self.pending = None, None
        for address, flow in self.visits:
            try:
                self.pending = next(flow)
            except StopIteration:
                continue
            # A person's visit, or staff signing in (again): a browser with no cookies.
            self.flow, self.address = flow, address
            self.fresh = self.recipient or getattr(flow, "__name__", "") == "sign_in"
            return

    def answer(self, response: Response | None) -> None:
        """`response` None: the answer was wrong, so this visit ends."""
        assert self.flow is not None
        self.fresh = False
        if response is None:
            self.user.signed_out = True
            self.flow.close()
            self._next_visit()
            return
        try:
            self.pending = self.flow.send(response)
        except StopIteration:
            self._next_visit()

    @property
    def done(self) -> bool:
        return self.pending is None
