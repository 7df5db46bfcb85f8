"""The scoped loader for imports. An import is the council's, not one person's: every
finance officer sees every import (the one who uploaded it may be away when it needs
applying), and nobody else sees any, because an import holds many people's details and
changes what finance officers alone may change (people, accounts, bank details)."""

from __future__ import annotations

from ..auth.models import Role
from ..core.errors import NotAllowed, NotFound
from ..core.permissions import Viewer
from ..extensions import db
from .models import Import

IMPORTERS = (Role.FINANCE_OFFICER,)


def load_import(viewer: Viewer, import_id: int) -> Import:
    if viewer.role not in IMPORTERS:
        raise NotAllowed("Only finance officers import records")
    record = db.session.get(Import, import_id)
    if record is None:
        raise NotFound()
    return record
