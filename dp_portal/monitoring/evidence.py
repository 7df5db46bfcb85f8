"""Evidence sent with a return: bank statements, timesheets, payslips, invoices, receipts.

Every file passes core/uploads' rules; a return takes a limited number of files and bytes
(EVIDENCE_MAX_FILES, EVIDENCE_MAX_TOTAL_MB); nothing is added to an accepted return.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.uploads import EVIDENCE, UploadError, check_upload, store
from ..extensions import db
from .lifecycle import ReturnStatus
from .models import EVIDENCE_AREA, Evidence, MonitoringReturn


def latest_status(account_id: int, period_start: date) -> str | None:
    """The status of the latest version of the period's return (None: no return yet)."""
    return db.session.execute(
        select(MonitoringReturn.status)
        .where(
            MonitoringReturn.account_id == account_id,
            MonitoringReturn.period_start == period_start,
        )
        .order_by(MonitoringReturn.version.desc())
        .limit(1)
    ).scalar()


def _accepted_message() -> str:
    return (
        "This return has been accepted, so no more files can be added to it. To send more, "
        "start an amendment from the return's page (we review it again), or call the direct "
        f"payments team on {current_app.config['COUNCIL_PHONE']}"
    )


def evidence_limits() -> tuple[int, int]:
    """(files, bytes) one return may carry: EVIDENCE_MAX_FILES and EVIDENCE_MAX_TOTAL_MB."""
    config = current_app.config
    return config["EVIDENCE_MAX_FILES"], config["EVIDENCE_MAX_TOTAL_MB"] * 1024 * 1024


def _room_for(account: Account, period_start: date, size: int) -> None:
    """Refuse a file the return cannot take. The account row is locked first (on
    PostgreSQL) so that two uploads at once cannot both squeeze under the limit."""
    db.session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    if latest_status(account.id, period_start) == ReturnStatus.ACCEPTED:
        raise UploadError(_accepted_message())
    count, total = db.session.execute(
        select(func.count(Evidence.id), func.coalesce(func.sum(Evidence.size), 0)).where(
            Evidence.account_id == account.id, Evidence.period_start == period_start
        )
    ).one()
    max_files, max_bytes = evidence_limits()
    if count >= max_files:
        raise UploadError(
            f"This return already has {count} files, the most one return can have. If you "
            "need to send more, put several pages into one PDF, or contact the direct "
            "payments team"
        )
    if total + size > max_bytes:
        raise UploadError(
            f"The files for this return would come to more than {max_bytes // 1024 // 1024} "
            f"MB together (they are {(total + 1023) // 1024 // 1024 or 1} MB now without "
            "this one). Send a smaller copy, for example a scan at a lower resolution"
        )


def add_evidence(
    account: Account,
    period_start: date,
    *,
    kind: str,
    filename: str,
    data: bytes,
    actor: User,
) -> Evidence:
    """Check a file against the upload rules and the return's limits, store it, and record
    it. The stored file is removed again if the request's transaction rolls back."""
    checked = check_upload(data, filename, EVIDENCE)
    _room_for(account, period_start, len(data))
    stored = store(data, EVIDENCE_AREA, checked.kind)
    row = Evidence(
        account_id=account.id,
        period_start=period_start,
        kind=kind,
        original_name=checked.name,
        stored_name=stored.stored_name,
        content_type=checked.kind.content_type,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    audit.record(
        actor,
        "return.evidence_added",
        row,
        account_id=account.id,
        summary=f"{Evidence.KINDS[kind]} added for {period_start:%d %B %Y}",
        after={"name": row.original_name, "sha256": stored.sha256, "size": stored.size},
    )
    return row


def evidence_for(account_id: int, period_start: date) -> list[Evidence]:
    return list(
        db.session.execute(
            select(Evidence)
            .where(Evidence.account_id == account_id, Evidence.period_start == period_start)
            .order_by(Evidence.id)
        ).scalars()
    )
