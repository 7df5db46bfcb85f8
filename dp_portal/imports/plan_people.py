"""People and their representatives in a dry run: matched on the client reference (a
representative on the person's client reference and their name), checked with the forms
officers use, compared field by field with what we hold. Reads only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..accounts.models import Person, Representative
from ..accounts.services import PERSON_FIELDS, REPRESENTATIVE_FIELDS
from ..extensions import db
from .fields import Kind
from .plan import Context, Ref, Rows, chunks, differences, keyed_rows, reference
from .report import Action
from .rows import RowReader
from .values import held_text


def held(obj: Any, names: list[str]) -> dict[str, str]:
    return {name: held_text(getattr(obj, name)) for name in names}


def as_text(data: dict[str, Any], names: list[str]) -> dict[str, str]:
    return {name: held_text(data.get(name)) for name in names}


def people_for(ctx: Context, refs: set[str]) -> dict[str, Ref]:
    """The people these client references name: those this import reads first, then those we
    hold (loaded in batches, once each)."""
    missing = sorted(refs - ctx.people.keys())
    for batch in chunks(missing):
        query = select(Person).where(func.upper(Person.client_reference).in_(batch))
        for person in db.session.execute(query).scalars():
            ctx.people[reference(person.client_reference)] = Ref(obj=person)
    return ctx.people


def _decide(ctx: Context, kind: Kind, number: int, key: str, before, after, target, data):
    """Create, update or leave a record, with its outcome and its step."""
    if before is None:
        ctx.outcome(kind, number, key, Action.CREATE)
        ctx.step(kind, Action.CREATE, number, target, data, key)
        return
    changes = differences(kind, before, after)
    if not changes:
        ctx.outcome(kind, number, key, Action.UNCHANGED)
        return
    ctx.outcome(kind, number, key, Action.UPDATE, changes)
    ctx.step(kind, Action.UPDATE, number, target, data, key)


def plan_people(ctx: Context, rows: Rows) -> None:
    kind = Kind.PEOPLE
    rows = keyed_rows(ctx, kind, rows, lambda cells: reference(cells["client_reference"]))
    known = dict(people_for(ctx, {reference(c["client_reference"]) for _, c in rows}))
    reader = RowReader(kind)
    for number, cells in rows:
        key = reference(cells["client_reference"])
        person = known[key].obj if key in known else None
        before = held(person, PERSON_FIELDS) if person else None
        read = reader.read(cells, before)
        ctx.people[key] = Ref(obj=person, row=None if person else number)
        for name, message in read.problems:
            ctx.problem(kind, number, name, message)
        if read.problems:
            continue
        data = {name: read.data[name] for name in PERSON_FIELDS}
        if person is not None:  # matched in any case: the reference stays as we hold it
            data["client_reference"] = person.client_reference
        target = ctx.people[key] if person is None else Ref(obj=person)
        _decide(ctx, kind, number, key, before, as_text(data, PERSON_FIELDS), target, data)


def _representatives_of(people: list[Person]) -> dict[tuple[int, str], Representative]:
    found = {}
    for batch in chunks(sorted(p.id for p in people)):
        query = select(Representative).where(Representative.person_id.in_(batch))
        for rep in db.session.execute(query).scalars():
            found[(rep.person_id, rep.full_name.strip().casefold())] = rep
    return found


def plan_representatives(ctx: Context, rows: Rows) -> None:
    kind = Kind.REPRESENTATIVES

    def key_of(cells: dict[str, str]) -> tuple[str, str]:
        return reference(cells["client_reference"]), cells["full_name"].strip().casefold()

    rows = keyed_rows(ctx, kind, rows, key_of)
    people = people_for(ctx, {key_of(c)[0] for _, c in rows})
    reps = _representatives_of([r.obj for r in people.values() if r.obj is not None])
    reader = RowReader(kind)
    for number, cells in rows:
        client, name = key_of(cells)
        person = people.get(client)
        if person is None:
            ctx.problem(kind, number, "client_reference", no_person(cells["client_reference"]))
            continue
        rep = reps.get((person.obj.id, name)) if person.obj is not None else None
        before = held(rep, REPRESENTATIVE_FIELDS) if rep else None
        read = reader.read(cells, before)
        for field_name, message in read.problems:
            ctx.problem(kind, number, field_name, message)
        if read.problems:
            continue
        data = {field_name: read.data[field_name] for field_name in REPRESENTATIVE_FIELDS}
        if rep is not None:
            data["full_name"] = rep.full_name
        key = f"{client}: {data['full_name']}"
        target = person if rep is None else Ref(obj=rep)
        after = as_text(data, REPRESENTATIVE_FIELDS)
        _decide(ctx, kind, number, key, before, after, target, data)


def no_person(client_reference: str) -> str:
    return (
        f"no person has the client reference {client_reference.strip()}: add them on the "
        "people sheet, or check the reference"
    )
