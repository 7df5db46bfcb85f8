"""Providers' invoices of delivered hours (issue 14, part B): each provider uploads one XLSX
invoice of its people for a period; time reading it (the upload rules and the strict
spreadsheet reader), the cap check against what remains of each person's budget for the year,
and posting it (lines written, then committed), beside openpyxl's bare read-only parse of the
same file, the two in turn on each file so both see the same load; the CPU time of each
beside the wall time (ours with the database server's), which a shared machine's load moves
far less. The period's rows and plans are made first, as the scheduler's periods job makes
them on the period's first day (an invoice makes any that are missing; tests cover both).

Usage: python bench/provider_invoices.py [PROVIDERS] [LINES]   (defaults 500 and 200)
"""

from __future__ import annotations

import io
import logging
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from bench._common import fresh_app, result_line
from bench.returns import timed_in_turn
from dp_portal.accounts.models import Account
from dp_portal.auth.models import Role, User
from dp_portal.core.types import utcnow
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.isf.delivery_models import IsfInvoiceLine
from dp_portal.isf.invoice_services import submit_invoice
from dp_portal.isf.invoice_upload import build_template, read_invoice
from dp_portal.isf.models import IsfAgreement, IsfAgreementVersion
from dp_portal.isf.period_jobs import open_periods
from dp_portal.payments.models import Budget
from dp_portal.payments.rate_models import ProviderRate
from dp_portal.payments.run_build import payment_schedule
from dp_portal.third_party.models import Organisation

START, END = date(2026, 4, 6), date(2026, 5, 3)


def providers(count: int) -> list[tuple[Organisation, User]]:
    found = []
    for n in range(count):
        org = Organisation(
            name=f"Bench Care {n}",
            kind="provider",
            pooled_payee_name="BENCH CARE",
            pooled_sort_code="309634",
            pooled_account_number="00733445",
        )
        db.session.add(org)
        db.session.flush()
        user = User(
            email=f"bench{n}@provider.example",
            full_name=f"Bench {n}",
            role=Role.PROVIDER_STAFF,
            organisation_id=org.id,
            password_hash="x",
        )
        rate = ProviderRate(
            organisation_id=org.id,
            effective_from=date(2025, 4, 1),
            hourly_pence=2400,
            service_type="day",
            source_note="bench",
        )
        db.session.add_all([user, rate])
        found.append((org, user))
    db.session.flush()
    return found


def agreements(pairs, accounts: list[tuple[int, int]], lines: int, officer_id: int) -> None:
    """Each provider paid on invoice for `lines` accounts (their approved budgets)."""
    before = db.session.execute(select(func.max(IsfAgreement.id))).scalar_one() or 0
    for number, (org, _user) in enumerate(pairs):
        mine = accounts[number * lines : (number + 1) * lines]
        db.session.execute(
            insert(IsfAgreement.__table__),
            [
                {"account_id": a, "organisation_id": org.id, "created_by_id": officer_id}
                for a, _ in mine
            ],
        )
    rows = db.session.execute(
        select(IsfAgreement.id, IsfAgreement.account_id).where(IsfAgreement.id > before)
    ).all()
    budgets = dict(accounts)
    db.session.execute(
        insert(IsfAgreementVersion.__table__),
        [
            {
                "agreement_id": agreement_id,
                "version": 1,
                "status": "active",
                "starts_on": date(2026, 4, 1),
                "annual_budget_pence": 1_500_000 if agreement_id % 7 else 30_000,
                "budget_id": budgets[account_id],
                "money_holder": "council",
                "payment_basis": "invoice",
                "management_fee_bp": 0,
                "contribution_to": "none",
                "bankable_hours_hundredths": 2000,
                "reporting_frequency": "quarterly",
                "underspend": "reviewed",
                "created_by_id": officer_id,
                "activated_at": utcnow(),
            }
            for agreement_id, account_id in rows
        ],
    )


