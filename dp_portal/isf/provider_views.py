"""Care providers: the council's list and each provider's page (contacts, services, bank
account with four eyes, rates, staff), and the provider's own home."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.bank_numbers import NeedsConfirmation
from ..core.errors import RuleError
from ..core.modulus_models import installed_tables
from ..core.permissions import roles_required, viewer
from ..third_party.org_forms import PooledAccountForm
from ..third_party.org_services import ProposedAccount
from ..third_party.org_views import _send_invitation
from . import bp, documents, provider_services, scope, statement
from .forms import ContactForm, ProviderStaffForm, ServicesForm

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


@bp.route("/providers")
@roles_required(*STAFF)
def providers():
    return render_template(
        "isf/providers.html",
        providers=provider_services.providers(),
        page=statement.agreements_list(request.args.get("page", 1, type=int)),
        labels=documents.labels(),
    )


@bp.route("/providers/<int:org_id>")
@roles_required(*STAFF)
def provider(org_id: int):
    org = scope.load_provider(viewer(), org_id)
    return _provider_form_page(org, none=None)


def _provider_form_page(org, **forms):
    """The provider's page again, with the form that was sent and its errors (the error
    summary reads `form`)."""
    return render_template(
        "isf/provider.html",
        org=org,
        page=provider_services.provider_page(org),
        labels=documents.labels(),
        contact_form=forms.get("contact_form") or ContactForm(),
        services_form=forms.get("services_form") or ServicesForm(),
        form=next((f for f in forms.values() if f is not None), None),
    )


@bp.route("/providers/<int:org_id>/contacts", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def provider_contacts(org_id: int):
    org = scope.load_provider(viewer(), org_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _provider_form_page(org, contact_form=form)
    provider_services.add_contact(org, form.data, actor=current_user)
    flash(f"{form.name.data} has been added as a contact.", "success")
    return redirect(url_for("isf.provider", org_id=org.id))


@bp.route("/providers/<int:org_id>/services", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def provider_services_page(org_id: int):
    org = scope.load_provider(viewer(), org_id)
    form = ServicesForm()
    if form.validate_on_submit():
        try:
            provider_services.set_services(
                org, form.services.data, form.description.data or "", actor=current_user
            )
        except RuleError as exc:
            form.services.errors = [str(exc)]
        else:
            flash("The services have been saved.", "success")
            return redirect(url_for("isf.provider", org_id=org.id))
    return _provider_form_page(org, services_form=form)


@bp.route("/providers/<int:org_id>/bank-account", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def provider_bank(org_id: int):
    org = scope.load_provider(viewer(), org_id)
    form = PooledAccountForm()
    if form.validate_on_submit():
        proposed = ProposedAccount(
            form.payee_name.data, form.sort_code.data, form.account_number.data, form.reason.data
        )
        try:
            outcome = provider_services.request_bank_account(
                org,
                proposed,
                confirmed=form.confirmed.data or "",
                tables=installed_tables(),
                actor=current_user,
            )
        except RuleError as exc:
            form.account_number.errors = [str(exc)]
        else:
            if isinstance(outcome, NeedsConfirmation):
                form.confirmed.data = outcome.token
                return render_template(
                    "isf/provider_bank_confirm.html",
                    form=form,
                    org=org,
                    result=outcome.standardised,
                )
            flash(
                "These are the details the council already pays into. Nothing was changed."
                if outcome is None
                else "The new account is waiting for another finance officer to approve it. "
                "Payments go to the current account until then.",
                "success",
            )
            return redirect(url_for("isf.provider", org_id=org.id))
    return render_template(
        "isf/provider_bank.html",
        form=form,
        org=org,
        pending=provider_services.provider_page(org).pending_bank_change,
    )


@bp.route("/providers/<int:org_id>/staff/invite", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def provider_invite(org_id: int):
    org = scope.load_provider(viewer(), org_id)
    form = ProviderStaffForm()
    if form.validate_on_submit():
        try:
            user = provider_services.invite_staff(
                org, form.email.data, form.full_name.data, actor=current_user
            )
        except RuleError as exc:
            form.email.errors = [str(exc)]
        else:
            _send_invitation(user)  # says whether it was sent, once the request commits
            return redirect(url_for("isf.provider", org_id=org.id))
    return render_template("isf/provider_invite.html", form=form, org=org)


@bp.route("/provider")
@roles_required(Role.PROVIDER_STAFF)
def provider_home():
    reader = viewer()
    org = scope.own_provider(reader)
    return render_template(
        "isf/provider_home.html",
        org=org,
        home=statement.provider_home(org, reader.today),
        labels=documents.labels(),
    )
