"""Build, approve and commit one payment run for a whole council, with its bank file, beside a
raw executemany insert of the same payment rows.

Usage: python bench/payment_run.py [N]   (default 100000; BENCH_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import logging
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bench._common import Timer, fresh_app, result_line
from dp_portal.auth.models import User
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.payments import runs
from dp_portal.payments.models import Payment


def main(n: int) -> None:
    logging.disable(logging.WARNING)
    app = fresh_app("run")
    with app.app_context():
        with Timer() as demo:
            build_demo(n, seed=1)
            db.session.commit()
        schedule = runs.payment_schedule(app.config)
        officer, second = (
            db.session.execute(select(User).where(User.email == email)).scalar_one()
            for email in ("finance@demo.glenarden.example", "finance2@demo.glenarden.example")
        )
        index = schedule.index_of(date(2026, 11, 23))

        with Timer() as build:
            run = runs.build_run(
                index,
                schedule=schedule,
                actor=officer,
                today=schedule.period(index).start - timedelta(days=14),
            )
            db.session.commit()
        with Timer() as approve:
            runs.approve_run(run, actor=second)
            db.session.commit()
        with Timer() as commit:
            count = runs.commit_run(run.id, actor=second)
            db.session.commit()
        with Timer() as files:
            standard18 = runs.bank_file(run.id, app.config, "txt")
        whole = build.seconds + approve.seconds + commit.seconds + files.seconds

        rows = [
            {k: v for k, v in r._mapping.items() if k not in ("id", "run_id")}
            for r in db.session.execute(select(Payment.__table__).where(Payment.run_id == run.id))
        ]
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()

    # Baseline: the same payment rows inserted with one executemany, in one transaction, into
    # the payments table of a database holding the same accounts.
    baseline = fresh_app("run_baseline")
    with baseline.app_context():
        build_demo(n, seed=1)
        db.session.commit()
        with Timer() as raw, db.engine.begin() as conn:
            conn.execute(insert(Payment.__table__), rows)

    print(f"database: {dialect}")
    print(f"accounts: {n} (demo data built in {demo.seconds:.1f} s)")
    print(f"payments in the run: {count}, bank file lines: {len(standard18.splitlines())}")
    print(f"build (price every account, arrears, run lines): {build.seconds:.2f} s")
    print(f"approve: {approve.seconds:.3f} s")
    print(f"commit (payments and ledger credits, one transaction): {commit.seconds:.2f} s")
    print(f"Bacs Standard 18 payment file: {files.seconds:.2f} s")
    print(f"whole run: {whole:.2f} s")
    print(f"raw executemany of the same {len(rows)} payment rows: {raw.seconds:.2f} s")
    print(result_line("payment_run", f"{whole:.2f} s", f"{raw.seconds:.2f} s", whole / raw.seconds))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
