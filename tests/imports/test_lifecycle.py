"""An import's lifecycle: the one table of moves, enumerated, and the move that makes one."""

from __future__ import annotations

import itertools

import pytest

from dp_portal.auth.models import Role
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.imports.lifecycle import TRANSITIONS, ImportState, allowed, move
from dp_portal.imports.models import Import

S = ImportState
EXPECTED = {
    (S.UPLOADED, S.CHECKED),
    (S.UPLOADED, S.CANCELLED),
    (S.CHECKED, S.CHECKED),
    (S.CHECKED, S.APPLYING),
    (S.CHECKED, S.CANCELLED),
    (S.APPLYING, S.APPLIED),
    (S.APPLYING, S.FAILED),
    (S.FAILED, S.CHECKED),
    (S.FAILED, S.CANCELLED),
}


def test_the_table_allows_exactly_these_moves():
    assert set(TRANSITIONS) == set(ImportState)
    found = {(a, b) for a, b in itertools.product(ImportState, ImportState) if allowed(a, b)}
    assert found == EXPECTED


def test_applied_and_cancelled_are_final():
    assert TRANSITIONS[S.APPLIED] == frozenset() == TRANSITIONS[S.CANCELLED]


@pytest.fixture
def record(app_ctx, factory):
    row = Import(
        source="Mosaic",
        file_type="csv",
        state=S.CHECKED,
        created_by_id=factory.user(Role.FINANCE_OFFICER).id,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.mark.parametrize("to", sorted(set(ImportState) - TRANSITIONS[S.CHECKED]))
def test_a_move_the_table_does_not_allow_is_refused(record, to):
    with pytest.raises(RuleError):
        move(record, to)
    assert record.state == S.CHECKED


def test_two_officers_pressing_apply_at_once_start_it_once(record):
    """The second saw the import as checked, but the row has moved on: refused."""
    stale = Import(id=record.id, state=S.CHECKED)
    move(record, S.APPLYING)
    with pytest.raises(RuleError, match="someone else has just started it"):
        move(stale, S.APPLYING)
