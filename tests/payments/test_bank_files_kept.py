"""A committed run's bank file is made once, at its first download, and kept through the storage
interface: every later download is the same bytes (whatever the settings have become), the
audit log records their SHA-256, and a stored copy that has gone missing is a clear 404."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal as D

from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core import storage
from dp_portal.core.audit import AuditEvent
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.extensions import db
from dp_portal.payments import run_build, run_decisions, services
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.rates import RateKind
from dp_portal.payments.run_models import RunBankFile

from ..conftest import sign_in_as

SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, date(2026, 4, 6))


def committed_run(factory):
    """A committed run paying one account (call inside an app context); (run id, approver)."""
    builder, approver = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    leader = factory.user(Role.TEAM_LEADER)
    services.add_rate_row(RateKind.LIVING_WAGE, date(2025, 4, 1), D("12.60"), "t", actor=leader)
    account = db.session.merge(
        factory.account(payee_name="A TESTER", sort_code="089999", account_number="66374958")
    )
    budget = services.propose_budget(
        account,
        effective_from=date(2026, 4, 6),
        lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=D("20"))],
        weekly_contribution=D("0"),
        contribution_basis="net",
        reason="Assessment",
        actor=builder,
    )
    services.decide_budget(budget, approve=True, note="", actor=leader, ceiling=D("1500"))
    run = run_build.build_run(0, schedule=SCHEDULE, actor=builder, today=date(2026, 1, 5))
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)
    db.session.commit()
    return run.id, approver


def test_every_download_is_the_bank_file_first_made(app, client, factory, db_session, monkeypatch):
    with app.app_context():
        run_id, approver = committed_run(factory)
    sign_in_as(client, approver)
    first = client.get(f"/payment-runs/{run_id}/bank-file.txt")
    assert first.status_code == 200 and first.data.startswith(b"08999966374958099")
    # The council's originator name changes later; the file the bank was sent does not.
    monkeypatch.setitem(app.config, "BACS_ORIGINATOR_NAME", "NEW NAME COUNCIL")
    again = client.get(f"/payment-runs/{run_id}/bank-file.txt")
    assert again.data == first.data
    kept = db_session.execute(select(RunBankFile)).scalar_one()
    assert (kept.fmt, kept.size, kept.sha256) == (
        "txt",
        len(first.data),
        hashlib.sha256(first.data).hexdigest(),
    )
    logged = db_session.execute(
        select(AuditEvent.after_json).where(AuditEvent.action == "download.bank_file")
    ).scalars()
    assert [kept.sha256 in after for after in logged] == [True, True]


def test_each_format_is_kept_once(app, client, factory, db_session):
    with app.app_context():
        run_id, approver = committed_run(factory)
    sign_in_as(client, approver)
    for _ in range(2):
        for fmt in ("txt", "csv"):
            assert client.get(f"/payment-runs/{run_id}/bank-file.{fmt}").status_code == 200
    kept = db_session.execute(select(RunBankFile.fmt).order_by(RunBankFile.fmt)).scalars()
    assert list(kept) == ["csv", "txt"]


def test_a_kept_bank_file_that_has_gone_missing_is_a_clear_404(app, client, factory, db_session):
    with app.app_context():
        run_id, approver = committed_run(factory)
    sign_in_as(client, approver)
    client.get(f"/payment-runs/{run_id}/bank-file.csv")
    kept = db_session.execute(select(RunBankFile)).scalar_one()
    with app.app_context():
        storage.current().delete(kept.storage_key)
    missing = client.get(f"/payment-runs/{run_id}/bank-file.csv")
    assert missing.status_code == 404 and "We cannot find this file" in missing.text
