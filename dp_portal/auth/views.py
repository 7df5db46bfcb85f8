from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..core.forms import choices
from ..core.mail import send_after_commit
from ..core.permissions import public, roles_required, signed_in
from ..extensions import db, login_manager
from ..third_party.models import Organisation
from . import bp, services
from .forms import (
    ChangePasswordForm,
    EditUserForm,
    InviteForm,
    ResetRequestForm,
    SetPasswordForm,
    SignInForm,
)
from .models import Role, User


@login_manager.user_loader
def load_user(user_id: str):
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(version) or not user.is_enabled:
        return None
    return user


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
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
        )
        if result.problem is None:
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("pages.home"))
        # The failure count is saved by the request's commit: this page is a 200.
        problem = result.problem
        form.email.errors = [problem]
    return render_template("auth/sign_in.html", form=form, problem=problem)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    logout_user()
    flash("You have signed out.", "success")
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
            services.set_password(current_user, form.new_password.data, actor=current_user)
            login_user(current_user)  # keep this session; others end with the version bump
            flash("Your password has been changed.", "success")
            return redirect(url_for("pages.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    user = services.user_for_password_token(
        token, current_app.config["SECRET_KEY"], current_app.config["PASSWORD_LINK_MAX_AGE"]
    )
    if user is None:
        return render_template("auth/link_expired.html"), 410
    form = SetPasswordForm()
    form.email_for_check = user.email
    if form.validate_on_submit():
        services.set_password(user, form.new_password.data, actor=user)
        flash(
            "Your password has been saved. Sign in with your email address and password.", "success"
        )
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/set_password.html", form=form, user=user)


def _send_password_link(user: User, *, invitation: bool) -> None:
    token = services.make_password_token(user, current_app.config["SECRET_KEY"])
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "auth.set_password", token=token
    )
    council = current_app.config["COUNCIL_NAME"]
    days = current_app.config["PASSWORD_LINK_MAX_AGE"].days
    if invitation:
        subject = f"You have been invited to {council}'s direct payments portal"
        opening = f"{council} has set up an account for you on the direct payments portal."
    else:
        subject = f"Set a new password for {council}'s direct payments portal"
        opening = "We received a request to set a new password for your account."
    body = (
        f"Dear {user.full_name},\n\n{opening}\n\n"
        f"Use this link to choose your password. It works once, for {days} days:\n\n"
        f"{link}\n\n"
        f"If you did not expect this email, you can ignore it, or call us on "
        f"{current_app.config['COUNCIL_PHONE']}.\n\n{council}\n"
    )
    send_after_commit(user.email, subject, body)


@bp.route("/reset-password", methods=["GET", "POST"])
@public
def reset_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.is_enabled:
            _send_password_link(user, invitation=False)
        # The same answer whether or not the address is known, so it reveals nothing.
        return render_template("auth/reset_sent.html", email=form.email.data)
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
            _send_password_link(user, invitation=True)
            flash(f"Invitation sent to {user.email}.", "success")
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
    _send_password_link(target, invitation=not target.has_password)
    flash(f"A set-password link has been sent to {target.email}.", "success")
    return redirect(url_for("auth.user", user_id=target.id))


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def unlock(user_id: int):
    target = db.session.get(User, user_id) or abort(404)
    services.unlock_user(target, actor=current_user)
    flash(f"{target.full_name} can sign in again.", "success")
    return redirect(url_for("auth.user", user_id=target.id))
