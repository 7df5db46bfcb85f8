from functools import partial
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..core.forms import choices
from ..core.mail import after_response, send_message_after_commit
from ..core.permissions import public, roles_required, signed_in
from ..core.ratelimits import post_limits, reset_request_limits, sign_in_limits
from ..extensions import db, login_manager
from ..third_party.models import Organisation
from . import bp, links, services, sessions
from .forms import (
    ChangePasswordForm,
    EditUserForm,
    InviteForm,
    ResetRequestForm,
    SetPasswordForm,
    SignInForm,
)
from .models import Role, User
from .services import LinkKind


@login_manager.user_loader
def load_user(session_id: str):
    # A session ended on the server (signed out, or every device signed out) loads no one,
    # whatever the browser's cookie says.
    return sessions.user_for_session(session_id)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@sign_in_limits
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        result = services.attempt_sign_in(
            form.email.data,
            form.password.data,
            max_failures=current_app.config["SIGN_IN_MAX_FAILURES"],
            lock_minutes=current_app.config["SIGN_IN_LOCK_MINUTES"],
            session_lifetime=current_app.config["PERMANENT_SESSION_LIFETIME"],
        )
        if result.problem is None:
            login_user(result.user)  # the cookie names the session the service started
            return redirect(_safe_next(request.args.get("next")) or url_for("pages.home"))
        # The failure count is saved by the request's commit: this page is a 200.
        problem = result.problem
        form.email.errors = [problem]
    return render_template("auth/sign_in.html", form=form, problem=problem)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    sessions.end_session(current_user)
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/your-account")
@signed_in
def account():
    return render_template("auth/account.html")


@bp.route("/your-account/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    sessions.sign_out_everywhere(current_user, actor=current_user)
    logout_user()
    flash("You have signed out on every device, including this one.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/your-account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    form.email_for_check = current_user.email
    if form.validate_on_submit():
        if not services.verify_password(current_user, form.current_password.data):
            form.current_password.errors = ["Your current password is not correct"]
        else:
            # Keeps this session (current_user.session_token) and ends every other one.
            services.set_password(current_user, form.new_password.data, actor=current_user)
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


def _link_owner() -> str:
    """Rate-limit key for a set-password link: the user it names (a bad token: one bucket)."""
    token = (request.view_args or {}).get("token", "")
    owner = services.user_id_in_token(token, current_app.config["SECRET_KEY"])
    return f"link-user:{owner}"


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@post_limits("RATELIMIT_LINK_PER_ADDRESS", "RATELIMIT_LINK_PER_ACCOUNT", _link_owner)
def set_password(token: str):
    found = services.user_for_password_token(
        token, current_app.config["SECRET_KEY"], links.max_ages()
    )
    if found is None:
        return render_template("auth/link_expired.html", **_lifetimes()), 410
    user, _kind = found
    form = SetPasswordForm()
    form.email_for_check = user.email
    if form.validate_on_submit():
        services.set_password(user, form.new_password.data, actor=user)
        flash(
            "Your password has been saved. Sign in with your email address and password.", "success"
        )
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/set_password.html", form=form, user=user)


def _lifetimes() -> dict[str, str]:
    return {
        "reset_lifetime": links.lifetime(LinkKind.RESET),
        "invitation_lifetime": links.lifetime(LinkKind.INVITATION),
    }


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


@bp.route("/reset-password", methods=["GET", "POST"])
@public
@reset_request_limits
def reset_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        # The same page, in the same time, whether or not the address is known: the lookup,
        # the new link and the email all happen after the response has gone.
        after_response(partial(links.send_reset_link, form.email.data))
        return render_template("auth/reset_sent.html", email=form.email.data, **_lifetimes())
    return render_template("auth/reset_password.html", form=form)


# --- Administering users -----------------------------------------------------------------


def _organisation_choices():
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    return choices([("", "Not part of an organisation"), *rows])


@bp.route("/admin/users")
@roles_required(Role.ADMIN)
def users():
    role = request.args.get("role", "")
    query = select(User).order_by(User.full_name)
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("auth/users.html", page=page, role=role, roles=list(Role))


@bp.route("/admin/users/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite():
    form = InviteForm()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        if services.find_user_by_email(form.email.data) is not None:
            form.email.errors = ["A user with this email address already exists"]
        else:
            user = services.invite_user(
                email=form.email.data,
                full_name=form.full_name.data,
                role=Role(form.role.data),
                organisation_id=form.organisation_id.data,
                actor=current_user,
            )
            _send_password_link(user, LinkKind.INVITATION, sent=f"Invitation sent to {user.email}.")
            return redirect(url_for("auth.user", user_id=user.id))
    return render_template("auth/invite.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user(user_id: int):
    target = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=target if request.method == "GET" else None)
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        if target.id == current_user.id and (
            form.role.data != Role.ADMIN or not form.is_enabled.data
        ):
            flash("You cannot remove your own administrator access.", "error")
        else:
            services.update_user(
                target,
                role=Role(form.role.data),
                organisation_id=form.organisation_id.data,
                is_enabled=form.is_enabled.data,
                actor=current_user,
            )
            flash("Changes saved.", "success")
            return redirect(url_for("auth.user", user_id=target.id))
    return render_template("auth/user.html", target=target, form=form)


@bp.route("/admin/users/<int:user_id>/send-link", methods=["POST"])
@roles_required(Role.ADMIN)
def send_link(user_id: int):
    target = db.session.get(User, user_id) or abort(404)
    kind = LinkKind.RESET if target.has_password else LinkKind.INVITATION
    _send_password_link(target, kind, sent=f"A set-password link has been sent to {target.email}.")
    return redirect(url_for("auth.user", user_id=target.id))


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def unlock(user_id: int):
    target = db.session.get(User, user_id) or abort(404)
    services.unlock_user(target, actor=current_user)
    flash(f"{target.full_name} can sign in again.", "success")
    return redirect(url_for("auth.user", user_id=target.id))
