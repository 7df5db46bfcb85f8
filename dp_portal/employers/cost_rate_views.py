"""Administrators keep the employer-cost figures behind the PA cost calculator."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.errors import RuleError
from ..core.permissions import roles_required
from . import bp, cost_rate_services
from .cost_rate_forms import CostRateForm
from .models import CostRateKind


@bp.route("/employers/cost-rates", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def cost_rates():
    form = CostRateForm()
    if form.validate_on_submit():
        try:
            cost_rate_services.add_cost_rate(
                CostRateKind(form.kind.data),
                form.effective_from.data,
                form.value.decimal,
                form.source_note.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.value.errors = [str(exc)]
        else:
            flash("The figure has been added. The calculator uses it from its date.", "success")
            return redirect(url_for("employers.cost_rates"))
    return render_template(
        "employers/cost_rates.html", form=form, lines=cost_rate_services.history()
    )
