"""The locustfile bench/load.py runs: each virtual user plays its part from the plan
(bench/load_users.py), one request per task, with a think time between requests.

Settings come from the environment bench/load.py sets: LOAD_PLAN (the plan's JSON file),
LOAD_USERS (how many users the cast is for), LOAD_THINK ("low,high" seconds between a user's
requests) and LOAD_MODE ("mix", or "hello" for the server's own cost).
"""

from __future__ import annotations

import itertools
import json
import os
from urllib.parse import urlencode

from locust import FastHttpUser, between, task
from locust.exception import StopUser

from bench import load_flows as flows
from bench.load_flows import Response
from bench.load_inprocess import Browser
from bench.load_users import Stepper, cast

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 - read once
USERS = int(os.environ.get("LOAD_USERS", "50"))
LOW, HIGH = (float(x) for x in os.environ.get("LOAD_THINK", "0,0").split(","))
MODE = os.environ.get("LOAD_MODE", "mix")
CAST = cast(PLAN, USERS) if MODE == "mix" else []
NUMBERS = itertools.count()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class _Hello:
    """A user that only asks for the hello-world page."""

    part = "hello"

    def visits(self):
        while True:
            yield "127.0.0.1", flows.hello()


class PortalUser(FastHttpUser):
    wait_time = between(LOW, HIGH)
    # Each user is one person at one browser: one connection, as a browser keeps.
    concurrency = 1

    def on_start(self) -> None:
        number = next(NUMBERS)
        self.stepper = Stepper(CAST[number % len(CAST)] if CAST else _Hello())
        self.browser = Browser()

    @task
    def next_request(self) -> None:
        if self.stepper.done:
            raise StopUser()
        request = self.stepper.pending
        if self.stepper.fresh:
            self.browser.cookies.clear()
        headers = {"X-Forwarded-For": self.stepper.address} | (request.headers or {})
        if self.browser.cookies:
            headers["Cookie"] = self.browser.header()
        body = None
        if request.data is not None:
            body, headers = urlencode(request.data), headers | FORM
        with self.client.request(
            request.method,
            request.path,
            name=request.name,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            text = answer.text or ""
            got = answer.headers or {}
            location = got.get("Location", "") if got else ""
            problem = request.problem(answer.status_code, text, location)
            if problem:
                answer.failure(problem)
            else:
                answer.success()
            if got:
                self.browser.keep(got.getlist("Set-Cookie"))
        self.stepper.answer(None if problem else Response(answer.status_code, text, location))
