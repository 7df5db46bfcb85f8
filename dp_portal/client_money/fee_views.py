"""The organisation's fee policy: council finance officers and administrators set it; the
organisation's staff see it, with the fees that could not be taken. Each view parses the
request, calls one service, and renders or redirects."""

from flask import flash, redirect, render_template, url_for

from ..auth.models import Role
from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from . import bp, fee_policy
from .forms import FeePolicyForm
from .views import ORG_STAFF


@bp.route("/money/organisations/<int:org_id>/fee", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER, Role.ADMIN)
def fee_policy_page(org_id: int):
    reader = viewer()
    form = FeePolicyForm()
    if form.validate_on_submit():
        try:
            fee_policy.set_policy(
                reader,
                org_id,
                effective_from=form.effective_from.data,
                amount=form.amount.data,
                per=form.per.data,
            )
        except RuleError as exc:
            form.effective_from.errors = [str(exc)]
        else:
            flash("The new fee has been set.", "success")
            return redirect(url_for("client_money.fee_policy_page", org_id=org_id))
    return render_template(
        "third_party/money_fee_policy.html", page=fee_policy.fee_page(reader, org_id), form=form
    )


@bp.route("/money/fees")
@roles_required(*ORG_STAFF)
def fees():
    return render_template(
        "third_party/money_fees.html", page=fee_policy.fee_page(viewer()), form=None
    )
