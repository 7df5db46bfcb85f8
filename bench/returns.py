"""Parse, validate and reconcile uploaded return spreadsheets against a whole council, beside
openpyxl's bare read-only parse of the same files.

Usage: python bench/returns.py [RETURNS] [ACCOUNTS]   (defaults 10000 and 100000)
"""

from __future__ import annotations

import io
import logging
import statistics
import sys
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook
from sqlalchemy import select

from bench._common import fresh_app, result_line, server_cpu_seconds
from dp_portal.accounts.models import Account
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.monitoring import sending
from dp_portal.monitoring.periods import ReturnPeriod
from dp_portal.monitoring.reconcile import figures_from
from dp_portal.monitoring.template import build_template, read_return
from dp_portal.payments.services import rate_book

START, END = date(2026, 7, 1), date(2026, 9, 30)


def filled_templates(references: list[str]) -> list[bytes]:
    """One filled template per account: built once, then the reference changed in the
    sheet, so making 10,000 files takes seconds rather than minutes."""
    import openpyxl

    base = build_template(
        reference="DPXXXXXX",
        period_start=START,
        period_end=END,
        opening=Decimal("250.00"),
        council_payments=Decimal("3900.00"),
    )
    book = openpyxl.load_workbook(io.BytesIO(base))
    sheet = book["Return"]
    sheet["B12"], sheet["B13"], sheet["B21"], sheet["B22"] = 3500.25, 120.5, 529.25, 529.25
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    files = []
    for reference in references:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for name, content in parts.items():
                if name == "xl/worksheets/sheet1.xml":
                    content = content.replace(b"DPXXXXXX", reference.encode())
                target.writestr(name, content)
        files.append(buffer.getvalue())
    return files


def bare_parse(data: bytes) -> None:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for _row in book["Return"].iter_rows(values_only=True):
        pass
    book.close()


def timed_in_turn(bare_work, our_work, items) -> tuple[list[float], list[float], list[float]]:
    """Seconds each call took, the bare parse and ours in turn on each item, so both see the
    same load on a shared machine (one after the other, a change of load between the two
    halves moved the ratio by more than the code did); and the CPU seconds of each side in
    all (ours counting the database server's too): [bare, ours]."""
    bare, ours, cpu = [], [], [0.0, 0.0]
    server_before = server_cpu_seconds(db.session)
    for item in items:
        started, cpu_started = time.perf_counter(), time.process_time()
        bare_work(item[1])
        middle, cpu_middle = time.perf_counter(), time.process_time()
        our_work(item)
        bare.append(middle - started)
        ours.append(time.perf_counter() - middle)
        cpu[0] += cpu_middle - cpu_started
        cpu[1] += time.process_time() - cpu_middle
    cpu[1] += server_cpu_seconds(db.session) - server_before
    return bare, ours, cpu


def main(n_returns: int, n_accounts: int) -> None:
    logging.disable(logging.WARNING)
    app = fresh_app("returns")
    with app.app_context():
        build_demo(n_accounts, seed=1)
        db.session.commit()
        step = max(1, n_accounts // n_returns)
        accounts = (
            db.session.execute(
                select(Account).order_by(Account.id).where(Account.id % step == 0).limit(n_returns)
            )
            .scalars()
            .all()
        )
        files = filled_templates([a.reference for a in accounts])
        period = ReturnPeriod(START, END, date(2026, 10, 28))
        book = rate_book()  # once, as a web worker's request would build its own
        flagged = []

        def ingest(pair) -> None:
            account, data = pair
            values = read_return(
                data, reference=account.reference, period_start=START, period_end=END
            )
            flagged.append(
                not sending.check(account, figures_from(values), period, book=book).clean
            )

        bare, ours, cpu = timed_in_turn(bare_parse, ingest, zip(accounts, files, strict=True))
        dialect = db.engine.dialect.name

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    print(
        f"database: {dialect}, accounts: {n_accounts}, returns: {len(files)} "
        f"({sum(flagged)} with flags)"
    )
    print(
        f"bare openpyxl read-only parse: p50 {p(bare, 50):.2f} ms, p95 {p(bare, 95):.2f} ms, "
        f"{len(bare) / sum(bare):,.0f} returns/s"
    )
    print(
        f"parse + validate + reconcile:   p50 {p(ours, 50):.2f} ms, p95 {p(ours, 95):.2f} ms, "
        f"{len(ours) / sum(ours):,.0f} returns/s"
    )
    print(result_line("returns", f"{sum(ours):.2f} s", f"{sum(bare):.2f} s", sum(ours) / sum(bare)))
    print(
        result_line(
            "returns, CPU time (ours with the database server's)",
            f"{cpu[1]:.2f} s",
            f"{cpu[0]:.2f} s",
            cpu[1] / cpu[0],
        )
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 100_000,
    )
