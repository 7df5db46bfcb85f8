"""The load benchmark's first baseline: the same users making the same requests, one at a time,
through the Flask test client in this process (no server, no network, no concurrency): what
the pages themselves cost. The users take turns a request each, so the mix of pages is the
served run's mix.
"""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

from bench.load_flows import Request, Response
from bench.load_users import Stepper, VirtualUser


class Samples:
    """Milliseconds each request took, by page name, and the wrong answers."""

    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.seconds = 0.0

    def add(self, name: str, ms: float) -> None:
        self.times.setdefault(name, []).append(ms)

    @property
    def count(self) -> int:
        return sum(len(t) for t in self.times.values())


class Browser:
    """One virtual user's cookies (kept by hand, as the server-run driver keeps them: the
    session cookie is Secure, and these requests are plain HTTP on loopback)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def keep(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def send(client, browser: Browser, request: Request, address: str) -> tuple[Response, float]:
    headers = {"X-Forwarded-For": address} | (request.headers or {})
    if browser.cookies:
        headers["Cookie"] = browser.header()
    start = time.perf_counter()
    answer = client.open(request.path, method=request.method, data=request.data, headers=headers)
    text = answer.get_data(as_text=True)
    ms = (time.perf_counter() - start) * 1000
    browser.keep(answer.headers.getlist("Set-Cookie"))
    return Response(answer.status_code, text, answer.headers.get("Location", "")), ms


def run(app, users: list[VirtualUser], seconds: float, reset=None, meter=None) -> Samples:
    """Round after round, each user sends its next request, until `seconds` have passed.
    `reset(name)` is called after each request (the bench puts an approved run back);
    `meter` (bench/load_profile.py) is told where each request's time went."""
    client = app.test_client(use_cookies=False)
    steppers = [Stepper(user) for user in users]
    browsers = [Browser() for _ in users]
    samples = Samples()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        live = [(s, b) for s, b in zip(steppers, browsers, strict=True) if not s.done]
        if not live:
            break
        for stepper, browser in live:
            request = stepper.pending
            if stepper.fresh:
                browser.cookies.clear()
            if meter is not None:
                meter.start()
            response, ms = send(client, browser, request, stepper.address)
            samples.add(request.name, ms)
            if meter is not None:
                meter.stop(request.name, ms)
            problem = request.problem(response.status, response.text, response.location)
            if problem:
                samples.errors.append(problem)
            if reset is not None:
                reset(request.name)
            stepper.answer(None if problem else response)
    samples.seconds = time.perf_counter() - start
    return samples
