"""Who may use the portal: inviting users, changing their role, sending links, unlocking."""

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import links
from ..auth.models import Role, User
from ..auth.services import LinkKind
from ..auth.services import unlock_user as unlock_account
from ..core.errors import RuleError
from ..core.forms import choices
from ..core.mail import send_message_after_commit
from ..core.permissions import roles_required
from . import bp, services
from .forms import EditUserForm, InviteForm


def _organisation_choices():
    return choices([("", "Not part of an organisation"), *services.organisation_choices()])


def _send_password_link(user: User, kind: LinkKind, *, sent: str) -> None:
    """An administrator's link: flash `sent` once the email has gone, or say it has not."""
    message = links.link_email(user, kind, actor=current_user)
    send_message_after_commit(
        message,
        what=f"{kind} link for user {user.id}",
        on_sent=partial(flash, sent, "success"),
        on_failed=partial(
            flash,
            f"The email to {user.email} could not be sent: the mail server did not accept it. "
            "Try sending a new link later.",
            "error",
        ),
    )


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    role, locked = request.args.get("role", ""), request.args.get("status") == "locked"
    page = services.users_page(role, request.args.get("page", 1, type=int), locked=locked)
    return render_template(
        "admin/users.html", page=page, role=role, roles=list(Role), locked=locked
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite():
    form = InviteForm()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                form.email.data,
                form.full_name.data,
                Role(form.role.data),
                form.organisation_id.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.email.errors = [str(exc)]
        else:
            _send_password_link(user, LinkKind.INVITATION, sent=f"Invitation sent to {user.email}.")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user(user_id: int):
    target = services.load_user(user_id)
    form = EditUserForm(obj=target if request.method == "GET" else None)
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            services.update_user(
                target,
                role=Role(form.role.data),
                organisation_id=form.organisation_id.data,
                is_enabled=form.is_enabled.data,
                actor=current_user,
            )
        except RuleError as exc:
            flash(str(exc), "error")
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("admin.user", user_id=target.id))
    return render_template("admin/user.html", target=target, form=form)


@bp.route("/users/<int:user_id>/send-link", methods=["POST"])
@roles_required(Role.ADMIN)
def send_link(user_id: int):
    target = services.load_user(user_id)
    kind = LinkKind.RESET if target.has_password else LinkKind.INVITATION
    _send_password_link(target, kind, sent=f"A set-password link has been sent to {target.email}.")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def unlock(user_id: int):
    target = services.load_user(user_id)
    unlock_account(target, actor=current_user)
    flash(f"{target.full_name} can sign in again.", "success")
    return redirect(url_for("admin.user", user_id=target.id))
