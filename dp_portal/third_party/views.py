from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts import scope
from ..auth.models import Role
from ..core.forms import choices
from ..core.permissions import roles_required, viewer
from ..extensions import db
from . import bp, services
from . import scope as mandate_scope
from .forms import MandateForm, OrganisationForm
from .models import Organisation

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
MANAGERS = (Role.FINANCE_OFFICER, Role.ADMIN)


@bp.route("/organisations")
@roles_required(*STAFF)
def organisations():
    rows = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars().all()
    return render_template(
        "third_party/organisations.html", organisations=rows, can_add=current_user.role in MANAGERS
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


@bp.route("/accounts/<int:account_id>/mandates/new", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def new_mandate(account_id: int):
    account = scope.load_account(viewer(), account_id)
    form = MandateForm()
    orgs = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind.in_(["brokerage", "money_management"]))
        .order_by(Organisation.name)
    ).all()
    form.organisation_id.choices = choices([("", "Choose an organisation"), *orgs])
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in services.MANDATE_FIELDS}
        services.add_mandate(account.id, data, actor=current_user)
        flash("The mandate has been added.", "success")
        return redirect(url_for("accounts.show", account_id=account.id))
    return render_template("third_party/mandate_form.html", form=form, account=account)


@bp.route("/mandates/<int:mandate_id>/withdraw", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def withdraw_mandate(mandate_id: int):
    mandate = mandate_scope.load_mandate(viewer(), mandate_id)
    services.withdraw_mandate(mandate, actor=current_user)
    flash(f"{mandate.organisation.name} no longer acts for this account.", "success")
    return redirect(url_for("accounts.show", account_id=mandate.account_id))
