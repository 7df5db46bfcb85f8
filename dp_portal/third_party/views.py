"""The organisations that manage money for people (their mandates are added from the
account: accounts/mandate_views.py)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.permissions import roles_required
from . import bp, services
from .forms import OrganisationForm

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
MANAGERS = (Role.FINANCE_OFFICER, Role.ADMIN)


@bp.route("/organisations")
@roles_required(*STAFF)
def organisations():
    return render_template(
        "third_party/organisations.html",
        organisations=services.organisations(),
        can_add=current_user.role in MANAGERS,
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        if services.organisation_name_taken(form.name.data):
            form.name.errors = ["An organisation with this name already exists"]
        else:
            data = {name: getattr(form, name).data or None for name in services.ORGANISATION_FIELDS}
            org = services.create_organisation(data, actor=current_user)
            flash(f"{org.name} has been added.", "success")
            return redirect(url_for("third_party.organisations"))
    return render_template("third_party/organisation_form.html", form=form)
