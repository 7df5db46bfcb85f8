"""Build, approve and commit one payment run for a whole council, with its bank file, beside a
raw executemany insert of the same payment rows.

Usage: python bench/payment_run.py [N] [PAIRS]   (default 100000 accounts and 5 pairs;
BENCH_DATABASE_URL for PostgreSQL)

Each pair (a run and its baseline) is measured in a process of its own, as a single pair
always was, and the pair with the middle ratio is the result: on a shared machine one pair's
ratio moved by a tenth or more either way from one minute to the next (docs/benchmarks.md),
more than the changes it was meant to tell apart. Every pair is printed.

The demo councils are built in child processes, each just before what it is measured with,
so the peak memory printed is the payment run's own (the process that builds, approves and
commits), not the demo data generator's.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

from bench._common import Timer, database_cpu_seconds, fresh_app, result_line
from dp_portal import create_app
from dp_portal.auth.models import User
from dp_portal.config import TestConfig
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.payments import run_decisions, run_files
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.run_build import build_run, payment_schedule

OFFICERS = ("finance@demo.glenarden.example", "finance2@demo.glenarden.example")


def _demo_database(label: str, n: int) -> tuple[str, float]:
    """In a child process: a fresh database holding the demo council. Returns its URL."""
    logging.disable(logging.WARNING)
    app = fresh_app(label)
    with app.app_context():
        with Timer() as demo:
            build_demo(n, seed=1)
            db.session.commit()
        # Closed as a council's database is between working days: SQLite moves the demo's
        # write-ahead log (180 MB at 100,000 accounts, one transaction) into the database file
        # when its last connection closes. Left open, the measured process's first commit
        # copied all of it again (the run's build, or the baseline's insert).
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # And as autovacuum leaves it between working days: vacuumed and analysed. Left
            # freshly loaded, the planner knew nothing of 100,000 accounts: the approval's
            # and the commit's check of the payees took 115 ms each instead of a millisecond,
            # and autovacuum's own pass over 180 MB could land inside the measured run.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return app.config["SQLALCHEMY_DATABASE_URI"], demo.seconds


def _in_child(label: str, n: int) -> tuple[str, float]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        return pool.submit(_demo_database, label, n).result()


def _remove(url: str) -> None:
    """A SQLite benchmark database is 180 MB: remove its folder once measured."""
    if url.startswith("sqlite:///"):
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)


def _cpu(engine) -> float:
    """This process's CPU seconds and those of the database's server processes."""
    return time.process_time() + database_cpu_seconds(engine)


def _app_on(url: str):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        MAIL_OUTBOX_DIR = Path(url.removeprefix("sqlite:///")).parent / "outbox"

    return create_app(Config)


def steps(app) -> tuple[dict[str, float], int, int, int]:
    """Build, approve, commit and write the Bacs file, each committed as a request would.
    Returns each step's seconds, the run id, the payments committed and the file's lines."""
    officer, second = (
        db.session.execute(select(User).where(User.email == email)).scalar_one()
        for email in OFFICERS
    )
    schedule = payment_schedule(app.config)
    index = schedule.index_of(date(2026, 11, 23))
    seconds = {}
    with Timer() as build:
        built_ahead = schedule.period(index).start - timedelta(days=14)
        run = build_run(index, schedule=schedule, actor=officer, today=built_ahead)
        db.session.commit()
    seconds["build"] = build.seconds
    with Timer() as approve:
        run_decisions.approve_run(run, actor=second)
        db.session.commit()
    seconds["approve"] = approve.seconds
    with Timer() as commit:
        count = run_decisions.commit_run(run.id, actor=second)
        db.session.commit()
    seconds["commit"] = commit.seconds
    with Timer() as files:
        standard18 = run_files.bank_file(run.id, app.config, "txt")
    seconds["file"] = files.seconds
    return seconds, run.id, count, len(standard18.splitlines())


def measure_pair(n: int) -> None:
    """One run and its baseline, each on a council of its own, printed."""
    logging.disable(logging.WARNING)
    url, demo_seconds = _in_child("run", n)
    app = _app_on(url)
    with app.app_context():
        cpu_before = _cpu(db.engine)
        seconds, run_id, count, file_lines = steps(app)
        cpu_run = _cpu(db.engine) - cpu_before
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = [
            {k: v for k, v in r._mapping.items() if k not in ("id", "run_id")}
            for r in db.session.execute(select(Payment.__table__).where(Payment.run_id == run_id))
        ]
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    whole = sum(seconds.values())

    # Baseline: the same payment rows inserted with one executemany, in one transaction, into
    # the payments table of a database holding the same accounts, built just before it as the
    # run's was (the operating system is still writing out a new council's 180 MB).
    baseline_url = _in_child("run_baseline", n)[0]
    baseline = _app_on(baseline_url)
    with baseline.app_context():
        with db.engine.connect() as warm:  # the server process exists before it is counted
            warm.execute(select(1))
        cpu_before = _cpu(db.engine)
        with Timer() as raw, db.engine.begin() as conn:
            conn.execute(insert(Payment.__table__), rows)
        cpu_raw = _cpu(db.engine) - cpu_before
        db.engine.dispose()
    _remove(url)
    _remove(baseline_url)

    print(f"database: {dialect}")
    print(f"accounts: {n} (demo data built in {demo_seconds:.1f} s, in a child process)")
    print(f"payments in the run: {count}, bank file lines: {file_lines}")
    print(f"build (price every account, arrears, run lines): {seconds['build']:.2f} s")
    print(f"approve: {seconds['approve']:.3f} s")
    print(f"commit (payments and ledger credits, one transaction): {seconds['commit']:.2f} s")
    print(f"Bacs Standard 18 payment file: {seconds['file']:.2f} s")
    print(f"whole run: {whole:.2f} s")
    print(f"peak memory of the run's process: {peak_mb:.0f} MB")
    print(f"raw executemany of the same {len(rows)} payment rows: {raw.seconds:.2f} s")
    print(result_line("payment_run", f"{whole:.2f} s", f"{raw.seconds:.2f} s", whole / raw.seconds))
    print(
        result_line(
            "payment_run, CPU time (with the database server's)",
            f"{cpu_run:.2f} s",
            f"{cpu_raw:.2f} s",
            cpu_run / cpu_raw,
        )
    )


RATIO = re.compile(r"^payment_run: .* ratio (\d+\.\d+)$", re.MULTILINE)
CPU = re.compile(r"^payment_run, CPU time.*$", re.MULTILINE)


def main(n: int, pairs: int) -> None:
    if pairs == 1:
        measure_pair(n)
        return
    measured = []
    for number in range(1, pairs + 1):
        done = subprocess.run(  # noqa: S603 - this script, run again for one pair
            [sys.executable, __file__, str(n), "1"], capture_output=True, text=True, check=False
        )
        if done.returncode:  # the pair's own error, not only that it failed
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(done.returncode)
        print(f"pair {number} of {pairs}:")
        print("    " + done.stdout.strip().replace("\n", "\n    "), flush=True)
        line = RATIO.search(done.stdout)
        measured.append((float(line.group(1)), line.group(0), CPU.search(done.stdout).group(0)))
    measured.sort()
    ratios = ", ".join(f"{ratio:.2f}" for ratio, _, _ in measured)
    _, middle, cpu = measured[len(measured) // 2]  # of an even number, the higher middle one
    print(f"the pair with the middle ratio of {pairs} (ratios, lowest first: {ratios}):")
    print(cpu)
    print(middle)


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
    )
