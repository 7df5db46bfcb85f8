"""Bulk import (issue 16): a 10,000-person export from a case-management system, as one
workbook with sheets of people, accounts, bank details and budgets (40,000 rows), checked by
the dry run the import pages run (the upload read by the strict reader, every row checked
with the officers' forms, matched against what we hold, the report kept), beside openpyxl's
bare read-only parse of the same file. Half the people and their accounts are already held, so
the dry run matches as well as creates. The dry run must write nothing: the bench counts the
rows of every table an import writes to, before and after.

With --apply N, also applies the first N people's rows (4 rows each) through the services, as
the imports job does, and prints the rate (what decides IMPORT_ROWS_IN_REQUEST).

Usage: python bench/bulk_import.py [PEOPLE] [--apply N]   (default 10000; BENCH_DATABASE_URL
for PostgreSQL)
"""

from __future__ import annotations

import io
import logging
import resource
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bench._common import fresh_app, result_line, server_cpu_seconds
from dp_portal.accounts.models import Account, BankDetailsChange, Person, Representative
from dp_portal.auth.models import Role, User
from dp_portal.core.audit import AuditEvent
from dp_portal.core.bulk import insert_rows
from dp_portal.core.types import utcnow
from dp_portal.extensions import db
from dp_portal.imports import services
from dp_portal.imports.engine import apply_sets
from dp_portal.imports.fields import Kind
from dp_portal.imports.mapping import offer
from dp_portal.imports.models import ImportReference
from dp_portal.payments import services as payments
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.payments.rates import RateKind

HEADINGS = {
    "People": [
        "Client ID",
        "Title",
        "Forename",
        "Surname",
        "DOB",
        "Address 1",
        "Address 2",
        "Town",
        "Postcode",
        "Email",
        "Phone",
        "Letter format",
    ],
    "Accounts": ["Service ref", "Client ID", "SDS option", "Start", "End", "Status", "Team"],
    "Bank details": ["Service ref", "Payee", "Sort code", "Account number"],
    "Budgets": ["Service ref", "Starts on", "PA hours", "Weekly", "Contribution", "Basis"],
}
TOWNS = ["Glenarden", "Portree", "Kelso", "Oban", "Elgin", "Peebles"]
POSTCODES = ["EH1 1YZ", "IV51 9AA", "TD5 7BB", "PA34 4AA", "IV30 1AB", "EH45 8AA"]
TABLES = (Person, Representative, Account, BankDetailsChange, Budget, BudgetLine, AuditEvent,
          ImportReference)  # fmt: skip


def export(people: int) -> bytes:
    """The case-management export: one workbook, four sheets, written as a program would."""
    book = Workbook(write_only=True)
    sheets = {title: book.create_sheet(title) for title in HEADINGS}
    for title, sheet in sheets.items():
        sheet.append(HEADINGS[title])
    for n in range(people):
        town = n % len(TOWNS)
        sheets["People"].append([
            f"SW{n:06d}", "", f"Forename{n}", f"Surname{n % 977}",
            date(1930 + n % 70, 1 + n % 12, 1 + n % 28), f"{1 + n % 200} High Street",
            "Flat 2" if n % 5 == 0 else "", TOWNS[town], POSTCODES[town],
            f"person{n}@example.org" if n % 3 else "", "01632 960001", "Standard",
        ])  # fmt: skip
        sheets["Accounts"].append([
            f"CM{n:06d}", f"SW{n:06d}", "Option 1" if n % 4 else "Option 4",
            date(2026, 4, 6), None, "Active", f"Team {town}",
        ])  # fmt: skip
        sheets["Bank details"].append([f"CM{n:06d}", f"PAYEE {n}", "08-99-99", "66374958"])
        sheets["Budgets"].append([
            f"CM{n:06d}", date(2026, 4, 6), 10 + n % 30 / 2, 25 if n % 7 == 0 else None,
            0, "net",
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def hold_half(people: int, officer: User) -> None:
    """The first half of the file's people and their accounts are already held (written in
    bulk, as a council's earlier load would have left them)."""
    now = utcnow()
    held = range(people // 2)
    insert_rows(db.session, Person.__table__, [
        {"id": n + 1, "client_reference": f"SW{n:06d}", "first_name": f"Forename{n}",
         "last_name": f"Surname{n % 977}", "date_of_birth": date(1930 + n % 70, 1 + n % 12,
         1 + n % 28), "address_line_1": f"{1 + n % 200} High Street", "town": TOWNS[n % 6],
         "postcode": POSTCODES[n % 6], "letter_format": "standard", "created_at": now}
        for n in held
    ])  # fmt: skip
    insert_rows(db.session, Account.__table__, [
        {"id": n + 1, "reference": f"DP{n + 1:06d}", "person_id": n + 1, "sds_option": 1,
         "status": "active", "start_date": date(2026, 4, 6), "correspondent": "person",
         "created_at": now}
        for n in held
    ])  # fmt: skip
    insert_rows(db.session, ImportReference.__table__, [
        {"reference": f"CM{n:06d}", "account_id": n + 1, "created_at": now} for n in held
    ])  # fmt: skip
    if db.engine.dialect.name == "postgresql":
        for table in ("people", "accounts"):
            db.session.execute(
                db.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            )
    db.session.commit()


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.execute(select(func.count()).select_from(model)).scalar()
        for model in TABLES
    }


def bare_parse(data: bytes) -> int:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))
    book.close()
    return rows


