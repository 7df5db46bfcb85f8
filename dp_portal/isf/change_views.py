"""Change requests to sealed periods, and the finance officers' pages (issue 14, part B):
the provider or the council asks for a correction, both write in its conversation, a finance
officer agrees (an adjustment in the next run) or refuses it; the officers' work list with
each provider's total paid by period, and the year-end report of unused hours (XLSX)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core import audit
from ..core.calendar import financial_year_label, financial_year_start
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from . import bp, change_requests, invoice_pages, invoice_scope, invoices, sealing
from .change_requests import ChangeIn
from .invoice_forms import ChangeDecisionForm, ChangeRequestForm, ReplyForm
from .lifecycles import ChangeStatus

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
TALKERS = (Role.FINANCE_OFFICER, Role.PROVIDER_STAFF)


@bp.route("/isf/periods/<int:period_id>/change", methods=["GET", "POST"])
@roles_required(*TALKERS)
def new_change_request(period_id: int):
    reader = viewer()
    period = invoice_scope.load_period(reader, period_id)
    form = ChangeRequestForm()
    if form.validate_on_submit():
        data = ChangeIn(form.subject.data, form.message.data, amount=form.amount.data)
        try:
            change = change_requests.raise_change(
                period, data, actor=current_user, today=reader.today
            )
        except RuleError as exc:
            form.subject.errors = [str(exc)]
        else:
            flash("Your change request has been sent.", "success")
            return redirect(url_for("isf.change_request", request_id=change.id))
    return render_template("isf/change_form.html", form=form, period=period)


@bp.route("/isf/change-requests/<int:request_id>")
@roles_required(Role.PROVIDER_STAFF, *STAFF)
def change_request(request_id: int):
    return _change_page(invoice_scope.load_change(viewer(), request_id))


def _change_page(change, **forms):
    return render_template(
        "isf/change_request.html",
        change=change,
        reply_form=forms.get("reply_form") or ReplyForm(),
        decision_form=forms.get("decision_form") or ChangeDecisionForm(),
        form=next(iter(forms.values()), None),
        can_talk=current_user.role in TALKERS and change.status in change_requests.LIVE,
        can_decide=current_user.role == Role.FINANCE_OFFICER
        and change.status in change_requests.LIVE,
        statuses=ChangeStatus,
        amount_text=change_requests.amount_text,
    )


@bp.route("/isf/change-requests/<int:request_id>/reply", methods=["POST"])
@roles_required(*TALKERS)
def reply_change(request_id: int):
    reader = viewer()
    change = invoice_scope.load_change(reader, request_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            change_requests.reply(change, form.message.data, actor=current_user, today=reader.today)
        except RuleError as exc:
            form.message.errors = [str(exc)]
        else:
            flash("Your message has been sent.", "success")
            return redirect(url_for("isf.change_request", request_id=change.id))
    return _change_page(change, reply_form=form)


@bp.route("/isf/change-requests/<int:request_id>/decide", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def decide_change(request_id: int):
    change = invoice_scope.load_change(viewer(), request_id)
    form = ChangeDecisionForm()
    if form.validate_on_submit():
        try:
            if form.decision.data == "agree":
                if form.amount.data is None:
                    raise RuleError("Enter the amount agreed")
                change_requests.agree(change, form.amount.data, form.note.data, actor=current_user)
            else:
                change_requests.refuse(change, form.note.data, actor=current_user)
        except RuleError as exc:
            form.note.errors = [str(exc)]
        else:
            flash("The decision has been recorded.", "success")
            return redirect(url_for("isf.change_request", request_id=change.id))
    return _change_page(change, decision_form=form)


@bp.route("/isf/finance")
@roles_required(*STAFF)
def finance_work():
    return render_template(
        "isf/finance.html",
        work=invoice_pages.finance_work(),
        today=viewer().today,
        hours=invoices.hours_text,
        statuses=ChangeStatus,
    )


@bp.route("/isf/finance/paid.xlsx")
@roles_required(*STAFF)
def finance_export():
    audit.record_download(current_user, "isf_paid", "provider-payments.xlsx")
    return attachment(invoice_pages.finance_export(), "provider-payments.xlsx", XLSX)


def _year() -> date:
    try:
        return financial_year_start(date.fromisoformat(request.args.get("year", "")))
    except ValueError:
        return financial_year_start(viewer().today)


@bp.route("/isf/year-end")
@roles_required(*STAFF)
def year_end():
    year = _year()
    return render_template(
        "isf/year_end.html",
        rows=sealing.year_end(year),
        year=year,
        label=financial_year_label(year),
        hours=invoices.hours_text,
    )


@bp.route("/isf/year-end.xlsx")
@roles_required(*STAFF)
def year_end_export():
    year = _year()
    name = f"unused-hours-{year:%Y}.xlsx"
    audit.record_download(current_user, "isf_year_end", name)
    return attachment(invoice_pages.year_end_export(sealing.year_end(year)), name, XLSX)
