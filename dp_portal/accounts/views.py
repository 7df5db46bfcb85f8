from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.models import Role
from ..auth.services import find_user_by_email
from ..core.forms import choices
from ..core.permissions import roles_required, signed_in, viewer
from ..core.types import local_today
from ..third_party import services as third_party
from . import bank_changes, bp, scope, services
from .forms import (
    AccessForm,
    AccountForm,
    CorrespondentForm,
    PersonForm,
    RepresentativeForm,
    SearchForm,
)
from .models import Account, Correspondent

STAFF = (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
EDITORS = (Role.FINANCE_OFFICER,)


def _form_data(form, names) -> dict:
    return {name: form[name].data for name in names if name in form}


@bp.route("/accounts")
@signed_in
def index():
    form = SearchForm(request.args)
    form.validate()
    page = services.account_page(
        viewer(),
        search=form.q.data or "",
        status=form.status.data or "",
        page=request.args.get("page", 1, type=int),
    )
    return render_template("accounts/index.html", page=page, form=form)


@bp.route("/accounts/<int:account_id>")
@signed_in
def show(account_id: int):
    account = scope.load_account(viewer(), account_id)
    staff = current_user.role in STAFF
    return render_template(
        "accounts/show.html",
        account=account,
        staff=staff,
        can_edit=current_user.role in EDITORS,
        mandates=third_party.mandates_for_account(account.id),
        access=services.access_links(account) if staff else [],
        events=services.recent_events(account) if staff else [],
        pending_bank_change=bank_changes.pending_for(account.id) if staff else None,
        today=local_today(),
    )


# --- People -------------------------------------------------------------------------------


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_person():
    form = PersonForm()
    if form.validate_on_submit():
        if services.client_reference_taken(form.client_reference.data):
            form.client_reference.errors = ["A person with this client reference already exists"]
        else:
            person = services.create_person(
                _form_data(form, services.PERSON_FIELDS), actor=current_user
            )
            flash(f"{person.full_name} has been added. Now set up their account.", "success")
            return redirect(url_for("accounts.new_account", person_id=person.id))
    return render_template("accounts/person_form.html", form=form, person=None)


@bp.route("/people/<int:person_id>")
@roles_required(*STAFF)
def person(person_id: int):
    person = scope.load_person(viewer(), person_id)
    return render_template(
        "accounts/person.html", person=person, can_edit=current_user.role in EDITORS
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_person(person_id: int):
    person = scope.load_person(viewer(), person_id)
    form = PersonForm(obj=person if request.method == "GET" else None)
    if form.validate_on_submit():
        if services.client_reference_taken(form.client_reference.data, except_person_id=person.id):
            form.client_reference.errors = ["A person with this client reference already exists"]
        else:
            changed = services.update_person(
                person, _form_data(form, services.PERSON_FIELDS), actor=current_user
            )
            flash(_saved(changed), "success")
            return redirect(url_for("accounts.person", person_id=person.id))
    return render_template("accounts/person_form.html", form=form, person=person)


def _form_page(form, save: Callable[[], tuple[str, str]], template: str, **context):
    """A form page: a valid form is saved (`save` says what happened and where to go next);
    otherwise the form is shown, with its errors."""
    if form.validate_on_submit():
        message, target = save()
        flash(message, "success")
        return redirect(target)
    return render_template(template, form=form, **context)


def _saved(changed: bool) -> str:
    return "Changes saved." if changed else "Nothing was changed."


def _new_page(form, create, fields: list[str], said, template: str, **context):
    """Add a record: `create` makes it from the form's data; `said` gives the message and
    the next page for the new record."""
    return _form_page(
        form,
        lambda: said(create(_form_data(form, fields), actor=current_user)),
        template,
        **context,
    )


@dataclass(frozen=True)
class FormKind:
    """A record's form: its class, the fields it saves and its template."""

    form_class: type
    fields: list[str]
    template: str


ACCOUNT_FORM = FormKind(AccountForm, services.ACCOUNT_FIELDS, "accounts/account_form.html")
REPRESENTATIVE_FORM = FormKind(
    RepresentativeForm, services.REPRESENTATIVE_FIELDS, "accounts/representative_form.html"
)


def _edit_page(kind: FormKind, obj, update, next_url: str):
    """Change a record's details: the form starts from the record, and saving says whether
    anything changed. Returns the page, given what its template shows."""
    form = kind.form_class(obj=obj if request.method == "GET" else None)

    def save() -> tuple[str, str]:
        changed = update(obj, _form_data(form, kind.fields), actor=current_user)
        return _saved(changed), next_url

    return partial(_form_page, form, save, kind.template)


@bp.route("/people/<int:person_id>/accounts/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_account(person_id: int):
    person = scope.load_person(viewer(), person_id)
    form = AccountForm()
    del form.status  # a new account starts active

    def opened(account) -> tuple[str, str]:
        said = f"Account {account.reference} has been opened. Add the bank details next."
        return said, url_for("accounts.bank_details", account_id=account.id)

    create = partial(services.create_account, person)
    return _new_page(
        form,
        create,
        services.ACCOUNT_FIELDS,
        opened,
        "accounts/account_form.html",
        person=person,
        account=None,
    )


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_account(account_id: int):
    account = scope.load_account(viewer(), account_id)
    done = url_for("accounts.show", account_id=account.id)
    page = _edit_page(ACCOUNT_FORM, account, services.update_account, done)
    return page(person=account.person, account=account)


def _correspondent_choices(account: Account):
    options = [
        (f"person:{account.person.id}", f"{account.person.full_name} (the supported person)")
    ]
    options += [
        (f"representative:{rep.id}", f"{rep.full_name} ({rep.relationship_label.lower()})")
        for rep in account.person.representatives
    ]
    options += [
        (f"organisation:{org.id}", f"{org.name} (manages the money)")
        for org in third_party.current_organisations_for_account(account.id, local_today())
    ]
    return options


@bp.route("/accounts/<int:account_id>/correspondent", methods=["GET", "POST"])
@roles_required(*EDITORS)
def correspondent(account_id: int):
    account = scope.load_account(viewer(), account_id)
    form = CorrespondentForm()
    form.correspondent.choices = choices(_correspondent_choices(account))
    if request.method == "GET":
        current_id = {
            "representative": account.correspondent_representative_id,
            "organisation": account.correspondent_organisation_id,
        }.get(account.correspondent, account.person.id)
        form.correspondent.data = f"{account.correspondent}:{current_id}"
    if form.validate_on_submit():
        kind, _, raw_id = form.correspondent.data.partition(":")
        changed = services.set_correspondent(
            account,
            Correspondent(kind),
            representative_id=int(raw_id) if kind == "representative" else None,
            organisation_id=int(raw_id) if kind == "organisation" else None,
            actor=current_user,
        )
        flash("Saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("accounts.show", account_id=account.id))
    return render_template("accounts/correspondent.html", form=form, account=account)


@bp.route("/people/<int:person_id>/representatives/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_representative(person_id: int):
    person = scope.load_person(viewer(), person_id)

    def added(rep) -> tuple[str, str]:
        said = f"{rep.full_name} has been added as a representative."
        return said, url_for("accounts.person", person_id=person.id)

    create = partial(services.add_representative, person)
    template = "accounts/representative_form.html"
    fields = services.REPRESENTATIVE_FIELDS
    return _new_page(RepresentativeForm(), create, fields, added, template, person=person, rep=None)


@bp.route("/representatives/<int:rep_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_representative(rep_id: int):
    rep = scope.load_representative(viewer(), rep_id)
    done = url_for("accounts.person", person_id=rep.person_id)
    return _edit_page(REPRESENTATIVE_FORM, rep, services.update_representative, done)(
        person=rep.person, rep=rep
    )


@bp.route("/accounts/<int:account_id>/access", methods=["GET", "POST"])
@roles_required(*EDITORS)
def access(account_id: int):
    account = scope.load_account(viewer(), account_id)
    form = AccessForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None or user.role != Role.RECIPIENT:
            form.email.errors = [
                "There is no supported person or representative user with this email address. "
                "Ask an administrator to invite them first"
            ]
        else:
            services.grant_access(account, user, form.capacity.data, actor=current_user)
            flash(f"{user.full_name} can now see this account.", "success")
            return redirect(url_for("accounts.show", account_id=account.id))
    return render_template(
        "accounts/access.html", form=form, account=account, links=services.access_links(account)
    )


@bp.route("/accounts/<int:account_id>/access/<int:link_id>/remove", methods=["POST"])
@roles_required(*EDITORS)
def remove_access(account_id: int, link_id: int):
    link = scope.load_access_link(viewer(), account_id, link_id)
    account = link.account
    services.revoke_access(link, actor=current_user)
    flash(f"{link.user.full_name} can no longer see this account.", "success")
    return redirect(url_for("accounts.access", account_id=account.id))
