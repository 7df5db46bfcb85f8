"""ISF agreements and the person's statement: the council proposes and changes agreements,
each party confirms on screen, anyone party to it reads it (and its PDF)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.downloads import PDF, attachment
from ..core.errors import RuleError
from ..core.permissions import roles_required, viewer
from . import bp, documents, ending, provider_services, scope, services, statement
from .agreements import Terms, VersionStatus
from .forms import (
    AgreementForm,
    ChangeAgreementForm,
    ConfirmAgreementForm,
    EndAgreementForm,
    NewAgreementForm,
)

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
READERS = (Role.RECIPIENT, Role.PROVIDER_STAFF, *STAFF)
CONFIRMERS = (Role.RECIPIENT, Role.PROVIDER_STAFF, Role.FINANCE_OFFICER)


def _terms(form: AgreementForm) -> Terms:
    return Terms(
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        annual_budget=form.annual_budget.data,
        money_holder=form.money_holder.data,
        payment_basis=form.payment_basis.data,
        management_fee_pct=form.management_fee.data,
        contribution_to=form.contribution_to.data,
        bankable_hours=form.bankable_hours.data,
        reporting_frequency=form.reporting_frequency.data,
        underspend=form.underspend.data,
    )


@bp.route("/accounts/<int:account_id>/isf")
@roles_required(Role.RECIPIENT, Role.BROKERAGE_STAFF, *STAFF)
def statement_page(account_id: int):
    reader = viewer()
    account = scope.load_statement_account(reader, account_id)
    agreements = statement.account_agreements(reader, account)
    return render_template(
        "isf/statement.html",
        account=account,
        statements=[statement.statement(a, reader.today) for a in agreements],
        can_propose=current_user.role == Role.FINANCE_OFFICER,
        labels_status=documents.labels()["status"],
        hours=documents.hours_text,
        ended=lambda version: documents.end_text(version, reader.today),
    )


@bp.route("/accounts/<int:account_id>/isf/new", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def new_agreement(account_id: int):
    reader = viewer()
    account = scope.load_statement_account(reader, account_id)
    form = NewAgreementForm()
    form.provider_id.choices = [("", "Choose a provider")] + [
        (row.org.id, row.org.name) for row in provider_services.providers()
    ]
    if form.validate_on_submit():
        try:
            org = scope.load_provider(reader, form.provider_id.data)
            agreement = services.propose_agreement(account, org, _terms(form), actor=current_user)
        except RuleError as exc:
            form.annual_budget.errors = [str(exc)]
        else:
            flash("The agreement is waiting for all three to confirm it.", "success")
            return redirect(url_for("isf.agreement", agreement_id=agreement.id))
    return render_template("isf/agreement_form.html", form=form, account=account, agreement=None)


@bp.route("/isf/agreements/<int:agreement_id>")
@roles_required(*READERS)
def agreement(agreement_id: int):
    return _agreement_page(scope.load_agreement(viewer(), agreement_id), ConfirmAgreementForm())


def _agreement_page(agreement, form):
    waiting = services.waiting_version(agreement)
    party = None
    if current_user.role in CONFIRMERS and waiting is not None:
        party = services.party_or_none(current_user, agreement)
    confirmed = {c.party for c in waiting.confirmations} if waiting else set()
    return render_template(
        "isf/agreement.html",
        agreement=agreement,
        current=statement.current_version(agreement),
        waiting=waiting,
        party=party if party is not None and str(party) not in confirmed else None,
        form=form,
        can_change=current_user.role == Role.FINANCE_OFFICER
        and any(
            v.status in (VersionStatus.AWAITING, VersionStatus.ACTIVE) for v in agreement.versions
        ),
        can_end=current_user.role == Role.FINANCE_OFFICER
        and any(v.status == VersionStatus.ACTIVE for v in agreement.versions),
        ended=documents.end_text(statement.current_version(agreement), viewer().today),
        labels=documents.labels(),
        terms_rows=documents.terms_rows,
    )


@bp.route("/isf/agreements/<int:agreement_id>/confirm", methods=["POST"])
@roles_required(*CONFIRMERS)
def confirm(agreement_id: int):
    agreement = scope.load_agreement(viewer(), agreement_id)
    form = ConfirmAgreementForm()
    if form.validate_on_submit():
        try:
            version = services.confirm(agreement, actor=current_user)
        except RuleError as exc:
            form.agree.errors = [str(exc)]
        else:
            flash(
                "Confirmed. The agreement is now in force."
                if version.status == VersionStatus.ACTIVE
                else "Confirmed. The agreement starts once all three have confirmed it.",
                "success",
            )
            return redirect(url_for("isf.agreement", agreement_id=agreement.id))
    return _agreement_page(agreement, form)


@bp.route("/isf/agreements/<int:agreement_id>/change", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def change_agreement(agreement_id: int):
    agreement = scope.load_agreement(viewer(), agreement_id, change=True)
    current = statement.current_version(agreement)
    form = ChangeAgreementForm(data=documents.form_data(current))
    if form.validate_on_submit():
        try:
            services.change_agreement(
                agreement, _terms(form), form.change_note.data, actor=current_user
            )
        except RuleError as exc:
            form.change_note.errors = [str(exc)]
        else:
            flash("The new version is waiting for all three to confirm it.", "success")
            return redirect(url_for("isf.agreement", agreement_id=agreement.id))
    return render_template(
        "isf/agreement_form.html", form=form, account=agreement.account, agreement=agreement
    )


@bp.route("/isf/agreements/<int:agreement_id>/end", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def end_agreement(agreement_id: int):
    reader = viewer()
    agreement = scope.load_agreement(reader, agreement_id, change=True)
    form = EndAgreementForm()
    if form.validate_on_submit():
        try:
            version = ending.end_agreement(
                agreement,
                form.last_day.data,
                form.reason.data,
                actor=current_user,
                today=reader.today,
            )
        except RuleError as exc:
            form.last_day.errors = [str(exc)]
        else:
            flash(f"The agreement ends on {version.ends_on:%d %B %Y}.", "success")
            return redirect(url_for("isf.agreement", agreement_id=agreement.id))
    return render_template(
        "isf/end_agreement.html",
        form=form,
        agreement=agreement,
        current=statement.current_version(agreement),
    )


@bp.route("/isf/agreements/<int:agreement_id>/withdraw", methods=["POST"])
@roles_required(Role.FINANCE_OFFICER)
def withdraw_agreement(agreement_id: int):
    agreement = scope.load_agreement(viewer(), agreement_id, change=True)
    try:
        services.withdraw_waiting(agreement, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        flash("The version waiting for confirmations has been withdrawn.", "success")
    return redirect(url_for("isf.agreement", agreement_id=agreement.id))


@bp.route("/isf/agreements/<int:agreement_id>/versions/<int:version_number>.pdf")
@roles_required(*READERS)
def agreement_pdf(agreement_id: int, version_number: int):
    version = scope.load_version(viewer(), agreement_id, version_number)
    data = documents.agreement_pdf(version, current_app.config)
    return attachment(data, f"isf-agreement-{agreement_id}-version-{version_number}.pdf", PDF)
