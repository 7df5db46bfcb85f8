"""The employer checklist: a public page explaining it, each account's checklist (anyone who
may see the account), a tick form per item (whoever may act as the PAs' employer), and the
evidence files, opened through the scoped loader."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..accounts import scope as account_scope
from ..accounts.scope import Need
from ..auth.models import Role
from ..core import audit
from ..core.downloads import stored_file
from ..core.errors import NotFound
from ..core.permissions import public, roles_required, signed_in, viewer
from ..core.ratelimits import upload_limits
from ..core.types import local_today
from ..core.uploads import MAX_EVIDENCE_BYTES, UploadError
from . import bp, checklist_services, scope
from .checklist import ITEMS, RENEWAL_NOTICE_DAYS, TickError, item
from .checklist_forms import TickForm

# Roles that can hold Need.EMPLOYER on some account (accounts.scope).
EMPLOYERS = (Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER)


@bp.route("/employers/checklist")
@public
def checklist_guide():
    return render_template(
        "employers/checklist_guide.html", items=ITEMS, notice_days=RENEWAL_NOTICE_DAYS
    )


@bp.route("/accounts/<int:account_id>/employer-checklist")
@signed_in
def checklist(account_id: int):
    reader = viewer()
    account = scope.load_employer(reader, account_id)
    return render_template(
        "employers/checklist.html",
        account=account,
        items=checklist_services.checklist_for(account.id, reader.today),
        may_tick=account_scope.allows(reader, account.id, Need.EMPLOYER),
    )


def _upload(form: TickForm) -> checklist_services.Upload | None:
    data = form.file.data
    if data is None or not getattr(data, "filename", ""):
        return None
    return checklist_services.Upload(data.filename, data.read(MAX_EVIDENCE_BYTES + 1))


@bp.route("/accounts/<int:account_id>/employer-checklist/<item_key>", methods=["GET", "POST"])
@roles_required(*EMPLOYERS)
@upload_limits
def tick(account_id: int, item_key: str):
    reader = viewer()
    account = scope.load_employer(reader, account_id, Need.EMPLOYER)
    try:
        entry = item(item_key)
    except LookupError:
        abort(404)
    form = TickForm()
    if form.validate_on_submit():
        try:
            checklist_services.record_tick(
                account,
                entry.key,
                done_on=form.done_on.data,
                renews_on=form.renews_on.data,
                note=form.note.data or "",
                upload=_upload(form),
                actor=current_user,
                today=reader.today,
            )
        except TickError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        except UploadError as exc:
            form.file.errors.append(f"The file was not added: {exc}")
        else:
            flash(f"Saved: {entry.title}.", "success")
            return redirect(url_for("employers.checklist", account_id=account.id))
    return render_template(
        "employers/checklist_tick.html",
        account=account,
        entry=entry,
        form=form,
        history=checklist_services.history(account.id, entry.key),
        today=local_today(),
    )


@bp.route("/employers/checklist-files/<int:file_id>")
@signed_in
def checklist_file(file_id: int):
    file = scope.load_file(viewer(), file_id)
    if file.purpose != "checklist":
        raise NotFound(f"checklist file {file_id}")
    audit.record_download(
        current_user, "checklist_file", file.original_name, account_id=file.account_id
    )
    return stored_file(file.storage_key, file.original_name, file.content_type)
