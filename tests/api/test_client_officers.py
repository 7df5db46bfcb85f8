"""The responsible finance officer on the administrators' pages: a client that imports people
cannot be created without one who can answer for it, its page names them, and only a finance
officer who is switched on can be named (then or later)."""

from __future__ import annotations

from sqlalchemy import func, select

from dp_portal.api.models import ApiClient
from dp_portal.auth.models import Role

from ..conftest import sign_in_as

NEW = "/admin/integrations/new"


def _clients(db_session) -> int:
    return db_session.execute(select(func.count()).select_from(ApiClient)).scalar()


def test_a_client_that_imports_people_needs_a_finance_officer_who_is_switched_on(
    client, admin, factory, db_session
):
    sign_in_as(client, admin)
    off = factory.user(Role.FINANCE_OFFICER, full_name="Olive Off", is_enabled=False)
    leader = factory.user(Role.TEAM_LEADER, full_name="Tam Leader")
    form = client.get(NEW).get_data(as_text=True)
    assert "Responsible finance officer" in form and "Olive Off" not in form
    assert "Tam Leader" not in form
    for chosen, message in (
        ("", "Choose the finance officer responsible for what this client imports"),
        (str(off.id), "Olive Off, the responsible finance officer, is switched off"),
        (str(leader.id), "Tam Leader, the responsible officer, is no longer a finance officer"),
    ):
        page = client.post(
            NEW, data={"name": "Mosaic", "scopes": ["people:import"], "officer_id": chosen}
        ).get_data(as_text=True)
        assert message in page and "There is a problem" in page and "dpk_" not in page
    assert _clients(db_session) == 0


def test_the_client_page_names_the_officer_and_a_reader_needs_none(
    client, admin, responsible, db_session
):
    sign_in_as(client, admin)
    client.post(
        NEW,
        data={"name": "Mosaic", "scopes": ["people:import"], "officer_id": str(responsible.id)},
    )
    client.post(NEW, data={"name": "Finance", "scopes": ["ledger:read"], "officer_id": ""})
    importer, reader = (
        db_session.execute(select(ApiClient).where(ApiClient.name == name)).scalar_one()
        for name in ("Mosaic", "Finance")
    )
    assert importer.officer_id == responsible.id and reader.officer_id is None
    page = client.get(f"/admin/integrations/{importer.id}").get_data(as_text=True)
    assert f"Rhona Responsible ({responsible.email})" in page
    assert "Change the responsible finance officer" in page
    page = client.get(f"/admin/integrations/{reader.id}").get_data(as_text=True)
    assert "Not needed: it imports nothing" in page
    assert "Change the responsible finance officer" not in page
    refused = client.post(
        f"/admin/integrations/{reader.id}/officer", data={"officer_id": responsible.id}
    )
    assert "does not import people" in refused.get_data(as_text=True)
    db_session.refresh(reader)
    assert reader.officer_id is None
