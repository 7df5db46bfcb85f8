"""The working-day calendar and the bank-checking tables."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.errors import RuleError
from ..core.modulus import TableError
from ..core.permissions import roles_required
from ..core.types import local_today
from . import bp, services
from .forms import ModulusUploadForm, OverrideForm


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def calendar():
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            services.add_override(
                form.day.data,
                form.region.data,
                form.kind.data,
                form.reason.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.day.errors = [str(exc)]
        else:
            flash("The calendar has been updated.", "success")
            return redirect(url_for("admin.calendar"))
    year = local_today().year
    return render_template(
        "admin/calendar.html",
        form=form,
        overrides=services.overrides(),
        holidays=services.published_holidays(year),
        year=year,
    )


@bp.route("/calendar/<int:override_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_override(override_id: int):
    services.remove_override(override_id, actor=current_user)
    flash("The entry has been removed.", "success")
    return redirect(url_for("admin.calendar"))


@bp.route("/bank-checking", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def bank_checking():
    form = ModulusUploadForm()
    if form.validate_on_submit():
        try:
            valacdos = services.read_table_file(form.valacdos.data, "weight table")
            scsubtab = (
                services.read_table_file(form.scsubtab.data, "substitution table")
                if form.scsubtab.data
                else ""
            )
            row = services.install_table(form.label.data, valacdos, scsubtab, actor=current_user)
        except TableError as exc:
            form.valacdos.errors = [str(exc)]
        else:
            flash(f"Bank details are now checked with {row.label}.", "success")
            return redirect(url_for("admin.bank_checking"))
    return render_template(
        "admin/bank_checking.html", form=form, versions=services.table_versions()
    )
