import io

from sqlalchemy import select, text

from dp_portal.accounts.models import Account, BankDetailsChange, Person
from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent

from ..conftest import sign_in_as
from ..hostile_files import PDF

PERSON = {
    "client_reference": "SW900001",
    "title": "Mrs",
    "first_name": "Agnes",
    "last_name": "Robertson",
    "date_of_birth": ["14", "2", "1948"],
    "address_line_1": "12 Kirk Wynd",
    "town": "Glenarden",
    "postcode": "eh11yz",
    "letter_format": "large_print",
}
ACCOUNT = {"sds_option": "1", "start_date": ["6", "4", "2026"], "end_date": ["", "", ""]}


def _actions(db_session, **where):
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return db_session.execute(query).scalars().all()


def test_finance_officer_adds_a_person_and_opens_an_account(client, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER)
    sign_in_as(client, officer)

    response = client.post("/people/new", data=PERSON)
    assert response.status_code == 302
    person = db_session.execute(
        select(Person).where(Person.client_reference == "SW900001")
    ).scalar_one()
    assert person.postcode == "EH1 1YZ" and person.letter_format == "large_print"
    assert response.location == f"/people/{person.id}/accounts/new"

    response = client.post(response.location, data=ACCOUNT)
    assert response.status_code == 302
    account = db_session.execute(select(Account).where(Account.person_id == person.id)).scalar_one()
    assert account.reference == f"DP{account.id:06d}" and account.status == "active"

    response = client.post(
        f"/accounts/{account.id}/bank-details",
        data={
            "payee_name": "mrs a robertson",
            "sort_code": "08-99-99",
            "account_number": "66374958",
            "account_number_again": "6637 4958",
            "reason": "Account opened for the direct payment; statement seen",
        },
    )
    assert response.status_code == 302
    change = db_session.execute(select(BankDetailsChange)).scalar_one()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))  # a second officer
    client.post(
        f"/bank-details-changes/{change.id}",
        data={"decision": "approve", "note": "Statement checked"},
    )
    db_session.expire_all()
    assert (account.payee_name, account.sort_code, account.account_number) == (
        "MRS A ROBERTSON",
        "089999",
        "66374958",
    )
    assert account.bank_check == "not_checked"

    page = client.get(f"/accounts/{account.id}").data
    assert b"Agnes Robertson" in page and b"08-99-99" in page
    assert _actions(db_session, account_id=account.id) == [
        "account.created",
        "bank_details.change_requested",
        "account.bank_details_changed",
    ]
    assert _actions(db_session, object_type="people", object_id=person.id) == ["person.created"]


def test_person_form_errors_are_specific_and_change_nothing(client, factory, db_session):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    before = db_session.execute(select(Person.id)).all()
    bad = dict(PERSON, postcode="NOT A CODE", date_of_birth=["31", "2", "1950"], first_name="")
    response = client.post("/people/new", data=bad)
    assert response.status_code == 200
    body = response.data.decode()
    assert "There is a problem" in body
    assert "Enter a real postcode, like EH1 1YZ" in body
    assert "must be a real date" in body
    assert "Enter the person&#39;s first name" in body
    assert 'href="#date_of_birth-day"' in body  # the summary links to the first date box
    # The summary lists problems in the order of the page.
    summary = body[
        body.index("govuk-error-summary") : body.index("</ul>", body.index("govuk-error-summary"))
    ]
    assert summary.index("first name") < summary.index("real date") < summary.index("postcode")
    assert db_session.execute(select(Person.id)).all() == before


def test_forged_or_partial_dates_never_500(client, factory):
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    for dob in (["1"], ["a", "b", "c"], ["1", "2", "3", "4"], [], ["01", "01", "99"]):
        response = client.post("/people/new", data=dict(PERSON, date_of_birth=dob))
        assert response.status_code in (200, 302), dob
    future = client.post(
        "/people/new",
        data=dict(PERSON, client_reference="SW900002", date_of_birth=["1", "1", "2099"]),
    )
    assert b"Date of birth must be in the past" in future.data


