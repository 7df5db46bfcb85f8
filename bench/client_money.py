"""Client money at scale: an organisation with CLIENTS clients posts a month's LINES bank
lines to their sub-ledgers (the rules of client_money/batch.py: every line checked, no
balance below zero, balances locked, one bulk insert) and reconciles the month; beside a raw
insert of the same rows in the same run. Then the reconciliation page's time (the month's
figures with their working, rendered), beside the bare sum of the organisation's lines.

Then the next month's pooled account statement of LINES lines is imported whole (the file
checked and parsed, each line classified, council payments matched, each line given to a
client, the lines saved, then posted: client_money/pooled_import.py, pooled_posting.py),
beside a raw insert of the same statement lines and sub-ledger lines in the same run; and
that month's reconciliation page, its differences listed from the statement.

Usage: python bench/client_money.py [CLIENTS] [LINES]   (defaults 1000 and 100000)
"""

from __future__ import annotations

import random
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bench._common import Timer, fresh_app, result_line

MONTH = date(2026, 10, 1)
TODAY = date(2026, 12, 3)
PAGE_LOADS = 10


def _clients(n_clients: int):
    """An organisation, two of its staff, and n_clients accounts it manages."""
    from dp_portal.auth.models import Role
    from dp_portal.demo import build_demo
    from dp_portal.extensions import db
    from dp_portal.third_party.models import Mandate
    from tests.factories import Factory

    build_demo(n_clients, seed=1)
    factory = Factory(db.session)
    org = factory.organisation(name="Bench Money Management", kind="money_management")
    staff = [factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id) for _ in "ab"]
    from dp_portal.accounts.models import Account

    ids = db.session.execute(select(Account.id).order_by(Account.id)).scalars().all()
    db.session.execute(
        insert(Mandate),
        [
            {
                "organisation_id": org.id,
                "account_id": a,
                "scope": "manage_money",
                "starts_on": date(2026, 1, 1),
                "consent_recorded_on": date(2026, 1, 1),
            }
            for a in ids
        ],
    )
    db.session.commit()
    return org.id, [s.id for s in staff], ids


def _lines(account_ids: list[int], n_lines: int):
    """Each client: money in first, then spending that never goes below zero."""
    from dp_portal.client_money.batch import Line
    from dp_portal.client_money.ledger import Entry
    from dp_portal.third_party.money_models import PostingKind

    rng = random.Random(1)
    per_client = max(2, n_lines // len(account_ids))
    lines = []
    for account_id in account_ids:
        lines.append(
            Line(account_id, Entry(PostingKind.CONTRIBUTION, Decimal("5000"), MONTH, "In"))
        )
        for _ in range(per_client - 1):
            day = MONTH.replace(day=rng.randint(2, 31))
            amount = Decimal(rng.randrange(100, 4000)).scaleb(-2)
            kind = rng.choice([PostingKind.PA_WAGES, PostingKind.HMRC, PostingKind.FEE])
            lines.append(Line(account_id, Entry(kind, amount, day, "Bank line")))
    return lines[:n_lines]


def _raw_rows(org_id: int, lines, balance_ids: dict[int, int]) -> list[dict]:
    from dp_portal.client_money.ledger import signed_pence
    from dp_portal.core.types import utcnow

    now = utcnow()
    return [
        {
            "balance_id": balance_ids[line.account_id],
            "organisation_id": org_id,
            "account_id": line.account_id,
            "entry_date": line.entry.entry_date,
            "kind": line.entry.kind.value,
            "amount_pence": signed_pence(line.entry.kind, line.entry.amount),
            "balance_after_pence": 0,
            "description": line.entry.description,
            "payment_id": None,
            "corrects_posting_id": None,
            "statement_line_id": None,
            "created_by_id": None,
            "created_at": now,
        }
        for line in lines
    ]


def run(n_clients: int, n_lines: int) -> None:
    from dp_portal.client_money import ledger, reconcile
    from dp_portal.client_money.batch import post_batch
    from dp_portal.core.bulk import insert_rows
    from dp_portal.core.permissions import Viewer
    from dp_portal.extensions import db
    from dp_portal.third_party.money_models import ClientPosting

    app = fresh_app("client_money")
    with app.app_context():
        org_id, staff_ids, account_ids = _clients(n_clients)
        lines = _lines(account_ids, n_lines)
        balance_ids = {a: ledger.balance_for(org_id, a).id for a in account_ids}
        db.session.commit()
        rows = _raw_rows(org_id, lines, balance_ids)
        with Timer() as raw:
            insert_rows(db.session, ClientPosting.__table__, rows)
            db.session.flush()
        db.session.rollback()  # the baseline leaves nothing behind
        with Timer() as posted:
            post_batch(org_id, lines, actor=None, what="bench statement")
            db.session.commit()
        dialect = db.engine.dialect.name

        from dp_portal.auth.models import User

        preparer = db.session.get(User, staff_ids[0])
        rec = reconcile.start_month(Viewer(preparer, TODAY), MONTH.isoformat())
        total = reconcile.month_page(Viewer(preparer, TODAY), rec).figures.ledger_total
        reconcile.enter_closing(Viewer(preparer, TODAY), rec, total)
        db.session.commit()
        rec_id = rec.id
        with Timer() as bare:
            for _ in range(PAGE_LOADS):
                db.session.execute(
                    select(func.sum(ClientPosting.amount_pence)).where(
                        ClientPosting.organisation_id == org_id,
                        ClientPosting.entry_date <= date(2026, 10, 31),
                    )
                ).scalar_one()
        db.session.remove()
    page_ms = _page_ms(app, staff_ids[0], rec_id)
    from bench.client_money_statement import statement_run

    statement_lines = statement_run(app, org_id, staff_ids, account_ids, n_lines)
    print(f"({dialect}, {n_clients} clients, {len(lines)} lines)")
    print(
        result_line(
            "client_money post",
            f"{posted.seconds:.2f} s",
            f"{raw.seconds:.2f} s (raw insert)",
            posted.seconds / raw.seconds,
        )
    )
    bare_ms = bare.seconds * 1000 / PAGE_LOADS
    print(
        result_line(
            "client_money reconciliation page",
            f"{page_ms:.0f} ms",
            f"{bare_ms:.0f} ms (bare sum of the lines)",
            page_ms / bare_ms,
        )
    )
    for line in statement_lines:
        print(line)


def _page_ms(app, user_id: int, rec_id: int) -> float:
    """The month's page as staff open it: signed in, rendered, mean of PAGE_LOADS."""
    from dp_portal.auth.models import User
    from dp_portal.extensions import db
    from tests.conftest import sign_in_as

    client = app.test_client()
    with app.app_context():
        sign_in_as(client, db.session.get(User, user_id))
        db.session.commit()
    client.get(f"/money/reconciliations/{rec_id}")  # warm-up
    with Timer() as timer:
        for _ in range(PAGE_LOADS):
            assert client.get(f"/money/reconciliations/{rec_id}").status_code == 200
    return timer.seconds * 1000 / PAGE_LOADS


if __name__ == "__main__":
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    n_lines = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    run(clients, n_lines)
