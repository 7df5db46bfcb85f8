"""The pooled account statement part of bench/client_money.py (run from there): November's
statement of n_lines lines for the organisation's clients, imported whole (checked, parsed,
classified, matched, assigned, saved, then posted), beside a raw insert of the same statement
lines and sub-ledger lines in the same run; then November's reconciliation page with its
differences listed from the statement."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from bench._common import Timer, result_line, server_cpu_seconds

NOVEMBER = date(2026, 11, 1)
PAID_ON = date(2026, 11, 2)
COUNCIL_PENCE = 200_000  # each client's council payment for the period
UNASSIGNED_EVERY = 1000  # one line in a thousand shows no client's reference
PAYEES = ("WAGES J SMITH", "HMRC PAYE", "NEST PENSION", "CARE AGENCY INV")


def _council_payments(account_ids: list[int], builder_id: int) -> None:
    """The council's committed run for November, posted to each client's sub-ledger (as its
    commit does)."""
    from dp_portal.client_money.services import post_committed_run
    from dp_portal.extensions import db
    from dp_portal.payments.ledger_models import Payment
    from dp_portal.payments.run_models import PaymentRun

    run = PaymentRun(
        period_index=900,
        period_start=NOVEMBER,
        period_end=NOVEMBER + timedelta(days=27),
        pay_date=PAID_ON,
        built_by_id=builder_id,
    )
    db.session.add(run)
    db.session.flush()
    common = {
        "run_id": run.id,
        "period_index": 900,
        "period_start": NOVEMBER,
        "period_end": NOVEMBER + timedelta(days=27),
        "payee_type": "organisation",
        "amount_pence": COUNCIL_PENCE,
        "pay_date": PAID_ON,
        "breakdown_json": '{"segments": [], "offsets": []}',
    }
    db.session.execute(insert(Payment), [{**common, "account_id": a} for a in account_ids])
    post_committed_run(run.id)
    db.session.commit()


def _only_ours(org_id: int, account_ids: list[int]) -> list[int]:
    """The clients no demo organisation also manages (a run pays one pooled account each)."""
    from dp_portal.extensions import db
    from dp_portal.third_party.models import Mandate

    others = set(
        db.session.execute(
            select(Mandate.account_id).where(
                Mandate.organisation_id != org_id, Mandate.scope == "manage_money"
            )
        ).scalars()
    )
    return [a for a in account_ids if a not in others]


def _statement(references: list[str], n_lines: int) -> tuple[bytes, list[tuple]]:
    """The CSV (as a bank exports it) and its lines as (day, description, pence)."""
    rng = random.Random(2)
    per_client = max(2, n_lines // len(references))
    lines = []
    for ref in references:
        lines.append((PAID_ON, f"BRAMBLE COUNCIL SDS {ref}", COUNCIL_PENCE))
        for _ in range(per_client - 1):
            unassigned = len(lines) % UNASSIGNED_EVERY == 7
            payee = "SUNDRY" if unassigned else f"{ref} {rng.choice(PAYEES)}"
            day = NOVEMBER.replace(day=rng.randint(3, 30))
            lines.append((day, payee, -rng.randrange(100, 2000)))
    lines = sorted(lines[:n_lines], key=lambda line: line[0])
    text = "Date,Description,Amount\n" + "".join(
        f"{d.isoformat()},{desc},{p / 100:.2f}\n" for d, desc, p in lines
    )
    return text.encode(), lines


def _raw_rows(org_id: int, statement_id: int, statement, balance_ids, by_ref, ids) -> tuple:
    """The rows the import writes: the same lines with their own fingerprints (a unique index
    of random-looking keys costs more to fill than one of numbers in order), and each
    sub-ledger line naming its statement line and who posted it."""
    from dp_portal.core.money import to_pence
    from dp_portal.core.types import utcnow
    from dp_portal.monitoring.statements import fingerprints

    user_id, first_id = ids
    now = utcnow()
    statement_rows, posting_rows = [], []
    prints = fingerprints(statement.lines)
    for offset, (line, fingerprint) in enumerate(zip(statement.lines, prints, strict=True)):
        description, pence = line.description, to_pence(line.amount)
        account_id = by_ref.get(description.split()[0]) or by_ref.get(description.split()[-1])
        statement_rows.append(
            {
                "id": first_id + offset,
                "statement_id": statement_id,
                "organisation_id": org_id,
                "row_number": line.row,
                "line_date": line.day,
                "description": description,
                "amount_pence": pence,
                "balance_pence": None,
                "fingerprint": fingerprint,
                "category": "pa_wages",
                "reason": "raw",
                "payment_id": None,
                "account_id": account_id,
                "assigned_reason": "raw",
            }
        )
        if account_id is not None and pence < 0:
            posting_rows.append(
                {
                    "balance_id": balance_ids[account_id],
                    "organisation_id": org_id,
                    "account_id": account_id,
                    "entry_date": line.day,
                    "kind": "pa_wages",
                    "amount_pence": pence,
                    "balance_after_pence": 0,
                    "description": description,
                    "payment_id": None,
                    "corrects_posting_id": None,
                    "statement_line_id": first_id + offset,
                    "created_by_id": user_id,
                    "created_at": now,
                }
            )
    return statement_rows, posting_rows


def _raw_insert(org_id: int, user_id: int, data: bytes, account_ids) -> tuple[float, float]:
    """The baseline: the same statement lines and sub-ledger lines, inserted raw, rolled back.
    Returns its wall and CPU seconds."""
    from dp_portal.accounts.models import Account
    from dp_portal.core.bank_statements import read_statement
    from dp_portal.core.bulk import insert_rows
    from dp_portal.extensions import db
    from dp_portal.third_party.money_models import ClientBalance, ClientPosting
    from dp_portal.third_party.money_statement_models import PooledStatement, PooledStatementLine

    balance_ids = dict(
        db.session.execute(
            select(ClientBalance.account_id, ClientBalance.id).where(
                ClientBalance.organisation_id == org_id
            )
        ).all()
    )
    by_ref = dict(
        db.session.execute(
            select(Account.reference, Account.id).where(Account.id.in_(account_ids))
        ).all()
    )
    row = PooledStatement(
        organisation_id=org_id,
        status="imported",
        source="CSV",
        original_name="raw.csv",
        stored_name="raw",
        sha256="0" * 64,
        size=0,
        imported_by_id=user_id,
    )
    db.session.add(row)
    db.session.flush()
    first_id = 1 + (db.session.execute(select(func.max(PooledStatementLine.id))).scalar() or 0)
    statement = read_statement(data, max_lines=len(data))
    statement_rows, posting_rows = _raw_rows(
        org_id, row.id, statement, balance_ids, by_ref, (user_id, first_id)
    )
    cpu = _cpu(db.session)
    with Timer() as raw:
        insert_rows(db.session, PooledStatementLine.__table__, statement_rows)
        insert_rows(db.session, ClientPosting.__table__, posting_rows)
        db.session.flush()
    cpu = _cpu(db.session) - cpu
    db.session.rollback()
    _clear_away(db.engine)
    return raw.seconds, cpu


def _clear_away(engine) -> None:
    """On PostgreSQL the rolled-back rows stay in the tables and their indexes until a vacuum
    (SQLite leaves nothing): the import would check each of its fingerprints and line ids
    against the baseline's dead copies. A server vacuums them soon enough; here, at once."""
    from sqlalchemy import text

    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) pooled_statement_lines, client_postings"))


