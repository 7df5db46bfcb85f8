"""Providers' invoices (issue 14, part B): the provider sends them (on screen or as the XLSX
template) and reads their status, payments and remittance advice; a finance officer releases
or refuses held lines and approves or rejects each invoice."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core import audit
from ..core.downloads import PDF, XLSX, attachment, stored_file
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.permissions import roles_required, viewer
from ..core.spreadsheets import SpreadsheetError
from ..core.uploads import UploadError
from ..payments.run_build import payment_schedule
from . import bp, invoice_pages, invoice_scope, invoice_services, invoices, scope
from .invoice_forms import LINES, InvoiceForm, InvoiceUploadForm, LineDecisionForm, RejectForm
from .invoice_services import InvoiceIn, InvoiceProblems, LineIn
from .invoice_upload import MAX_BYTES, build_template, read_invoice
from .lifecycles import InvoiceStatus

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


@bp.route("/provider/invoices")
@roles_required(Role.PROVIDER_STAFF)
def provider_invoices():
    reader = viewer()
    org = scope.own_provider(reader)
    return render_template(
        "isf/provider_invoices.html",
        org=org,
        page=invoice_pages.provider_invoices(org, reader.today),
        statuses=InvoiceStatus,
        hours=invoices.hours_text,
    )


def _period_start() -> date:
    schedule = payment_schedule(current_app.config)
    try:
        day = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        day = viewer().today
    return schedule.period(schedule.index_of(day)).start


@bp.route("/provider/invoices/template.xlsx")
@roles_required(Role.PROVIDER_STAFF)
def invoice_template():
    org = scope.own_provider(viewer())
    schedule = payment_schedule(current_app.config)
    period = schedule.period(schedule.index_of(_period_start()))
    people = invoice_pages.template_people(org, period.start)
    data = build_template(people, period.start, period.end)
    return attachment(data, f"invoice-template-{period.start:%Y-%m-%d}.xlsx", XLSX)


def _send(org, data: InvoiceIn):
    return invoice_services.submit_invoice(
        org, data, actor=current_user, schedule=payment_schedule(current_app.config)
    )


def _form_lines(form) -> list[LineIn]:
    return [
        LineIn(person, kind, int(hours * 100) if hours is not None else 0, f"Line {n}")
        for person, kind, hours, n in form.lines()
    ]


@bp.route("/provider/invoices/new", methods=["GET", "POST"])
@roles_required(Role.PROVIDER_STAFF)
def new_invoice():
    reader = viewer()
    org = scope.own_provider(reader)
    form = InvoiceForm()
    people = invoice_pages.template_people(org, reader.today)
    for n in range(1, LINES + 1):
        form[f"person_{n}"].choices = choices(
            [("", "Choose")] + [(r, f"{name} ({r})") for r, name, _ in people]
        )
    problems = []
    if form.validate_on_submit():
        schedule = payment_schedule(current_app.config)
        start = form.period_start.data
        end = schedule.period(schedule.index_of(start)).end
        lines = _form_lines(form)
        bad = [x for x in lines if not x.service_type or x.hours_hundredths <= 0]
        try:
            if bad:
                raise InvoiceProblems(
                    [f"{x.where}: choose the kind of support and enter the hours" for x in bad]
                )
            invoice = _send(org, InvoiceIn(form.reference.data, start, end, lines))
        except InvoiceProblems as exc:
            problems = exc.problems
            form.reference.errors = list(problems)
        else:
            flash("Your invoice has been sent to the council.", "success")
            return redirect(url_for("isf.invoice", invoice_id=invoice.id))
    return render_template(
        "isf/invoice_form.html", form=form, org=org, lines=LINES, problems=problems
    )


@bp.route("/provider/invoices/upload", methods=["GET", "POST"])
@roles_required(Role.PROVIDER_STAFF)
def upload_invoice():
    org = scope.own_provider(viewer())
    form = InvoiceUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.workbook.data
        try:
            data = read_invoice(upload.read(MAX_BYTES + 1), upload.filename)
            invoice = _send(org, data)
        except (InvoiceProblems, SpreadsheetError, UploadError) as exc:
            problems = getattr(exc, "problems", None) or [str(exc)]
            form.workbook.errors = list(problems)
        else:
            flash("Your invoice has been read and sent to the council.", "success")
            return redirect(url_for("isf.invoice", invoice_id=invoice.id))
    return render_template("isf/invoice_upload.html", form=form, org=org, problems=problems)


@bp.route("/provider/invoices.xlsx")
@roles_required(Role.PROVIDER_STAFF)
def provider_export():
    org = scope.own_provider(viewer())
    audit.record_download(current_user, "isf_invoices", "invoices.xlsx", detail=org.name)
    return attachment(invoice_pages.provider_export(org), "invoices.xlsx", XLSX)


@bp.route("/provider/payments/<int:provider_payment_id>/remittance.csv")
@roles_required(Role.PROVIDER_STAFF)
def remittance_csv(provider_payment_id: int):
    payment = invoice_scope.load_provider_payment(viewer(), provider_payment_id)
    data = invoice_pages.remittance_csv(payment)
    return attachment(data, f"remittance-{payment.id}.csv", "text/csv")


@bp.route("/provider/payments/<int:provider_payment_id>/remittance.pdf")
@roles_required(Role.PROVIDER_STAFF)
def remittance_pdf(provider_payment_id: int):
    reader = viewer()
    payment = invoice_scope.load_provider_payment(reader, provider_payment_id)
    org = scope.own_provider(reader)
    data = invoice_pages.remittance_pdf(payment, org, current_app.config)
    return attachment(data, f"remittance-{payment.id}.pdf", PDF)


@bp.route("/isf/invoices/<int:invoice_id>")
@roles_required(Role.PROVIDER_STAFF, *STAFF)
def invoice(invoice_id: int):
    return _invoice_page(invoice_scope.load_invoice(viewer(), invoice_id))


@bp.route("/isf/invoices/<int:invoice_id>/original.xlsx")
@roles_required(*invoice_scope.FILE_READERS)
def invoice_file(invoice_id: int):
    """The workbook the provider uploaded, exactly as it was sent."""
    invoice = invoice_scope.load_invoice_file(viewer(), invoice_id)
    name = invoice.original_name or f"invoice-{invoice.id}.xlsx"
    audit.record_download(current_user, "isf_invoice_file", name, detail=invoice.provider_reference)
    return stored_file(invoice.storage_key, name, XLSX)


def _invoice_page(invoice, **forms):
    return render_template(
        "isf/invoice.html",
        invoice=invoice,
        can_download=invoice.stored_name is not None
        and current_user.role in invoice_scope.FILE_READERS,
        can_decide=current_user.role == Role.FINANCE_OFFICER
        and invoice.status == InvoiceStatus.RECEIVED,
        line_form=forms.get("line_form") or LineDecisionForm(),
        reject_form=forms.get("reject_form") or RejectForm(),
        form=next(iter(forms.values()), None),
        statuses=InvoiceStatus,
        hours=invoices.hours_text,
    )


@bp.route("/isf/invoices/<int:invoice_id>/lines/<int:line_id>", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def decide_line(invoice_id: int, line_id: int):
    line = invoice_scope.load_line(viewer(), invoice_id, line_id)
    form = LineDecisionForm()
    if form.validate_on_submit():
        try:
            invoice_services.decide_line(
                line, form.decision.data == "release", form.note.data, actor=current_user
            )
        except RuleError as exc:
            form.note.errors = [str(exc)]
        else:
            flash("The decision has been recorded.", "success")
            return redirect(url_for("isf.invoice", invoice_id=invoice_id))
    return _invoice_page(line.invoice, line_form=form)


@bp.route("/isf/invoices/<int:invoice_id>/approve", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def approve_invoice(invoice_id: int):
    invoice = invoice_scope.load_invoice(viewer(), invoice_id, decide=True)
    try:
        invoice_services.approve_invoice(invoice, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        flash("Approved: the next payment run pays it, and its period is sealed.", "success")
    return redirect(url_for("isf.invoice", invoice_id=invoice.id))


@bp.route("/isf/invoices/<int:invoice_id>/reject", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def reject_invoice(invoice_id: int):
    invoice = invoice_scope.load_invoice(viewer(), invoice_id, decide=True)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            invoice_services.reject_invoice(invoice, form.note.data, actor=current_user)
        except RuleError as exc:
            form.note.errors = [str(exc)]
        else:
            flash("The invoice has been rejected. The provider can read why.", "success")
            return redirect(url_for("isf.invoice", invoice_id=invoice.id))
    return _invoice_page(invoice, reject_form=form)
