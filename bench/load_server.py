"""The server side of the load benchmark: production settings with throwaway secrets, the app
under gunicorn on a free loopback port, and the CPU time of gunicorn and of PostgreSQL's server
processes for the bench database (sampled while they run, since connections come and go).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import psycopg

from bench.load_api import LIMITS

ROOT = Path(__file__).resolve().parent.parent


def production_environment(database_url: str, folder: Path) -> dict[str, str]:
    """DP_ENV=production with every setting it insists on, none of them real: a fresh random
    secret each run, a mail server nothing is sent to (no page in the mix sends mail), and a
    council that is not the sample one. One trusted proxy, as behind nginx, so each virtual
    user's X-Forwarded-For is its address and the production sign-in limits apply per person.
    """
    return {
        "DP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "DP_INSTANCE_DIR": str(folder),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "2525",
        "PUBLIC_BASE_URL": "https://portal.load.bench.example",
        "COUNCIL_NAME": "Loadtest Council",
        "COUNCIL_ADDRESS": "1 Bench Street, Loadtest",
        "COUNCIL_EMAIL": "dp@load.bench.example",
        "COUNCIL_PHONE": "01000 000000",
        "LETTER_SIGNATORY": "A Bench",
        "LETTER_SIGNATORY_TITLE": "Load test",
        "MAIL_FROM": "dp@load.bench.example",
        "BACS_ORIGINATOR_SORT_CODE": "089999",
        "BACS_ORIGINATOR_ACCOUNT": "66374958",
        "BACS_ORIGINATOR_NAME": "LOADTEST COUNCIL",
        "TRUSTED_PROXY_COUNT": "1",
    } | LIMITS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving bench/load_wsgi.py: started, waited for, and stopped."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path):
        self.port = free_port()
        command = [
            sys.executable, "-m", "gunicorn",
            # Production's settings (preload, gc.freeze in each worker, the access log, worker
            # replacement), with the bench's address, workers and threads on top.
            "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--threads", str(threads),
            "--worker-class", "gthread" if threads > 1 else "sync",
            "--timeout", "60",
            # Longer than a person's think time, as nginx's default keep-alive (75 s): with
            # gunicorn's 2 s a browser's next POST can meet a connection the server has just
            # closed (a GET is retried; a POST is not), which is the test's fault, not the app's.
            "--keep-alive", "75",
            "--log-level", "warning",
            "bench.load_wsgi:app",
        ]  # fmt: skip
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=os.environ | env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not answer /healthz within 2 minutes")

    def cpu_seconds(self) -> float:
        """User and system CPU of the master and its workers so far, with the workers it has
        replaced (max_requests): their CPU is the master's reaped children's."""
        try:
            master = psutil.Process(self.process.pid)
            family = [master, *master.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0.0
        for process in family:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
            if process is master:
                total += times.children_user + times.children_system
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class DatabaseCpu:
    """CPU seconds of the PostgreSQL server processes serving one database, sampled every half
    second (a connection's process, and its CPU time, goes when the connection closes), and
    a hook run at each sample with the sampling connection (the bench puts an approved run
    back to waiting), so the bench's own queries never count as the server's."""

    def __init__(self, url: str, each=None):
        """`url`: the database's own URL."""
        self.url, self.database, self.each = url, url.rsplit("/", 1)[1], each
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.5):
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid != "
                    "pg_backend_pid()",
                    (self.database,),
                ).fetchall()
                for (pid,) in pids:
                    self.seen[pid] = max(self.seen.get(pid, 0.0), cpu_of(pid))
                if self.each is not None:
                    self.each(conn)

    def seconds(self) -> float:
        return sum(self.seen.values())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(timeout=10)
        return self.seconds()


def cpu_of(pid: int) -> float:
    """User and system CPU seconds of process `pid` so far (0 once it has gone)."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system
