"""What the public sees of the Charter Mark: the criteria (with the anchors the handbook links
to), versions an administrator publishes without touching applications already made, and the
check of a number, which names only what the employer chose to show. An expired mark shows
as expired wherever it appears."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.types import local_today
from dp_portal.employers.models import Answer, Application, Award, CriteriaVersion, Criterion

from ..conftest import sign_in_as
from ..core.test_letters import _pdf_text

V1_KEYS = [
    "minimum_pay",
    "written_contract",
    "holiday",
    "payroll",
    "pension",
    "insurance",
    "pvg",
    "induction",
    "supervision",
    "rota",
    "sick_pay",
    "grievance",
    "records",
    "risk_assessment",
]


def test_the_public_page_lists_the_criteria_with_anchors(client):
    page = client.get("/employers/charter-mark").get_data(True)
    for key in V1_KEYS:
        assert f'id="criterion-{key}"' in page
    assert "Supporter" in page and "Charter Mark holder" in page


def _award(db_session, factory, *, starts_on, expires_on, name="Kind Employer 12"):
    person = factory.person(first_name="Isobel", last_name="Quarrier", postcode="EH9 9ZZ")
    account = factory.account(person=person)
    user = factory.user(Role.RECIPIENT)
    factory.access(user, account)
    version = db_session.execute(select(CriteriaVersion)).scalars().first()
    application = Application(
        account_id=account.id,
        criteria_version_id=version.id,
        tier="holder",
        status="awarded",
        display_name=name,
        declaration=True,
        created_by_id=user.id,
    )
    db_session.add(application)
    db_session.flush()
    award = Award(
        number="CM-2024-0007",
        application_id=application.id,
        account_id=account.id,
        tier="holder",
        display_name=name,
        starts_on=starts_on,
        expires_on=expires_on,
    )
    db_session.add(award)
    db_session.flush()
    return award, account, user


def test_checking_a_number_shows_only_the_chosen_name_tier_and_dates(client, db_session, factory):
    today = local_today()
    _, account, _ = _award(
        db_session,
        factory,
        starts_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=700),
    )
    response = client.get("/employers/charter-mark/cm-2024-0007")
    page = response.get_data(True)
    assert response.status_code == 200
    assert "CM-2024-0007 is a current Charter Mark" in page and "Kind Employer 12" in page
    person = account.person
    for private in (
        person.first_name,
        person.last_name,
        person.address_line_1,
        person.postcode,
        person.client_reference,
        account.reference,
    ):
        assert private not in page, private
    # The box on the public page takes the reader there.
    typed = client.get("/employers/charter-mark", query_string={"number": " cm 2024 0007"})
    assert typed.location.endswith("/employers/charter-mark/CM-2024-0007")
    assert "like CM-2026-0001" in client.get("/employers/charter-mark?number=42").get_data(True)


@pytest.mark.parametrize("number", ["CM-2024-0008", "not-a-number", "CM-2024-0007%3Cb%3E"])
def test_a_number_we_do_not_have_is_not_found(client, number):
    response = client.get(f"/employers/charter-mark/{number}")
    assert response.status_code == 404
    assert "We could not find that Charter Mark number" in response.get_data(True)
    assert "<b>" not in response.get_data(True)


def test_an_expired_mark_shows_as_expired_everywhere(client, db_session, factory):
    today = local_today()
    award, account, user = _award(
        db_session, factory, starts_on=date(2023, 1, 2), expires_on=today - timedelta(days=1)
    )
    public = client.get(f"/employers/charter-mark/{award.number}").get_data(True)
    assert "CM-2024-0007 has expired" in public
    sign_in_as(client, user)
    pages = [
        f"/employers/charter/applications/{award.application_id}",
        f"/employers/charter/awards/{award.id}",
        f"/employers/accounts/{account.id}/charter-mark",
    ]
    for url in pages:
        page = client.get(url).get_data(True)
        assert "Expired" in page and ">Current<" not in page, url
    pdf = client.get(f"/employers/charter/awards/{award.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert b"pdfuaid" in _pdf_text(pdf.data) and b"StructTreeRoot" in _pdf_text(pdf.data)
    sign_in_as(client, factory.user(Role.TEAM_LEADER))
    report = client.get("/employers/charter/reports").get_data(True)
    assert "CM-2024-0007" in report and "Expired" in report


def test_a_certificate_is_only_for_the_employer_and_staff(client, db_session, factory):
    today = local_today()
    award, _, user = _award(
        db_session, factory, starts_on=today, expires_on=today + timedelta(days=5)
    )
    sign_in_as(client, factory.user(Role.RECIPIENT))
    assert client.get(f"/employers/charter/awards/{award.id}/certificate.pdf").status_code == 404
    sign_in_as(client, user)
    assert client.get(f"/employers/charter/awards/{award.id}/certificate.pdf").status_code == 200


def _publish(client, db_session, note="Sleepovers made their own criterion"):
    version = (
        db_session.execute(select(CriteriaVersion).order_by(CriteriaVersion.version.desc()))
        .scalars()
        .first()
    )
    data = {"note": note}
    for n, criterion in enumerate(version.criteria, start=1):
        data |= {f"key_{n}": criterion.key, f"title_{n}": criterion.title, f"position_{n}": n}
        data[f"hint_{n}"] = criterion.evidence_hint
    data["title_1"] = "Pays at least the Scottish minimum for adult social care"  # reworded
    data["remove_3"] = "y"  # holiday removed
    data["position_14"] = "1"  # risk assessments moved to the top
    blank = len(version.criteria) + 1
    data |= {f"key_{blank}": "sleepovers", f"title_{blank}": "Pays sleepovers at the minimum"}
    return client.post("/employers/charter/criteria/new", data=data)


def test_an_administrator_publishes_a_new_version_and_old_applications_keep_theirs(
    client, db_session, factory
):
    recipient, account = factory.user(Role.RECIPIENT), factory.account()
    factory.access(recipient, account)
    sign_in_as(client, recipient)
    client.post(
        f"/employers/accounts/{account.id}/charter-mark/apply",
        data={"tier": "holder", "display_name": "Employer A", "declaration": "y"},
    )
    sign_in_as(client, factory.user(Role.ADMIN))
    assert _publish(client, db_session).status_code == 302
    latest = (
        db_session.execute(select(CriteriaVersion).order_by(CriteriaVersion.version.desc()))
        .scalars()
        .first()
    )
    keys = [c.key for c in latest.criteria]
    assert keys[0] == "risk_assessment" and "holiday" not in keys and keys[-1] == "sleepovers"
    assert latest.criteria[1].title == "Pays at least the Scottish minimum for adult social care"
    page = client.get("/employers/charter-mark").get_data(True)
    assert 'id="criterion-sleepovers"' in page and 'id="criterion-holiday"' not in page
    history = client.get("/employers/charter/criteria").get_data(True)
    assert "Added: Pays sleepovers at the minimum" in history and "Removed: Works out" in history
    # The application made before keeps version 1's fourteen criteria, holiday included.
    old_keys = (
        db_session.execute(select(Criterion.key).join(Answer, Answer.criterion_id == Criterion.id))
        .scalars()
        .all()
    )
    assert sorted(old_keys) == sorted(V1_KEYS)


def test_publishing_nothing_new_is_refused(client, db_session, factory):
    sign_in_as(client, factory.user(Role.ADMIN))
    version = db_session.execute(select(CriteriaVersion)).scalars().first()
    data = {"note": "No change"}
    for n, criterion in enumerate(version.criteria, start=1):
        data |= {f"title_{n}": criterion.title, f"hint_{n}": criterion.evidence_hint}
    page = client.post("/employers/charter/criteria/new", data=data).get_data(True)
    assert "Nothing has changed" in page
    bad_key = data | {"key_15": "Has Spaces", "title_15": "New"}
    assert "lower-case letters" in client.post(
        "/employers/charter/criteria/new", data=bad_key
    ).get_data(True)