def test_duplicate_client_reference_is_refused(client, factory):
    factory.person(client_reference="SW777777")
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post("/people/new", data=dict(PERSON, client_reference="sw777777"))
    assert b"already exists" in response.data


def test_account_dates_and_option_are_validated(client, factory):
    person = factory.person()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(
        f"/people/{person.id}/accounts/new",
        data={"sds_option": "3", "start_date": ["6", "4", "2026"], "end_date": ["1", "4", "2026"]},
    )
    body = response.data.decode()
    assert "Not a valid choice" in body
    assert "End date must be the same as or after the start date" in body


def test_status_change_is_audited_with_before_and_after(client, factory, db_session):
    account = factory.account()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(
        f"/accounts/{account.id}/edit",
        data={
            "sds_option": "2",
            "start_date": ["6", "4", "2026"],
            "status": "suspended",
            "locality": "North",
        },
    )
    assert response.status_code == 302
    event = db_session.execute(
        select(AuditEvent).where(AuditEvent.account_id == account.id)
    ).scalar_one()
    assert event.action == "account.status_changed"
    assert event.before["status"] == "active" and event.after["status"] == "suspended"
    assert event.before["sds_option"] == 1 and event.after["sds_option"] == 2


def test_correspondent_can_be_a_representative_or_managing_organisation(
    client, factory, db_session
):
    account = factory.account()
    rep = factory.representative(account.person, full_name="Iain Carer")
    org = factory.organisation(name="Brokers Ltd")
    factory.mandate(account, org)
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    page = client.get(f"/accounts/{account.id}/correspondent").data
    assert b"Iain Carer" in page and b"Brokers Ltd" in page
    client.post(
        f"/accounts/{account.id}/correspondent", data={"correspondent": f"representative:{rep.id}"}
    )
    db_session.expire_all()
    assert (
        account.correspondent == "representative"
        and account.correspondent_representative_id == rep.id
    )
    client.post(
        f"/accounts/{account.id}/correspondent", data={"correspondent": f"organisation:{org.id}"}
    )
    db_session.expire_all()
    assert (
        account.correspondent_name == "Brokers Ltd"
        and account.correspondent_representative_id is None
    )
    forged = client.post(
        f"/accounts/{account.id}/correspondent", data={"correspondent": "organisation:999999"}
    )
    assert forged.status_code == 200 and b"Not a valid choice" in forged.data


def test_granting_and_removing_online_access(client, factory, db_session):
    account = factory.account()
    recipient = factory.user(Role.RECIPIENT, email="family@test.example")
    factory.user(Role.TEAM_LEADER, email="staff@test.example")
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    refused = client.post(
        f"/accounts/{account.id}/access", data={"email": "staff@test.example", "capacity": "person"}
    )
    assert b"no supported person or representative user" in refused.data
    client.post(
        f"/accounts/{account.id}/access",
        data={"email": "family@test.example", "capacity": "representative"},
    )

    sign_in_as(client, recipient)
    assert client.get(f"/accounts/{account.id}").status_code == 200


def test_mandate_gives_brokerage_access_until_withdrawn(client, factory, db_session):
    account = factory.account()
    org = factory.organisation()
    broker = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    officer = factory.user(Role.FINANCE_OFFICER)
    sign_in_as(client, officer)
    response = client.post(
        f"/accounts/{account.id}/mandates/new",
        data={
            "organisation_id": str(org.id),
            "scope": "manage_money",
            "starts_on": ["1", "4", "2026"],
            "ends_on": ["", "", ""],
            "consent_method": "signed_form",
            "consent_given_by": "person",
            "consent_recorded_on": ["20", "3", "2026"],
            "consent_form": (io.BytesIO(PDF), "consent.pdf"),
            "letters_to_organisation": "yes",
        },
    )
    assert response.status_code == 302
    sign_in_as(client, broker)
    assert client.get(f"/accounts/{account.id}").status_code == 200

    from dp_portal.third_party.models import Mandate

    mandate = db_session.execute(
        select(Mandate).where(Mandate.account_id == account.id)
    ).scalar_one()
    sign_in_as(client, officer)
    client.post(f"/mandates/{mandate.id}/withdraw")
    sign_in_as(client, broker)
    assert client.get(f"/accounts/{account.id}").status_code == 404
    assert _actions(db_session, account_id=account.id) == ["mandate.added", "mandate.withdrawn"]