def _cpu(session) -> float:
    """CPU seconds of this process and of the database server serving `session` (with the
    load of a shared machine, wall time measures the queue for a core as much as the work)."""
    return time.process_time() + server_cpu_seconds(session)


def statement_run(app, org_id: int, staff_ids: list[int], account_ids: list[int], n_lines: int):
    """The import's and November's page's result lines."""
    from bench.client_money import PAGE_LOADS, TODAY, _page_ms
    from dp_portal.accounts.models import Account
    from dp_portal.auth.models import User
    from dp_portal.client_money import pooled_import, pooled_posting, reconcile
    from dp_portal.core.money import from_pence
    from dp_portal.core.permissions import Viewer
    from dp_portal.extensions import db

    with app.app_context():
        account_ids = _only_ours(org_id, account_ids)
        _council_payments(account_ids, staff_ids[0])
        references = list(
            db.session.execute(
                select(Account.reference).where(Account.id.in_(account_ids)).order_by(Account.id)
            ).scalars()
        )
        data, lines = _statement(references, n_lines)
        raw, raw_cpu = _raw_insert(org_id, staff_ids[0], data, account_ids)
        staff = Viewer(db.session.get(User, staff_ids[0]), TODAY)
        cpu = _cpu(db.session)
        with Timer() as imported:
            done = pooled_import.import_statement(staff, data=data, filename="november.csv")
            posted = pooled_posting.post_statement(staff, done.row.id)
            db.session.commit()
        cpu = _cpu(db.session) - cpu
        rec = reconcile.start_month(staff, NOVEMBER.isoformat())
        listed = len(reconcile.month_page(staff, rec).differences.items)  # its first page
        reconcile.enter_closing(staff, rec, from_pence(sum(p for _, _, p in lines)))
        db.session.commit()
        rec_id = rec.id
        db.session.remove()
    page_ms = _page_ms(app, staff_ids[0], rec_id)
    return [
        f"(statement: {len(lines)} lines, {len(data) / 1e6:.1f} MB, {posted} posted, "
        f"{listed} differences on the first page; page mean of {PAGE_LOADS})",
        result_line(
            "client_money statement import",
            f"{imported.seconds:.2f} s",
            f"{raw:.2f} s (raw insert of the lines and postings)",
            imported.seconds / raw,
        ),
        result_line(
            "client_money statement import, CPU time (with the database server's)",
            f"{cpu:.2f} s",
            f"{raw_cpu:.2f} s",
            cpu / raw_cpu,
        ),
        f"client_money reconciliation page (from the statement): {page_ms:.0f} ms",
    ]
