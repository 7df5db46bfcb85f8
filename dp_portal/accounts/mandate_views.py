"""An organisation's mandate to act for an account: added and withdrawn from the account."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.forms import choices
from ..core.permissions import roles_required, viewer
from ..third_party import services as third_party
from ..third_party.forms import MandateForm
from . import bp, scope


@bp.route("/accounts/<int:account_id>/mandates/new", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def new_mandate(account_id: int):
    account = scope.load_account(viewer(), account_id)
    form = MandateForm()
    managing = third_party.organisation_names(third_party.MANAGING_KINDS)
    form.organisation_id.choices = choices([("", "Choose an organisation"), *managing])
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in third_party.MANDATE_FIELDS}
        third_party.add_mandate(account.id, data, actor=current_user)
        flash("The mandate has been added.", "success")
        return redirect(url_for("accounts.show", account_id=account.id))
    return render_template("accounts/mandate_form.html", form=form, account=account)


@bp.route("/mandates/<int:mandate_id>/withdraw", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def withdraw_mandate(mandate_id: int):
    mandate = scope.load_mandate(viewer(), mandate_id)
    third_party.withdraw_mandate(mandate, actor=current_user)
    flash(f"{mandate.organisation.name} no longer acts for this account.", "success")
    return redirect(url_for("accounts.show", account_id=mandate.account_id))
