"""Shared set-up for the benchmarks: a fresh, migrated database and an app bound to it."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from dp_portal import create_app
from dp_portal.config import TestConfig


def fresh_app(label: str):
    """An app on a new database: SQLite in a temp folder, or BENCH_DATABASE_URL (PostgreSQL,
    whose public schema is dropped first)."""
    folder = Path(tempfile.mkdtemp(prefix=f"dp_bench_{label}_"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_DIR = folder
        MAIL_OUTBOX_DIR = folder / "outbox"
        EVIDENCE_DIR = folder / "evidence"  # the file store, in the benchmark's own folder

    app = create_app(Config)
    with app.app_context():
        upgrade()
    return app


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def result_line(name: str, figure: str, baseline: str, ratio: float) -> str:
    return f"{name}: {figure} vs baseline {baseline}, ratio {ratio:.2f}"


def server_cpu_seconds(session) -> float:
    """CPU seconds the PostgreSQL server process serving `session`'s connection has used (0 on
    SQLite, whose work is this process's own). Read from /proc, so only on the same machine.

    With the load of a shared machine, wall time measures the queue for a core as much as the
    code; CPU time (this process's `time.process_time()` plus the server process's) barely
    moves with load, so it says what a quiet machine would take."""
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    return _cpu_of(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def database_cpu_seconds(engine) -> float:
    """CPU seconds used so far by every PostgreSQL client server process connected to
    `engine`'s database (a web app's requests take pooled connections), 0 on SQLite.

    The one that asks is counted too: the pool hands that same connection to the work measured
    next (leaving it out once left a payment run baseline's insert with none of its server's
    time). Autovacuum workers, which come and go on their own, are left out."""
    from sqlalchemy import text

    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as connection:
        pids = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend'"
            )
        ).scalars()
        return sum(_cpu_of(pid) for pid in pids)


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # the connection closed meanwhile
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
