"""Bank details: one finance officer asks for a change, a different one approves it."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.bank_forms import BankChangeDecisionForm, BankDetailsForm, WithdrawForm
from ..core.errors import RuleError
from ..core.modulus_models import installed_tables
from ..core.permissions import roles_required, viewer
from . import bank_changes, bp, scope

FINANCE = (Role.FINANCE_OFFICER,)


@bp.route("/accounts/<int:account_id>/bank-details", methods=["GET", "POST"])
@roles_required(*FINANCE)
def bank_details(account_id: int):
    account = scope.load_account(viewer(), account_id)
    form = BankDetailsForm()
    tables = installed_tables()
    pending = bank_changes.pending_for(account.id)
    if form.validate_on_submit():
        proposed = bank_changes.Proposed(
            form.payee_name.data, form.sort_code.data, form.account_number.data, form.reason.data
        )
        try:
            outcome = bank_changes.request_change(
                account,
                proposed,
                confirmed=form.confirmed.data or "",
                tables=tables,
                actor=current_user,
            )
        except RuleError as exc:
            form.account_number.errors = [str(exc)]
        else:
            if isinstance(outcome, bank_changes.NeedsConfirmation):
                form.confirmed.data = outcome.token
                return render_template(
                    "accounts/bank_details_confirm.html",
                    form=form,
                    account=account,
                    result=outcome.standardised,
                )
            if outcome is None:
                flash("These are the details we already pay into. Nothing was changed.", "info")
            else:
                flash(
                    "The new bank details are waiting for another finance officer to approve "
                    "them. Payments go to the current account until then.",
                    "success",
                )
            return redirect(url_for("accounts.show", account_id=account.id))
    return render_template(
        "accounts/bank_details.html",
        form=form,
        account=account,
        pending=pending,
        checking=tables is not None,
    )


@bp.route("/bank-details-changes")
@roles_required(*FINANCE)
def bank_changes_waiting():
    return render_template("accounts/bank_changes.html", changes=bank_changes.pending_changes())


@bp.route("/bank-details-changes/<int:change_id>", methods=["GET", "POST"])
@roles_required(*FINANCE)
def bank_change(change_id: int):
    change = scope.load_bank_change(viewer(), change_id)
    form = BankChangeDecisionForm()
    mine = change.requested_by_id == current_user.id
    if not mine and form.validate_on_submit():
        try:
            bank_changes.decide(
                change,
                approve=form.decision.data == "approve",
                note=form.note.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.decision.errors = [str(exc)]
        else:
            flash(
                "Approved: payments go to the new account from now, and a letter has been "
                "recorded for the person."
                if change.status == "approved"
                else "Rejected: payments stay with the current account.",
                "success",
            )
            return redirect(url_for("accounts.show", account_id=change.account_id))
    return render_template(
        "accounts/bank_change.html",
        change=change,
        account=change.account,
        form=form,
        mine=mine,
        withdraw_form=WithdrawForm(prefix="withdraw"),
    )


@bp.route("/bank-details-changes/<int:change_id>/withdraw", methods=["POST"])
@roles_required(*FINANCE)
def withdraw_bank_change(change_id: int):
    change = scope.load_bank_change(viewer(), change_id)
    try:
        bank_changes.withdraw(change, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("accounts.bank_change", change_id=change.id))
    flash("The change has been withdrawn. Payments stay with the current account.", "success")
    return redirect(url_for("accounts.show", account_id=change.account_id))
