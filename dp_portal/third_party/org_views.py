"""An organisation's own pages (its staff, contact details, activity log and pooled client
account, run by its administrators), and the council's side of them (an organisation's page,
and pooled account changes waiting for a finance officer)."""

from functools import partial

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import links
from ..auth.models import Role
from ..auth.services import LinkKind
from ..core.bank_forms import BankChangeDecisionForm
from ..core.bank_numbers import NeedsConfirmation
from ..core.errors import RuleError
from ..core.mail import send_message_after_commit
from ..core.modulus_models import installed_tables
from ..core.permissions import roles_required, viewer
from . import bp, org_services, scope, services
from .org_forms import ConfirmForm, ContactForm, InviteStaffForm, PooledAccountForm

ORG_STAFF = (Role.BROKERAGE_STAFF,)
COUNCIL = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)


@bp.route("/organisation")
@roles_required(*ORG_STAFF)
def my_organisation():
    org = scope.own_organisation(viewer())
    return render_template(
        "third_party/org_home.html",
        org=org,
        staff=org_services.staff(org.id),
        pending=org_services.pending_change(org.id),
        is_admin=bool(current_user.is_organisation_admin),
        action=ConfirmForm(),
    )


@bp.route("/organisation/contact", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
def org_contact():
    org = scope.own_organisation(viewer(), admin=True)
    form = ContactForm(obj=org if request.method == "GET" else None)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in org_services.CONTACT_FIELDS}
        changed = org_services.update_contact(org, data, actor=current_user)
        flash("Contact details saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("third_party.my_organisation"))
    return render_template("third_party/org_contact.html", form=form, org=org)


def _send_invitation(user) -> None:
    send_message_after_commit(
        links.link_email(user, LinkKind.INVITATION, actor=current_user),
        what=f"invitation link for user {user.id}",
        on_sent=partial(flash, f"Invitation sent to {user.email}.", "success"),
        on_failed=partial(
            flash,
            f"The invitation to {user.email} could not be sent. Ask the council to send it again.",
            "error",
        ),
    )


@bp.route("/organisation/staff/invite", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
def org_invite():
    org = scope.own_organisation(viewer(), admin=True)
    form = InviteStaffForm()
    if form.validate_on_submit():
        try:
            user = org_services.invite_staff(
                org, form.email.data, form.full_name.data, admin=form.admin.data, actor=current_user
            )
        except RuleError as exc:
            form.email.errors = [str(exc)]
        else:
            _send_invitation(user)
            return redirect(url_for("third_party.my_organisation"))
    return render_template("third_party/org_invite.html", form=form, org=org)


@bp.route("/organisation/staff/<int:member_id>/remove", methods=["POST"])
@roles_required(*ORG_STAFF)
def org_remove_staff(member_id: int):
    reader = viewer()
    org = scope.own_organisation(reader, admin=True)
    member = scope.load_staff_member(reader, org, member_id)
    try:
        org_services.remove_staff(org, member, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{member.full_name} has been removed and signed out.", "success")
    return redirect(url_for("third_party.my_organisation"))


@bp.route("/organisation/staff/<int:member_id>/administrator", methods=["POST"])
@roles_required(*ORG_STAFF)
def org_administrator(member_id: int):
    reader = viewer()
    org = scope.own_organisation(reader, admin=True)
    member = scope.load_staff_member(reader, org, member_id)
    _set_admin(org, member)
    return redirect(url_for("third_party.my_organisation"))


def _set_admin(org, member) -> None:
    make = not member.is_organisation_admin
    try:
        org_services.set_administrator(org, member, make, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        what = "is now an administrator" if make else "is no longer an administrator"
        flash(f"{member.full_name} {what}.", "success")


@bp.route("/organisation/activity")
@roles_required(*ORG_STAFF)
def org_activity():
    reader = viewer()
    org = scope.own_organisation(reader, admin=True)
    page = org_services.activity(
        org,
        request.args.get("page", 1, type=int),
        today=reader.today,
        retention_days=current_app.config["MANDATE_HISTORY_DAYS"],
    )
    return render_template(
        "third_party/org_activity.html",
        org=org,
        page=page,
        retention_days=current_app.config["MANDATE_HISTORY_DAYS"],
    )


@bp.route("/organisation/pooled-account", methods=["GET", "POST"])
@roles_required(*ORG_STAFF)
def org_pooled_account():
    org = scope.own_organisation(viewer(), admin=True)
    form = PooledAccountForm()
    if form.validate_on_submit():
        proposed = org_services.ProposedAccount(
            form.payee_name.data, form.sort_code.data, form.account_number.data, form.reason.data
        )
        try:
            outcome = org_services.request_pooled_change(
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
                    "third_party/org_pooled_confirm.html", form=form, result=outcome.standardised
                )
            flash(
                "These are the details the council already pays into. Nothing was changed."
                if outcome is None
                else "The new account is waiting for the council to approve it. Payments go to "
                "the current account until then.",
                "success",
            )
            return redirect(url_for("third_party.my_organisation"))
    return render_template(
        "third_party/org_pooled_account.html",
        form=form,
        org=org,
        pending=org_services.pending_change(org.id),
    )


@bp.route("/organisation/pooled-account/<int:pooled_change_id>/withdraw", methods=["POST"])
@roles_required(*ORG_STAFF)
def org_withdraw_pooled_change(pooled_change_id: int):
    change = scope.load_pooled_change(viewer(), pooled_change_id)
    try:
        org_services.withdraw_pooled_change(change, actor=current_user)
    except RuleError as exc:
        flash(str(exc), "error")
    else:
        flash("The change has been withdrawn. Payments stay with the current account.", "success")
    return redirect(url_for("third_party.my_organisation"))


# --- The council's side ---------------------------------------------------------------------


@bp.route("/organisations/<int:org_id>")
@roles_required(*COUNCIL)
def organisation(org_id: int):
    reader = viewer()
    org = scope.load_organisation(reader, org_id)
    return render_template(
        "third_party/org_council.html",
        org=org,
        staff=org_services.staff(org.id),
        pending=org_services.pending_change(org.id),
        clients=services.mandate_counts(org.id, reader.today),
        action=ConfirmForm(),
    )


@bp.route("/organisation-staff/<int:member_id>/administrator", methods=["POST"])
@roles_required(Role.ADMIN)
def council_set_administrator(member_id: int):
    """The council's administrator names an organisation's first administrator (and any
    later one, if the organisation's own have all left)."""
    reader = viewer()
    member = scope.load_staff_member(reader, None, member_id)
    org = scope.load_organisation(reader, member.organisation_id)
    _set_admin(org, member)
    return redirect(url_for("third_party.organisation", org_id=org.id))


@bp.route("/pooled-account-changes")
@roles_required(Role.FINANCE_OFFICER)
def pooled_changes_waiting():
    return render_template(
        "third_party/org_pooled_changes.html", changes=org_services.pending_pooled_changes()
    )


@bp.route("/pooled-account-changes/<int:pooled_change_id>", methods=["GET", "POST"])
@roles_required(Role.FINANCE_OFFICER)
def pooled_change(pooled_change_id: int):
    change = scope.load_pooled_change(viewer(), pooled_change_id)
    form = BankChangeDecisionForm()
    if form.validate_on_submit():
        try:
            org_services.decide_pooled_change(
                change,
                approve=form.decision.data == "approve",
                note=form.note.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.decision.errors = [str(exc)]
        else:
            flash(
                "Approved: runs built from now pay the new account."
                if change.status == "approved"
                else "Rejected: payments stay with the current account.",
                "success",
            )
            return redirect(url_for("third_party.pooled_changes_waiting"))
    return render_template("third_party/org_pooled_change.html", change=change, form=form)
