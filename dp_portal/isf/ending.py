"""Ending an ISF agreement (issue 14): a finance officer ends it from a last day, saying
why. The rules are agreements.py's (check_end, the version's state machine); what a payment
run pays after the last day is payees.py's. Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..extensions import db
from .agreements import VersionStatus, check_end, move_version
from .delivery_models import IsfInvoice, IsfInvoiceLine
from .lifecycles import InvoiceStatus, LineState
from .models import IsfAgreement, IsfAgreementVersion
from .services import waiting_version


def _invoiced_after(agreement: IsfAgreement, last_day: date) -> IsfInvoice | None:
    """An invoice (not rejected) with a line of the agreement for a period after `last_day`."""
    return db.session.execute(
        select(IsfInvoice)
        .join(IsfInvoiceLine, IsfInvoiceLine.invoice_id == IsfInvoice.id)
        .where(
            IsfInvoiceLine.agreement_id == agreement.id,
            IsfInvoiceLine.state != LineState.REFUSED,
            IsfInvoice.status != InvoiceStatus.REJECTED,
            IsfInvoice.period_start > last_day,
        )
        .limit(1)
    ).scalar_one_or_none()


def end_agreement(
    agreement: IsfAgreement, last_day: date | None, reason: str, *, actor: User, today: date
) -> IsfAgreementVersion:
    """A finance officer ends the agreement: in force up to and including `last_day`, then
    nothing more is paid to the provider for a period that starts after it (payees.py). A
    version waiting for confirmations is withdrawn; every version stays readable."""
    version = next((v for v in agreement.versions if v.status == VersionStatus.ACTIVE), None)
    check_end(version, last_day, reason, today)
    later = _invoiced_after(agreement, last_day)
    if later is not None:
        raise RuleError(
            f"{agreement.provider.name}'s invoice {later.provider_reference} covers the period "
            f"from {later.period_start:%d %B %Y}, after that day: reject it first, or choose "
            "a later day"
        )
    waiting = waiting_version(agreement)
    if waiting is not None:
        move_version(waiting, VersionStatus.WITHDRAWN)
    move_version(version, VersionStatus.ENDED)
    before = version.ends_on
    version.ends_on, version.end_reason = last_day, reason.strip()[:500]
    version.ended_by_id = actor.id
    # The action payment runs read to know they are out of date (payments/run_review.py).
    audit.record(
        actor,
        "isf.agreement_ended",
        version,
        account_id=agreement.account_id,
        summary=f"ISF agreement with {agreement.provider.name} ends on {last_day:%d %B %Y}: "
        f"{version.end_reason}"[:300],
        before={"status": "active", "ends_on": before.isoformat() if before else None},
        after={"status": "ended", "ends_on": last_day.isoformat(), "withdrawn": bool(waiting)},
    )
    return version
