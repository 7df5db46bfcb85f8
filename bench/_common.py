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