def test_search_finds_by_name_and_reference(client, factory):
    a = factory.account(person=factory.person(first_name="Hamish", last_name="Sinclair"))
    b = factory.account(person=factory.person(first_name="Wilma", last_name="Ogilvie"))
    sign_in_as(client, factory.user(Role.TEAM_LEADER))
    page = client.get("/accounts?q=hamish sin").data
    assert a.reference.encode() in page and b.reference.encode() not in page
    page = client.get(f"/accounts?q={b.reference.lower()}").data
    assert b.reference.encode() in page and a.reference.encode() not in page


def test_search_finds_by_surname_first_name_and_client_reference(client, factory):
    a = factory.account(
        person=factory.person(first_name="Hamish", last_name="Sinclair", client_reference="SW7001")
    )
    b = factory.account(person=factory.person(first_name="Wilma", last_name="Ogilvie"))
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    for typed in ("Sinclair", "sincl", "HAMISH", "hamish  sinclair", "sw70"):
        page = client.get(f"/accounts?q={typed}").data
        assert a.reference.encode() in page and b.reference.encode() not in page, typed


def test_a_wildcard_in_a_search_is_taken_literally(client, factory):
    """A '%' or '_' used to match every account (they are SQL wildcards)."""
    account = factory.account()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    for typed in ("%", "_", "%25"):
        page = client.get(f"/accounts?q={typed}").data
        assert account.reference.encode() not in page, typed


def test_on_postgresql_any_part_of_a_name_is_found(client, factory, db_session):
    if db_session.get_bind().dialect.name != "postgresql":
        return  # SQLite matches the start of names only (accounts/search.py)
    account = factory.account(person=factory.person(first_name="Morag", last_name="MacLeod"))
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    assert account.reference.encode() in client.get("/accounts?q=cleo").data


def _plan(db_session, query) -> str:
    bind = db_session.get_bind()
    compiled = query.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True})
    if bind.dialect.name == "sqlite":
        rows = db_session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(row[-1] for row in rows)
    # A test database is tiny, so PostgreSQL would rightly scan it: ask what it would do at
    # council scale, where scanning is the expensive choice.
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(db_session.execute(text(f"EXPLAIN {compiled}")).scalars())


def test_searching_reads_indexes_not_every_person(app_ctx, db_session):
    """At 100,000 accounts a scan of people is most of a search's time."""
    from dp_portal.accounts.search import matching_accounts

    dialect = db_session.get_bind().dialect.name
    query = select(Account.id).where(matching_accounts("morag mac", dialect))
    plan = _plan(db_session, query)
    assert "ix_people_search" in plan, plan
    assert "SCAN people" not in plan and "Seq Scan on people" not in plan, plan


def test_a_long_list_counts_only_so_far_and_offers_pages_within_that(app_ctx, factory):
    from dp_portal.core.pagination import bounded_page

    for _ in range(7):
        factory.account()
    query = select(Account).order_by(Account.id)
    first = bounded_page(query, 1, per_page=2, cap=5)
    assert (first.total, first.capped, first.pages, len(first.items)) == (5, True, 3, 2)
    beyond = bounded_page(query, 99, per_page=2, cap=5)
    assert (beyond.page, beyond.has_next, beyond.prev_num) == (3, False, 2)
    whole = bounded_page(query, 1, per_page=50, cap=100)
    assert (whole.total, whole.capped, whole.pages) == (7, False, 1)