def files(pairs, lines: int) -> list[bytes]:
    found = []
    for org, _user in pairs:
        references = db.session.execute(
            select(Account.reference)
            .join(IsfAgreement, IsfAgreement.account_id == Account.id)
            .where(IsfAgreement.organisation_id == org.id)
            .order_by(Account.id)
        ).scalars()
        book = load_workbook(
            io.BytesIO(build_template([(r, "A person", "day") for r in references], START, END))
        )
        sheet = book["Invoice"]
        sheet["B2"] = f"B-{org.id}"
        for row in range(7, 7 + lines):
            sheet[f"D{row}"] = 40 + row % 5 * 0.25
        out = io.BytesIO()
        book.save(out)
        found.append(out.getvalue())
    return found


def bare_parse(data: bytes) -> None:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for _row in book["Invoice"].iter_rows(values_only=True):
        pass
    book.close()


def main(n_providers: int, n_lines: int) -> None:
    logging.disable(logging.WARNING)
    app = fresh_app("provider_invoices")
    with app.app_context():
        build_demo(n_providers * n_lines, seed=1)
        db.session.commit()
        officer = db.session.execute(
            select(User.id).where(User.role == Role.FINANCE_OFFICER).limit(1)
        ).scalar_one()
        accounts = db.session.execute(
            select(Budget.account_id, Budget.id)
            .where(Budget.status == "approved")
            .order_by(Budget.account_id, Budget.version.desc())
        ).all()
        accounts = list(dict(accounts).items())  # one budget an account
        pairs = providers(n_providers)
        agreements(pairs, accounts, n_lines, officer)
        schedule = payment_schedule(app.config)
        # The period's rows and plans, as the scheduler makes them on its first day.
        job_started = time.perf_counter()
        opened = open_periods(START, schedule)
        db.session.commit()
        job_seconds = time.perf_counter() - job_started
        uploads = files(pairs, n_lines)
        keys = [(org.id, user.id) for org, user in pairs]
        # Each upload starts as a request does: nothing in the session, the provider and the
        # signed-in user read from the database (before, the set-up's thousand providers
        # and users stayed in it, and every commit expired them all: 4 ms an invoice).
        db.session.expunge_all()

        def post(item) -> None:
            (org_id, user_id), data = item
            # As a request: Flask-Login loads the signed-in user (their organisation joined,
            # auth/models.py), then isf/scope.own_provider gets the provider from the session.
            user = db.session.get(User, user_id)
            org = db.session.get(Organisation, org_id)
            submit_invoice(org, read_invoice(data, "invoice.xlsx"), actor=user, schedule=schedule)
            db.session.commit()
            db.session.expunge_all()  # the request's end

        bare, ours, cpu = timed_in_turn(bare_parse, post, list(zip(keys, uploads, strict=True)))
        dialect = db.engine.dialect.name
        held = db.session.execute(
            select(func.count()).select_from(IsfInvoiceLine).where(IsfInvoiceLine.state == "held")
        ).scalar_one()

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    print(
        f"database: {dialect}, providers: {n_providers}, lines each: {n_lines} "
        f"({held} lines held over the cap)"
    )
    print(f"the periods job: {opened} periods opened with their plans in {job_seconds:.2f} s")
    print(f"bare openpyxl read-only parse: p50 {p(bare, 50):.1f} ms, p95 {p(bare, 95):.1f} ms")
    print(f"parse + cap check + post:      p50 {p(ours, 50):.1f} ms, p95 {p(ours, 95):.1f} ms")
    print(
        result_line(
            "provider_invoices", f"{sum(ours):.2f} s", f"{sum(bare):.2f} s", sum(ours) / sum(bare)
        )
    )
    print(
        result_line(
            "provider_invoices, CPU time (ours with the database server's)",
            f"{cpu[1]:.2f} s",
            f"{cpu[0]:.2f} s",
            cpu[1] / cpu[0],
        )
    )


if __name__ == "__main__":
    started = time.perf_counter()
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 500,
        int(sys.argv[2]) if len(sys.argv) > 2 else 200,
    )
