"""Reading one row with the form a person would have filled in for it: the same fields, the
same checks, the same messages (accounts/forms.py, core/bank_forms.py, payments/forms.py).

One form of each kind is bound once per import and given each row in turn (binding a WTForms
form costs more than validating it). A record we already hold is checked as it would be after
the row changed it: the row's cells over the values we hold, so a file that only updates phone
numbers need not carry everyone's address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from ..accounts.forms import AccountForm, PersonForm, RepresentativeForm
from ..core.bank_forms import BankDetailsForm
from ..core.forms import BaseForm, choices
from ..payments.forms import BudgetForm
from .fields import BY_NAME, FIELDS, Field, Kind
from .values import ValueProblem, form_input

FORMS: dict[Kind, type[BaseForm]] = {
    Kind.PEOPLE: PersonForm,
    Kind.REPRESENTATIVES: RepresentativeForm,
    Kind.ACCOUNTS: AccountForm,
    Kind.BANK_DETAILS: BankDetailsForm,
    Kind.BUDGETS: BudgetForm,
}
# A field whose form input has another name.
FORM_NAMES = {"provider": "provider_id"}
CANONICAL = {form_name: name for name, form_name in FORM_NAMES.items()} | {
    "account_number_again": "account_number"
}
# Never repeated back in a message or a report: only its last four digits are shown.
SECRET = frozenset({"account_number"})


@dataclass
class Read:
    data: dict[str, Any]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


def _sentence(f: Field, value: str, message: str) -> str:
    """The form's message, naming the field and what the cell said when it said anything."""
    if not value or f.name in SECRET:
        return message
    return f"{f.label} {value}: {message[0].lower()}{message[1:]}"


class RowReader:
    """Checks rows of one kind with that kind's form."""

    def __init__(self, kind: Kind, *, providers: dict[int, str] | None = None):
        self.kind = kind
        self.providers = providers or {}
        self.form = FORMS[kind](formdata=None, meta={"csrf": False})
        if kind == Kind.BUDGETS:
            self.form.provider_id.choices = choices([("", "No provider"), *self.providers.items()])
        self.fields = [f for f in FIELDS[kind] if FORM_NAMES.get(f.name, f.name) in self.form]
        self.by_name = BY_NAME[kind]

    def merged(self, given: dict[str, str], held: dict[str, str] | None) -> dict[str, str]:
        """The row's cells over what we hold (or over the defaults, for a new record). A
        blank cell of a field with a default keeps what we hold."""
        values = dict(held) if held is not None else {f.name: f.default or "" for f in self.fields}
        for name, text in given.items():
            f = self.by_name.get(name)
            if f is not None and (text or f.default is None):
                values[name] = text
        return values

    def read(self, given: dict[str, str], held: dict[str, str] | None = None) -> Read:
        values = self.merged(given, held)
        formdata = MultiDict()
        read = Read({})
        unreadable = set()
        for f in self.fields:
            try:
                value = form_input(f, values.get(f.name, ""))
            except ValueProblem as problem:
                read.problems.append((f.name, str(problem)))
                unreadable.add(f.name)
                continue
            name = FORM_NAMES.get(f.name, f.name)
            for part in value if isinstance(value, list) else [value]:
                formdata.add(name, part)
        if self.kind == Kind.BANK_DETAILS:  # typed once in a file: nothing to compare
            formdata.setlist("account_number_again", formdata.getlist("account_number"))
        self.form.process(formdata=formdata)
        if not self.form.validate():
            for name, messages in self.form.errors.items():
                canonical = CANONICAL.get(name, name)
                f = self.by_name.get(canonical)
                if f is None or canonical in unreadable or not messages:
                    continue
                unreadable.add(canonical)
                read.problems.append(
                    (canonical, _sentence(f, values.get(canonical, ""), messages[0]))
                )
        read.data = {
            f.name: self.form[FORM_NAMES.get(f.name, f.name)].data
            for f in self.fields
            if f.name not in unreadable
        }
        if self.kind == Kind.BUDGETS and not read.problems:
            read.data["lines"] = self.form.line_specs(self.providers)
        return read
