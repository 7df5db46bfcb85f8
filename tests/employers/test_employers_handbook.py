"""The PA Employer Handbook through the Flask client: readers (no sign-in) see only the current
published version of each section with its date, search quotes the passage safely, the whole
handbook prints and downloads as a tagged PDF; administrators save drafts with a note of what
changed, preview them and publish now or later, and a published version never changes."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.types import local_today, utcnow
from dp_portal.employers import handbook_services as services
from dp_portal.employers.handbook_defaults import default_sections, load_defaults
from dp_portal.employers.handbook_services import PublishedVersionIsFinal
from dp_portal.employers.models import HandbookSection, HandbookVersion
from dp_portal.extensions import db

from ..conftest import sign_in_as


def _section(db_session, slug="holiday-test", stage="being_an_employer", position=1, **version):
    section = HandbookSection(slug=slug, stage=stage, position=position)
    db_session.add(section)
    db_session.flush()
    values = {
        "title": "Holiday for your PA",
        "summary": "How much holiday your PA gets.",
        "body_markdown": "## Paid holiday\n\nYour PA gets **paid holiday** each year.\n",
        "change_note": "First published.",
        "published_at": utcnow() - timedelta(days=2),
    } | version
    row = HandbookVersion(section_id=section.id, version=1, **values)
    db_session.add(row)
    db_session.flush()
    return section


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- Readers --------------------------------------------------------------------------------


def test_contents_are_by_stage_in_order_with_the_last_updated_date(client, db_session):
    _section(db_session, "ending-one", stage="ending", title="Notice")
    _section(db_session, "deciding-one", stage="deciding", title="Deciding")
    _section(db_session, "first-two", stage="first_steps", position=2, title="Payroll")
    _section(db_session, "first-one", stage="first_steps", position=1, title="The law")
    _section(db_session, "draft-only", published_at=None, title="Not out yet")
    page = _text(client.get("/employers/handbook"))
    order = [page.index(title) for title in ("Deciding", "The law", "Payroll", "Notice")]
    assert order == sorted(order)
    assert "Not out yet" not in page
    assert "Taking your first steps" in page and "Ending the employer role" in page
    assert f"Last updated {(local_today() - timedelta(days=2)).day} " in page


def test_a_section_page_has_its_date_note_and_neighbours(client, db_session):
    _section(db_session, "first", position=1, title="First part")
    _section(db_session, "second", position=2, title="Second part", change_note="Rates added.")
    _section(db_session, "third", position=3, title="Third part")
    page = _text(client.get("/employers/handbook/second"))
    assert '<h1 class="govuk-heading-l">Second part</h1>' in page
    assert "Last updated" in page and "Rates added." in page
    assert 'href="/employers/handbook/first"' in page
    assert 'href="/employers/handbook/third"' in page


def test_an_unknown_or_unpublished_section_is_not_found(client, db_session):
    _section(db_session, "waiting", published_at=utcnow() + timedelta(days=3))
    assert client.get("/employers/handbook/waiting").status_code == 404
    assert client.get("/employers/handbook/no-such-thing").status_code == 404


def test_search_shows_the_matching_passage_highlighted(client, db_session):
    _section(db_session)
    _section(db_session, "pensions", title="Pensions", summary="Saving.", body_markdown="Enrol.\n")
    page = _text(client.get("/employers/handbook/search?q=paid+holiday"))
    assert "1 section matches" in page
    assert "Your PA gets <mark>paid</mark> <mark>holiday</mark> each year." in page
    assert "Pensions" not in page.split("section matches")[1].split("</ol>")[0]


def test_search_results_are_escaped(client, db_session):
    _section(db_session, body_markdown="Never type <script>alert(1)</script> into a form.\n")
    page = _text(client.get("/employers/handbook/search?q=script+%3Cb%3Eform%3C%2Fb%3E"))
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in page
    assert "<script>alert(1)" not in page
    assert "<b>form</b>" not in page  # the query is echoed escaped
    assert "&lt;b&gt;form&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "Enter a word or two"), ("x" * 101, "100 characters or fewer")],
)
def test_search_with_nothing_or_too_much_says_what_to_do(client, db_session, query, message):
    response = client.get("/employers/handbook/search", query_string={"q": query})
    assert response.status_code == 200
    assert "govuk-error-summary" in _text(response) and message in _text(response)


def test_search_finds_nothing_in_drafts_or_scheduled_versions(client, db_session):
    _section(db_session, "draft", body_markdown="Secret words.\n", published_at=None)
    _section(
        db_session,
        "later",
        body_markdown="Secret plans.\n",
        published_at=utcnow() + timedelta(days=1),
    )
    assert "No sections match" in _text(client.get("/employers/handbook/search?q=secret"))


def test_the_whole_handbook_prints_on_one_page(client, db_session):
    _section(db_session, "one", title="Part one")
    _section(
        db_session, "two", stage="ending", title="Part two",
        body_markdown="## Paid holiday\n\nSee [part one](/employers/handbook/one).\n",
    )  # fmt: skip
    page = _text(client.get("/employers/handbook/print"))
    assert "Part one" in page and "Part two" in page
    assert 'href="#one"' in page  # a link to another section stays on the page
    assert 'href="/static/handbook.css"' in page  # the print layout
    assert '<h4 class="govuk-heading-s">Paid holiday</h4>' in page  # under h1, h2 and h3


def test_the_pdf_is_the_whole_handbook_tagged_for_screen_readers(client, db_session):
    _section(db_session, "one", title="Part one")
    _section(db_session, "two", stage="ending", title="Part two")
    response = client.get("/employers/handbook/pa-employer-handbook.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "pa-employer-handbook.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Part one" in text and "Part two" in text and "paid holiday" in text
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert b"pdfuaid" in root["/Metadata"].get_data()
    assert reader.metadata.title == "PA Employer Handbook"


def test_the_pdf_follows_the_newest_published_text(client, db_session):
    section = _section(db_session, "one", title="Part one")
    first = client.get("/employers/handbook/pa-employer-handbook.pdf").data
    assert client.get("/employers/handbook/pa-employer-handbook.pdf").data == first  # kept
    db_session.add(
        HandbookVersion(
            section_id=section.id, version=2, title="Part one, revised", summary="S",
            body_markdown="New words.", published_at=utcnow() - timedelta(seconds=1),
        )
    )  # fmt: skip
    db_session.flush()
    pdf = PdfReader(io.BytesIO(client.get("/employers/handbook/pa-employer-handbook.pdf").data))
    assert "Part one, revised" in " ".join(page.extract_text() for page in pdf.pages)


def test_what_changed_lists_the_latest_versions_with_notes(client, db_session, factory):
    section = _section(db_session, change_note="First published.")
    db_session.add(
        HandbookVersion(
            section_id=section.id, version=2, title="Holiday, updated", summary="S",
            body_markdown="New.", change_note="Added rolled-up holiday pay.",
            published_at=utcnow() - timedelta(hours=1),
        )
    )  # fmt: skip
    db_session.add(
        HandbookVersion(
            section_id=section.id, version=3, title="Holiday, future", summary="S",
            body_markdown="Later.", change_note="Not yet.",
            published_at=utcnow() + timedelta(days=5),
        )
    )  # fmt: skip
    db_session.flush()
    page = _text(client.get("/employers/handbook/what-changed"))
    assert page.index("Added rolled-up holiday pay.") < page.index("First published.")
    assert "Not yet." not in page


# --- Administrators -------------------------------------------------------------------------

DRAFT = {
    "title": "Holiday for your PA",
    "summary": "How much holiday your PA gets.",
    "body": "## Paid holiday\n\nYour PA gets **5.6 weeks** of paid holiday.\n",
    "change_note": "Says how many weeks.",
}


def test_admin_edits_previews_and_publishes_and_readers_see_it(client, db_session, factory):
    section = _section(db_session)
    admin = factory.user(Role.ADMIN)
    sign_in_as(client, admin)
    edit = _text(client.get("/employers/handbook/admin/holiday-test"))
    assert "Your PA gets **paid holiday** each year." in edit  # starts from the current text
    response = client.post("/employers/handbook/admin/holiday-test", data=DRAFT)
    assert response.location.endswith("/employers/handbook/admin/holiday-test/preview")

    client.delete_cookie("session")  # a reader still sees version 1
    assert "5.6 weeks" not in _text(client.get("/employers/handbook/holiday-test"))

    sign_in_as(client, admin)
    preview = _text(client.get("/employers/handbook/admin/holiday-test/preview"))
    assert "<strong>5.6 weeks</strong>" in preview and "Says how many weeks." in preview
    response = client.post("/employers/handbook/admin/holiday-test/preview", data={"when": "now"})
    assert response.location.endswith("/employers/handbook/holiday-test")

    client.delete_cookie("session")
    page = _text(client.get("/employers/handbook/holiday-test"))
    assert "<strong>5.6 weeks</strong>" in page and "Says how many weeks." in page
    assert "Says how many weeks." in _text(client.get("/employers/handbook/what-changed"))
    published = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "handbook.published")
    ).scalar_one()
    assert published.actor_id == admin.id
    assert (
        published.after["version"] == 2 and published.after["change_note"] == DRAFT["change_note"]
    )
    versions = db_session.execute(
        select(HandbookVersion.version, HandbookVersion.body_markdown)
        .where(HandbookVersion.section_id == section.id)
        .order_by(HandbookVersion.version)
    ).all()
    assert versions[0].body_markdown.startswith("## Paid holiday\n\nYour PA gets **paid holiday**")


def test_publishing_from_a_later_date(app, client, db_session, factory):
    _section(db_session)
    sign_in_as(client, factory.user(Role.ADMIN))
    client.post("/employers/handbook/admin/holiday-test", data=DRAFT)
    later = local_today() + timedelta(days=7)
    response = client.post(
        "/employers/handbook/admin/holiday-test/preview",
        data={"when": "later", "publish_on": [str(later.day), str(later.month), str(later.year)]},
    )
    assert response.location.endswith("/employers/handbook/admin")
    assert "will be published on" in _text(client.get(response.location))
    client.delete_cookie("session")
    assert "5.6 weeks" not in _text(client.get("/employers/handbook/holiday-test"))
    # Time moves on: on the day, readers get the new version.
    then = services.publish_moment(later)
    with app.app_context():
        assert services.contents(then - timedelta(seconds=1))[0].version.version == 1
        assert services.contents(then)[0].version.version == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose when readers should see it"),
        ({"when": "later"}, "Enter the date readers should see it from"),
        ({"when": "later", "publish_on": ["1", "1", "2020"]}, "Choose a date after today"),
        ({"when": "later", "publish_on": ["31", "2", "2030"]}, "must be a real date"),
    ],
)
def test_publishing_needs_a_clear_choice(client, db_session, factory, data, message):
    _section(db_session)
    sign_in_as(client, factory.user(Role.ADMIN))
    client.post("/employers/handbook/admin/holiday-test", data=DRAFT)
    response = client.post("/employers/handbook/admin/holiday-test/preview", data=data)
    assert response.status_code == 200 and message in _text(response)
    assert (
        db_session.execute(
            select(HandbookVersion.published_at).where(HandbookVersion.version == 2)
        ).scalar_one()
        is None
    )


def test_a_draft_is_edited_until_published_then_the_next_edit_is_a_new_version(
    client, db_session, factory
):
    section = _section(db_session)
    sign_in_as(client, factory.user(Role.ADMIN))
    client.post("/employers/handbook/admin/holiday-test", data=DRAFT)
    client.post("/employers/handbook/admin/holiday-test", data=DRAFT | {"title": "Holiday!"})
    client.post("/employers/handbook/admin/holiday-test/preview", data={"when": "now"})
    client.post("/employers/handbook/admin/holiday-test", data=DRAFT | {"title": "Again"})
    rows = db_session.execute(
        select(HandbookVersion.version, HandbookVersion.title, HandbookVersion.published_at)
        .where(HandbookVersion.section_id == section.id)
        .order_by(HandbookVersion.version)
    ).all()
    assert [(r.version, r.title, r.published_at is None) for r in rows] == [
        (1, "Holiday for your PA", False),
        (2, "Holiday!", False),
        (3, "Again", True),
    ]


def test_a_published_version_never_changes(app_ctx):
    _section(db.session)
    version = db.session.execute(select(HandbookVersion)).scalar_one()
    with pytest.raises(PublishedVersionIsFinal), db.session.begin_nested():
        version.body_markdown = "Quietly rewritten."
        db.session.flush()
    with pytest.raises(PublishedVersionIsFinal), db.session.begin_nested():
        version.published_at = utcnow() + timedelta(days=1)  # nor un-published, nor re-dated
        db.session.flush()
    with pytest.raises(PublishedVersionIsFinal), db.session.begin_nested():
        db.session.delete(version)
        db.session.flush()
    db.session.expire_all()
    assert (
        db.session.execute(select(HandbookVersion.body_markdown))
        .scalar_one()
        .startswith("## Paid holiday")
    )


def test_admin_adds_a_section(client, db_session, factory):
    _section(db_session, "last", stage="ending", position=4)
    sign_in_as(client, factory.user(Role.ADMIN))
    data = DRAFT | {"stage": "ending", "title": "Retiring & your PA", "slug": ""}
    response = client.post("/employers/handbook/admin/new", data=data)
    assert response.location.endswith("/employers/handbook/admin/retiring-your-pa/preview")
    section = db_session.execute(
        select(HandbookSection).where(HandbookSection.slug == "retiring-your-pa")
    ).scalar_one()
    assert (section.stage, section.position) == ("ending", 5)
    assert client.get("/employers/handbook/retiring-your-pa").status_code == 404  # a draft
    actions = set(db_session.execute(select(AuditEvent.action)).scalars())
    assert {"handbook.section_added", "handbook.draft_saved"} <= actions


@pytest.mark.parametrize(
    ("slug", "message"),
    [("last", "There is already a section"), ("search", "used by the handbook itself"),
     ("Not A Slug", "lower-case letters")],
)  # fmt: skip
def test_a_new_section_needs_a_free_web_address(client, db_session, factory, slug, message):
    _section(db_session, "last")
    sign_in_as(client, factory.user(Role.ADMIN))
    data = DRAFT | {"stage": "ending", "slug": slug}
    response = client.post("/employers/handbook/admin/new", data=data)
    assert response.status_code == 200 and message in _text(response)
    assert db_session.execute(select(HandbookSection.id)).scalars().all() == [
        db_session.execute(select(HandbookSection.id)).scalar_one()
    ]


def test_hostile_markdown_from_an_admin_is_shown_as_text(client, db_session, factory):
    _section(db_session)
    sign_in_as(client, factory.user(Role.ADMIN))
    hostile = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    client.post("/employers/handbook/admin/holiday-test", data=DRAFT | {"body": hostile})
    preview = _text(client.get("/employers/handbook/admin/holiday-test/preview"))
    assert "<script>alert(1)" not in preview and "<img" not in preview
    assert 'href="javascript:' not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview


# --- Default content ------------------------------------------------------------------------


def test_default_sections_load_once_and_keep_a_councils_edits(app_ctx):
    added = load_defaults()
    assert len(added) == len(default_sections()) >= 20
    first = db.session.execute(
        select(HandbookVersion).where(HandbookVersion.version == 1).limit(1)
    ).scalar_one()
    db.session.add(
        HandbookVersion(
            section_id=first.section_id, version=2, title="Council's own", summary="S",
            body_markdown="Ours.", published_at=utcnow(),
        )
    )  # fmt: skip
    db.session.flush()
    assert load_defaults() == []
    assert "Council's own" in {p.version.title for p in services.contents()}


def test_the_cli_command_loads_the_defaults(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dp", "handbook-defaults"])
    assert result.exit_code == 0 and "Added" in result.output
    again = runner.invoke(args=["dp", "handbook-defaults"])
    assert "nothing added" in again.output


def test_every_stage_of_the_journey_has_sections():
    stages = {section.stage for section in default_sections()}
    assert len(stages) == 4


def test_readers_find_the_handbook_from_the_footer_and_their_home_page(client, factory):
    assert 'href="/employers/handbook"' in _text(client.get("/"))  # the footer
    recipient = factory.user(Role.RECIPIENT)
    factory.access(recipient, factory.account())
    sign_in_as(client, recipient)
    home = _text(client.get("/"))
    assert re.search(r'<main.*href="/employers/handbook".*</main>', home, re.S)


def test_the_handbook_pages_need_no_sign_in(client, db_session):
    _section(db_session)
    for path in ("", "/holiday-test", "/search?q=holiday", "/print", "/what-changed"):
        assert client.get(f"/employers/handbook{path}").status_code == 200, path


def test_a_section_published_before_today_shows_its_own_date(client, db_session):
    day = date(2026, 4, 6)
    _section(db_session, published_at=services.publish_moment(day))
    assert "Last updated 6 April 2026" in _text(client.get("/employers/handbook/holiday-test"))
