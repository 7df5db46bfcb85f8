"""The scoped loader for invoices, periods, change requests and the provider's payments
(issue 14, part B): council staff see all of them; a provider's staff only their own
provider's, and another provider's is NotFound (404), so a guessed id reveals nothing.
Nobody else sees any."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from ..auth.models import Role
from ..core.errors import NotAllowed, NotFound
from ..core.permissions import Viewer
from ..extensions import db
from ..payments.ledger_models import Payment
from .delivery_models import (
    IsfAdjustment,
    IsfChangeRequest,
    IsfInvoice,
    IsfInvoiceLine,
    IsfPeriod,
)
from .models import IsfAgreement
from .scope import COUNCIL

FILE_READERS = (Role.PROVIDER_STAFF, Role.FINANCE_OFFICER)


def _org_of(viewer: Viewer) -> int | None:
    """None for council staff (everything); the provider's id for its staff."""
    user = viewer.user
    if user.role in COUNCIL:
        return None
    if user.role == Role.PROVIDER_STAFF and user.organisation_id is not None:
        return user.organisation_id
    raise NotFound("nothing here")


def load_invoice(viewer: Viewer, invoice_id: int, *, decide: bool = False) -> IsfInvoice:
    org = _org_of(viewer)
    invoice = db.session.get(IsfInvoice, invoice_id)
    if invoice is None or (org is not None and invoice.organisation_id != org):
        raise NotFound(f"invoice {invoice_id}")
    if decide and viewer.user.role != Role.FINANCE_OFFICER:
        raise NotAllowed("only a finance officer decides an invoice")
    return invoice


def load_invoice_file(viewer: Viewer, invoice_id: int) -> IsfInvoice:
    """An uploaded invoice whose file was kept, for its provider's staff and finance
    officers (NotFound when none was kept: an invoice entered on the form)."""
    if viewer.user.role not in FILE_READERS:
        raise NotAllowed("only the provider and finance officers open an invoice's file")
    invoice = load_invoice(viewer, invoice_id)
    if invoice.stored_name is None:
        raise NotFound(f"the file of invoice {invoice_id}")
    return invoice


def load_line(viewer: Viewer, invoice_id: int, line_id: int) -> IsfInvoiceLine:
    invoice = load_invoice(viewer, invoice_id, decide=True)
    line = db.session.get(IsfInvoiceLine, line_id)
    if line is None or line.invoice_id != invoice.id:
        raise NotFound(f"invoice line {line_id}")
    return line


def _agreement_org(agreement_id: int) -> int:
    return db.session.execute(
        select(IsfAgreement.organisation_id).where(IsfAgreement.id == agreement_id)
    ).scalar_one()


def load_period(viewer: Viewer, period_id: int) -> IsfPeriod:
    org = _org_of(viewer)
    period = db.session.get(IsfPeriod, period_id)
    if period is None or (org is not None and _agreement_org(period.agreement_id) != org):
        raise NotFound(f"period {period_id}")
    return period


def load_change(viewer: Viewer, request_id: int) -> IsfChangeRequest:
    org = _org_of(viewer)
    change = db.session.get(IsfChangeRequest, request_id)
    if change is None or (org is not None and _agreement_org(change.agreement_id) != org):
        raise NotFound(f"change request {request_id}")
    return change


def load_provider_payment(viewer: Viewer, payment_id: int) -> Payment:
    """A payment the council made to the viewer's provider for an invoice or correction."""
    org = _org_of(viewer)
    if org is None:
        raise NotFound("provider payments are read by the provider")
    # Whether this one payment paid a line or a correction of the provider's: looked up by
    # the payment (ix_isf_invoice_lines_payment_id), not by gathering every payment the
    # provider was ever paid first.
    paid_a_line = (
        exists()
        .where(IsfInvoiceLine.payment_id == Payment.id)
        .where(IsfInvoice.id == IsfInvoiceLine.invoice_id, IsfInvoice.organisation_id == org)
    )
    paid_a_correction = (
        exists()
        .where(IsfAdjustment.payment_id == Payment.id)
        .where(IsfAgreement.id == IsfAdjustment.agreement_id, IsfAgreement.organisation_id == org)
    )
    payment = db.session.execute(
        select(Payment).where(Payment.id == payment_id, or_(paid_a_line, paid_a_correction))
    ).scalar_one_or_none()
    if payment is None:
        raise NotFound(f"payment {payment_id}")
    return payment
