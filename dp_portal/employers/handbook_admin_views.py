"""The PA Employer Handbook for administrators: every section's state, a new section, a
section's draft (with a note of what changed), and a preview that shows the draft exactly as
readers will see it, with the button that publishes it now or from a later date."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.models import Role
from ..core.errors import RuleError
from ..core.permissions import roles_required
from ..core.types import local_date
from . import bp
from . import handbook_services as services
from .handbook import render_markdown, slugify
from .handbook_forms import DraftForm, NewSectionForm, PublishForm
from .models import Stage


@bp.route("/employers/handbook/admin")
@roles_required(Role.ADMIN)
def handbook_admin():
    return render_template("employers/handbook/admin.html", statuses=services.overview())


@bp.route("/employers/handbook/admin/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def handbook_new_section():
    form = NewSectionForm()
    if form.validate_on_submit():
        slug = form.slug.data or slugify(form.title.data)
        try:
            services.add_section(
                stage=Stage(form.stage.data),
                slug=slug,
                title=form.title.data,
                summary=form.summary.data,
                body=form.body.data,
                change_note=form.change_note.data,
                actor=current_user,
            )
        except RuleError as exc:
            form.slug.errors = [str(exc)]
        else:
            return redirect(url_for("employers.handbook_preview", slug=slug))
    return render_template("employers/handbook/new.html", form=form)


def _starting_values(status: services.Status) -> dict:
    start = services.starting_text(status)
    if start is None:
        return {}
    values = {"title": start.title, "summary": start.summary, "body": start.body_markdown}
    if start is status.draft:
        values["change_note"] = start.change_note
    return values


@bp.route("/employers/handbook/admin/<slug>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def handbook_edit(slug: str):
    status = services.section_status(slug)
    form = DraftForm(data=_starting_values(status))
    if form.validate_on_submit():
        services.save_draft(
            status,
            title=form.title.data,
            summary=form.summary.data,
            body=form.body.data,
            change_note=form.change_note.data,
            actor=current_user,
        )
        return redirect(url_for("employers.handbook_preview", slug=slug))
    return render_template(
        "employers/handbook/edit.html",
        form=form,
        status=status,
        versions=services.history(status.section),
    )


@bp.route("/employers/handbook/admin/<slug>/preview", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def handbook_preview(slug: str):
    status = services.section_status(slug)
    form = PublishForm()
    if status.draft is not None and form.validate_on_submit():
        on = form.publish_on.data if form.when.data == "later" else None
        try:
            version = services.publish(status, on=on, actor=current_user)
        except RuleError as exc:
            form.publish_on.errors = [str(exc)]
        else:
            if on is None:
                flash(f"Version {version.version} is published. Readers see it now.", "success")
                return redirect(url_for("employers.handbook_section", slug=slug))
            flash(
                f"Version {version.version} will be published on "
                f"{local_date(version.published_at):%-d %B %Y}.",
                "success",
            )
            return redirect(url_for("employers.handbook_admin"))
    return render_template(
        "employers/handbook/preview.html", form=form, status=status, render=render_markdown
    )