def dry_run(data: bytes, officer: User) -> tuple[float, float, object]:
    """The two requests of the pages: the upload (read and kept) and the check (columns as
    offered, every row checked, the report kept). Seconds of each, and the import."""
    started = time.perf_counter()
    record = services.start(data, "export.xlsx", "Mosaic", officer)
    read = time.perf_counter() - started
    chosen = {
        sheet.position: (Kind(sheet.kind), offer("Mosaic", Kind(sheet.kind), sheet.headings).fields)
        for sheet in record.sheets
    }
    services.check(record, chosen, officer)
    return read, time.perf_counter() - started - read, record


def main(people: int, apply_people: int) -> None:
    logging.disable(logging.WARNING)
    app = fresh_app("bulk_import")
    with app.app_context():
        officer = User(email="bench@council.example", full_name="Bench Officer",
                       role=Role.FINANCE_OFFICER, password_hash="x")  # fmt: skip
        db.session.add(officer)
        db.session.flush()
        for kind, value in ((RateKind.LIVING_WAGE, "12.60"), (RateKind.HOLIDAY, "12.07")):
            payments.add_rate_row(kind, date(2025, 4, 1), Decimal(value), "bench", actor=officer)
        db.session.commit()
        hold_half(people, officer)
        data = export(people)
        print(f"file: {len(data) / 1e6:.1f} MB, {people:,} people, {4 * people:,} rows")
        started, parse_cpu = time.perf_counter(), time.process_time()
        parsed = bare_parse(data)
        baseline, parse_cpu = time.perf_counter() - started, time.process_time() - parse_cpu
        before = counts()
        cpu, server = time.process_time(), server_cpu_seconds(db.session)
        read, check, record = dry_run(data, officer)
        cpu, server = time.process_time() - cpu, server_cpu_seconds(db.session) - server
        db.session.commit()  # the import's own record and report: nothing else
        assert counts() == before, f"the dry run wrote rows: {before} -> {counts()}"
        assert record.problem_count == 0, record.report["problems"][:3]
        print(
            f"openpyxl read-only parse: {baseline:.2f} s, CPU {parse_cpu:.2f} s ({parsed:,} rows)"
        )
        print(
            f"dry run: upload read and kept {read:.2f} s, check {check:.2f} s; CPU {cpu:.2f} s "
            f"(database server {server:.2f} s); {record.created_count:,} new, "
            f"{record.updated_count:,} changed, "
            f"{record.unchanged_count:,} unchanged"
        )
        print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        if apply_people:
            timed_apply(apply_people, officer)
        total = read + check
        print(result_line("bulk_import dry run", f"{total:.2f} s", f"{baseline:.2f} s",
                          total / baseline))  # fmt: skip


def timed_apply(people: int, officer: User) -> None:
    """Apply rows for `people` new people (4 rows each) as the job would, in one transaction."""
    sets = {
        "people": [{"client_reference": f"AP{n:06d}", "first_name": "Apply", "last_name": f"N{n}",
                    "address_line_1": "1 Road", "town": "Oban", "postcode": "PA34 4AA"}
                   for n in range(people)],
        "accounts": [{"account_reference": f"CA{n:06d}", "client_reference": f"AP{n:06d}",
                      "sds_option": "1", "start_date": "2026-04-06"} for n in range(people)],
        "bank_details": [{"account_reference": f"CA{n:06d}", "payee_name": f"PAYEE {n}",
                          "sort_code": "089999", "account_number": "66374958"}
                         for n in range(people)],
        "budgets": [{"account_reference": f"CA{n:06d}", "effective_from": "2026-04-06",
                     "pa_hours": "12", "weekly_contribution": "0"} for n in range(people)],
    }  # fmt: skip
    started = time.perf_counter()
    result = apply_sets(sets, officer, "Bench apply")
    db.session.commit()
    seconds = time.perf_counter() - started
    assert result.state == "applied", result.report.problems[:3]
    print(f"apply: {4 * people:,} rows in {seconds:.1f} s, {4 * people / seconds:.0f} rows a "
          f"second ({seconds / people * 1000:.0f} ms a person with account, bank details and "
          "budget)")  # fmt: skip


if __name__ == "__main__":
    args = sys.argv[1:]
    apply_n = 0
    if "--apply" in args:
        at = args.index("--apply")
        apply_n = int(args[at + 1])
        del args[at : at + 2]
    main(int(args[0]) if args else 10_000, apply_n)
