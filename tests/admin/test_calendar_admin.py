from datetime import date

from dp_portal.auth.models import Role
from dp_portal.core.calendar import Region
from dp_portal.core.calendar_models import working_calendar

from ..conftest import sign_in_as


def test_admin_adds_a_council_closure_that_the_calendar_then_uses(app, client, factory):
    sign_in_as(client, factory.user(Role.ADMIN))
    closure = {
        "day": ["21", "9", "2026"],
        "region": "scotland",
        "kind": "closed",
        "reason": "Local holiday",
    }
    assert client.post("/admin/calendar", data=closure).status_code == 302
    duplicate = client.post("/admin/calendar", data=closure)
    assert b"already has an entry" in duplicate.data
    opening = {
        "day": ["30", "11", "2026"],
        "region": "scotland",
        "kind": "open",
        "reason": "Working St Andrew's Day",
    }
    assert client.post("/admin/calendar", data=opening).status_code == 302

    with app.app_context():
        scotland = working_calendar(Region.SCOTLAND)
        bacs = working_calendar(Region.BACS)
    assert not scotland.is_working_day(date(2026, 9, 21))
    assert bacs.is_working_day(date(2026, 9, 21))  # only the council's calendar changed
    assert scotland.is_working_day(date(2026, 11, 30))
    page = client.get("/admin/calendar").data
    assert b"Local holiday" in page and b"Saint Andrew" in page
