"""The signed-in finance officer the import page tests act as, with the rates budgets need."""

from __future__ import annotations

import pytest

from dp_portal.auth.models import Role

from ..conftest import sign_in_as
from .helpers import add_rate_rows


@pytest.fixture
def importer(client, factory, db_session):
    user = factory.user(Role.FINANCE_OFFICER)
    add_rate_rows(db_session, user)
    sign_in_as(client, user)
    return user
