"""Recoveries paid back by invoice (all or in parts), the aged list of what is still owed,
and an account's ledger."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts import scope as account_scope
from ..auth.models import Role
from ..core.downloads import XLSX, attachment
from ..core.errors import RuleError
from ..core.permissions import roles_required, signed_in, viewer
from ..core.types import local_today
from . import bp, ledger, recoveries, scope
from .forms import RepaymentForm
from .repayments import METHODS

AGED_ROLES = (Role.FINANCE_OFFICER, Role.TEAM_LEADER)


@bp.route("/recoveries/<int:recovery_id>")
@signed_in
def recovery(recovery_id: int):
    row = scope.load_recovery(viewer(), recovery_id)
    return _recovery_page(row, RepaymentForm(formdata=None))


def _recovery_page(row, form, status: int = 200):
    page = recoveries.recovery_page(row, local_today())
    can_record = current_user.role == Role.FINANCE_OFFICER and page.band is not None
    return render_template(
        "payments/recovery.html", page=page, form=form, can_record=can_record, methods=METHODS
    ), status


@bp.route("/recoveries/<int:recovery_id>/repayments", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def record_repayment(recovery_id: int):
    row = scope.load_recovery(viewer(), recovery_id)
    form = RepaymentForm()
    if form.validate_on_submit():
        try:
            recoveries.record_repayment(
                row,
                amount=form.amount.data,
                received_on=form.received_on.data,
                method=form.method.data,
                note=form.note.data or "",
                actor=current_user,
                today=local_today(),
            )
        except RuleError as exc:
            form.amount.errors = [str(exc)]
        else:
            flash("The payment has been recorded and the account's ledger shows it.", "success")
            return redirect(url_for("payments.recovery", recovery_id=row.id))
    return _recovery_page(row, form, 400)


@bp.route("/recoveries/aged")
@roles_required(*AGED_ROLES)
def aged_recoveries():
    return render_template(
        "payments/aged_recoveries.html", aged=recoveries.aged_invoices(local_today())
    )


@bp.route("/recoveries/aged.xlsx")
@roles_required(*AGED_ROLES)
def aged_recoveries_xlsx():
    return attachment(*recoveries.aged_workbook(local_today()), XLSX)


@bp.route("/accounts/<int:account_id>/ledger")
@signed_in
def account_ledger(account_id: int):
    account = account_scope.load_account(viewer(), account_id)
    page = request.args.get("page", 1, type=int)
    return render_template(
        "payments/ledger.html", account=account, ledger=ledger.account_ledger(account.id, page)
    )
