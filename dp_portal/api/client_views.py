"""The administrators' pages for integration clients: list them, create one (its token is
shown once, on the page that answers the form, and never again), give one a new token (the
old one stops at once), and revoke one with a reason. Every change is in the audit log."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.errors import RuleError
from ..core.permissions import roles_required
from . import clients, clients_bp, officers
from .client_forms import NewClientForm, OfficerForm, RevokeForm, officer_choices
from .rules import Scope


@clients_bp.route("")
@roles_required(Role.ADMIN)
def index():
    return render_template("api/clients.html", clients=clients.all_clients())


@clients_bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = NewClientForm()
    form.officer_id.choices = officer_choices(officers.officer_choices())
    if form.validate_on_submit():
        try:
            issued = clients.create_client(
                form.name.data,
                {Scope(s) for s in form.scopes.data},
                actor=current_user,
                officer_id=form.officer_id.data,
            )
        except officers.OfficerProblem as exc:
            form.officer_id.errors = [str(exc)]
        except RuleError as exc:
            form.name.errors = [str(exc)]
        else:
            # The token is in this page alone: not in a redirect, the session or a flash.
            return render_template("api/token.html", issued=issued, created=True)
    return render_template("api/new_client.html", form=form)


@clients_bp.route("/<int:client_id>")
@roles_required(Role.ADMIN)
def client(client_id: int):
    return _client_page(client_id, RevokeForm(formdata=None), OfficerForm(formdata=None))


def _client_page(client_id: int, revoke_form: RevokeForm, officer_form: OfficerForm):
    row = clients.client_by_id(client_id)
    officer_form.officer_id.choices = officer_choices(officers.officer_choices())
    return render_template(
        "api/client.html",
        client=row,
        scopes=sorted(clients.client_scopes(row), key=list(Scope).index),
        calls=clients.recent_calls(row),
        revoke_form=revoke_form,
        # The form that was sent (if it failed): the layout's error summary lists its errors.
        form=revoke_form if revoke_form.errors else officer_form,
        imports_people=officers.imports_people(row),
        officer_problem=officers.why_not_officer(row.officer),
        officer_form=officer_form,
    )


@clients_bp.route("/<int:client_id>/officer", methods=["POST"])
@roles_required(Role.ADMIN)
def officer(client_id: int):
    form = OfficerForm()
    if form.validate_on_submit():
        try:
            row, changed = officers.set_officer(client_id, form.officer_id.data, actor=current_user)
        except RuleError as exc:
            form.officer_id.errors = [str(exc)]
        else:
            if changed:
                flash(f"{row.officer.full_name} is now responsible for its imports.", "success")
            return redirect(url_for("api_clients.client", client_id=client_id))
    return _client_page(client_id, RevokeForm(formdata=None), form)


@clients_bp.route("/<int:client_id>/token", methods=["POST"])
@roles_required(Role.ADMIN)
def rotate(client_id: int):
    try:
        issued = clients.rotate_token(client_id, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("api_clients.client", client_id=client_id))
    return render_template("api/token.html", issued=issued, created=False)


@clients_bp.route("/<int:client_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke(client_id: int):
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            row = clients.revoke_client(client_id, form.reason.data, actor=current_user)
        except RuleError as exc:
            form.reason.errors = [str(exc)]
        else:
            flash(f"'{row.name}' is revoked: its token no longer works.", "success")
            return redirect(url_for("api_clients.client", client_id=client_id))
    return _client_page(client_id, form, OfficerForm(formdata=None))
