"""How long `flask dp demo` takes to build a council, beside a raw executemany of the same rows.

Usage: python bench/demo_data.py [N]   (default 100000; BENCH_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text

from bench._common import Timer, fresh_app, result_line
from dp_portal.accounts.models import Account, Person, Representative
from dp_portal.auth.models import User
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.third_party.models import Mandate, Organisation

TABLES = [
    m.__table__
    for m in (Organisation, User, Person, Representative, Account, Mandate, Budget, BudgetLine)
]


def main(n: int) -> None:
    logging.disable(logging.WARNING)
    app = fresh_app("demo")
    with app.app_context():
        with Timer() as build:
            build_demo(n, seed=1)
            db.session.commit()
        # Generated columns (people's search columns) are the database's to fill.
        rows = {
            table: [
                dict(r._mapping)
                for r in db.session.execute(select(*(c for c in table.c if c.computed is None)))
            ]
            for table in TABLES
        }
        dialect = db.engine.dialect.name

    # Baseline: the same rows, already built, inserted with one executemany per table into an
    # empty copy of the schema, in one transaction. No generation, no ORM, no audit.
    baseline_app = fresh_app("demo_baseline")
    with baseline_app.app_context():
        with Timer() as raw, db.engine.begin() as conn:
            for table in TABLES:
                if rows[table]:
                    conn.execute(insert(table), rows[table])
        count = db.session.execute(select(func.count()).select_from(Account)).scalar()
        assert count == n, count
        db.session.execute(text("SELECT 1"))

    print(f"database: {dialect}")
    print(f"accounts: {n}")
    print(
        "build_demo (generate and insert people, representatives, accounts, mandates, "
        "priced budgets and their lines): "
        f"{build.seconds:.2f} s"
    )
    print(
        "raw executemany of the same rows (organisations, people, representatives, "
        f"accounts, mandates, budgets, budget lines): {raw.seconds:.2f} s"
    )
    print(
        result_line(
            "demo_data",
            f"{build.seconds:.2f} s",
            f"{raw.seconds:.2f} s",
            build.seconds / raw.seconds,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
