from functools import partial
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..core.mail import after_response
from ..core.permissions import public, signed_in
from ..core.ratelimits import post_limits, reset_request_limits, sign_in_limits
from ..extensions import login_manager
from . import bp, links, services, sessions
from .forms import (
    ChangePasswordForm,
    ResetRequestForm,
    SetPasswordForm,
    SignInForm,
)
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
