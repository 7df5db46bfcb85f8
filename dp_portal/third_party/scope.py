"""The scoped loader for mandates: a mandate is opened through the account it is for."""

from __future__ import annotations

from ..accounts import scope as account_scope
from ..core.errors import NotFound
from ..core.permissions import Viewer
from ..extensions import db
from .models import Mandate


def load_mandate(viewer: Viewer, mandate_id: int) -> Mandate:
    mandate = db.session.get(Mandate, mandate_id)
    if mandate is None:
        raise NotFound(f"mandate {mandate_id}")
    account_scope.load_account(viewer, mandate.account_id)
    return mandate
