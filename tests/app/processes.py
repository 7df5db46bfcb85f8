"""Processes a test starts for itself (servers, schedulers, Redis), each in a session of its
own with its output in a file, waited for by what it logs, and stopped with everything it
started: nothing is left running after the test."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the suite's virtualenv: flask, gunicorn
# `make prod`, with the suite's own virtualenv and stylesheet (make does not build them again).
MAKE_PROD = ["make", "--no-print-directory", "-o", "prod-install", "-o", "prod-assets", "prod"]
STARTUP_SECONDS = 180  # a web host migrates and boots its workers on a CI machine that is busy


class Started:
    """A process of the test's own, in a session of its own, its output kept in a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.log = name, folder / f"{name}.log"
        with open(self.log, "wb") as out:
            self.popen = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, seconds: float = STARTUP_SECONDS) -> re.Match:
        found = eventually(lambda: re.search(pattern, self.output()), seconds, self)
        assert found, f"{self.name} never logged {pattern!r}:\n{self.output()[-3000:]}"
        return found

    def exited(self, seconds: float = STARTUP_SECONDS) -> int:
        try:
            return self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.name} is still running:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        stop_all([self])


def stop_all(processes: list[Started]) -> None:
    """SIGTERM to each one's whole session (make, gunicorn and its workers) at once, then
    SIGKILL to whatever is left after a grace period."""
    for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        alive = [p.popen.pid for p in processes if group_alive(p.popen.pid)]
        for pgid in alive:
            with suppress(ProcessLookupError):
                os.killpg(pgid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(map(group_alive, alive)):
            for process in processes:
                process.popen.poll()  # reap it, or its group never empties
            time.sleep(0.1)
    for process in processes:
        process.popen.poll()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def eventually(check: Callable, seconds: float, process: Started | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        if process is not None and process.popen.poll() is not None:
            return check()  # it has stopped: what it wrote is all there will be
        time.sleep(0.2)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(folder: Path) -> tuple[Started, str]:
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the several-hosts test: apt-get install redis-server")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    for _ in range(5):  # a port taken between choosing it and binding it: choose again
        port = free_port()
        argv = [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        redis = Started(f"redis-{port}", [*argv, "--appendonly", "no"], {}, folder)
        if redis.wait_for(r"Ready to accept connections|already in use", 30)[0].startswith("Ready"):
            return redis, f"redis://127.0.0.1:{port}/0"
        redis.stop()
    pytest.fail("redis-server did not start on any of 5 free ports")
