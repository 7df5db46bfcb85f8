"""Administrators add next tax year's employer-cost figures; the calculator uses them from
their date, and a correction is a newer row, never an edit."""

from datetime import date

from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.employers.models import CostRate

from ..conftest import sign_in_as

NEXT_YEAR = {
    "ni_rate": ("15", 1500),
    "ni_secondary_threshold": ("96.00", 9600),
    "employment_allowance": ("10500", 1050000),
}


def _add(client, kind, value, day=("6", "4", "2027"), source="HMRC 2027 to 2028"):
    return client.post(
        "/employers/cost-rates",
        data={"kind": kind, "effective_from": list(day), "value": value, "source_note": source},
    )


def test_an_administrator_adds_next_years_figures_and_the_calculator_uses_them(
    client, factory, db_session
):
    url = (
        "/employers/calculator?hours_per_week=20&hourly_wage=13.45&on=2027-06-01"
        "&employment_allowance=no"
    )
    before = client.get(url, headers={"Accept": "application/json"})
    assert before.status_code == 400  # no rates on file for 2027/28 yet
    sign_in_as(client, factory.user(Role.ADMIN))
    for kind, (value, stored) in NEXT_YEAR.items():
        assert _add(client, kind, value).status_code == 302
        row = (
            db_session.execute(
                select(CostRate).where(CostRate.kind == kind).order_by(CostRate.id.desc())
            )
            .scalars()
            .first()
        )
        assert (row.effective_from, row.value) == (date(2027, 4, 6), stored)
    page = client.get("/employers/cost-rates").text
    assert "HMRC 2027 to 2028" in page and "£10,500.00" in page
    after = client.get(url, headers={"Accept": "application/json"})
    assert after.status_code == 200, after.json
    assert after.json["tax_year"].startswith("2027")
    actions = (
        db_session.execute(
            select(AuditEvent.action).where(AuditEvent.action == "employer_cost_rate.added")
        )
        .scalars()
        .all()
    )
    assert len(actions) == 3


def test_bad_figures_are_refused_with_a_reason_and_change_nothing(client, factory, db_session):
    sign_in_as(client, factory.user(Role.ADMIN))
    count = len(db_session.execute(select(CostRate.id)).all())
    for kind, value, message in [
        ("ni_rate", "150", "cannot be more than 100"),
        ("ni_secondary_threshold", "96.005", "no more than 2 decimal places"),
        ("ni_secondary_threshold", "-1", "0 or more"),
        ("ni_rate", "fifteen", "Enter a number"),
    ]:
        response = _add(client, kind, value)
        assert response.status_code == 200 and message in response.text, (kind, value)
    assert len(db_session.execute(select(CostRate.id)).all()) == count
