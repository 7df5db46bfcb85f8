from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from ..auth.models import Role
from ..core import audit
from ..core.calendar import Region, bank_holidays
from ..core.calendar_models import CalendarOverride
from ..core.forms import BaseForm, DateField, choices
from ..core.modulus import ModulusTables, TableError
from ..core.modulus_models import ModulusTableVersion
from ..core.permissions import roles_required
from ..core.types import local_today
from ..extensions import db
from . import bp

MAX_TABLE_BYTES = 2 * 1024 * 1024


class OverrideForm(BaseForm):
    day = DateField("Date", validators=[InputRequired("Enter the date")])
    region = RadioField(
        "Which calendar?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("scotland", "Council working days (letters and due dates)"),
                ("bacs", "Bacs processing days (pay dates)"),
            ]
        ),
        validators=[InputRequired("Choose which calendar")],
    )
    kind = RadioField(
        "What changes?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("closed", "The council is closed that day (a local holiday)"),
                ("open", "It is a working day despite being a bank holiday"),
            ]
        ),
        validators=[InputRequired("Choose what changes")],
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the reason, like 'Local holiday'"), Length(max=200)],
    )
    submit = SubmitField("Add to the calendar", widget=GovSubmitInput())


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def calendar():
    form = OverrideForm()
    if form.validate_on_submit():
        exists = db.session.execute(
            select(CalendarOverride.id).where(
                CalendarOverride.day == form.day.data, CalendarOverride.region == form.region.data
            )
        ).first()
        if exists:
            form.day.errors = ["That date already has an entry for this calendar: remove it first"]
        else:
            row = CalendarOverride(
                day=form.day.data,
                region=form.region.data,
                kind=form.kind.data,
                reason=form.reason.data,
                created_by_id=current_user.id,
            )
            db.session.add(row)
            audit.record(
                current_user,
                "calendar.override_added",
                row,
                summary=f"{row.day.isoformat()} {row.kind} ({row.region})",
                after=audit.snapshot(row, ["day", "region", "kind", "reason"]),
            )
            flash("The calendar has been updated.", "success")
            return redirect(url_for("admin.calendar"))
    overrides = (
        db.session.execute(select(CalendarOverride).order_by(CalendarOverride.day.desc()))
        .scalars()
        .all()
    )
    year = local_today().year
    holidays = {
        region: sorted(bank_holidays(region, year).items())
        for region in (Region.SCOTLAND, Region.BACS)
    }
    return render_template(
        "admin/calendar.html", form=form, overrides=overrides, holidays=holidays, year=year
    )


@bp.route("/calendar/<int:override_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_override(override_id: int):
    row = db.session.get(CalendarOverride, override_id) or abort(404)
    audit.record(
        current_user,
        "calendar.override_removed",
        row,
        summary=f"{row.day.isoformat()} {row.kind} ({row.region}) removed",
        before=audit.snapshot(row, ["day", "region", "kind", "reason"]),
    )
    db.session.delete(row)
    flash("The entry has been removed.", "success")
    return redirect(url_for("admin.calendar"))


class ModulusUploadForm(BaseForm):
    label = StringField(
        "Version",
        widget=GovTextInput(),
        description="As Pay.UK names it, for example 'valacdos v8.10, valid from 2 March 2026'",
        validators=[InputRequired("Enter the version of the table"), Length(max=120)],
    )
    valacdos = FileField(
        "Weight table (valacdos.txt)",
        widget=GovFileInput(),
        validators=[InputRequired("Choose the weight table file")],
    )
    scsubtab = FileField(
        "Sort code substitution table (scsubtab.txt), optional", widget=GovFileInput()
    )
    submit = SubmitField("Upload and use this table", widget=GovSubmitInput())


def _read_text(storage, name: str) -> str:
    data = storage.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise TableError(f"The {name} file must be smaller than 2 MB")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise TableError(f"The {name} file must be a plain text file from Pay.UK") from exc


@bp.route("/bank-checking", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def bank_checking():
    form = ModulusUploadForm()
    if form.validate_on_submit():
        try:
            valacdos = _read_text(form.valacdos.data, "weight table")
            scsubtab = (
                _read_text(form.scsubtab.data, "substitution table") if form.scsubtab.data else ""
            )
            tables = ModulusTables.parse(valacdos, scsubtab)
        except TableError as exc:
            form.valacdos.errors = [str(exc)]
        else:
            row = ModulusTableVersion(
                label=form.label.data,
                valacdos=valacdos,
                scsubtab=scsubtab,
                row_count=len(tables.rows),
                uploaded_by_id=current_user.id,
            )
            db.session.add(row)
            audit.record(
                current_user,
                "bank_checking.table_uploaded",
                row,
                summary=f"Modulus table {row.label} ({row.row_count} rows)",
                after={"label": row.label, "rows": row.row_count},
            )
            flash(f"Bank details are now checked with {row.label}.", "success")
            return redirect(url_for("admin.bank_checking"))
    versions = db.session.execute(
        select(
            ModulusTableVersion.id,
            ModulusTableVersion.label,
            ModulusTableVersion.row_count,
            ModulusTableVersion.uploaded_at,
        ).order_by(ModulusTableVersion.id.desc())
    ).all()
    return render_template("admin/bank_checking.html", form=form, versions=versions)
