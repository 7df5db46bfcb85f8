"""The handbook's default sections, as readers get them: every section reads at Flesch-Kincaid
grade 6 or below (rendered through its own page, as letters are checked), links the calculator,
the employer checklist or the Charter Mark criterion it relates to, names the official bodies
behind it, and every link inside the portal leads somewhere. A new section file fails here
until it passes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from dp_portal.employers.handbook_defaults import CONTENT_DIR, default_sections, load_defaults
from dp_portal.employers.models import Criterion
from dp_portal.extensions import db

from ..readability import grade, prose_blocks

STANDARD_GRADE = 6.0
SECTIONS = default_sections()
SLUGS = [section.slug for section in SECTIONS]

# The journey in shared/design.md 2.6: each topic has its section.
TOPICS = {
    "deciding-to-employ-a-pa", "what-a-pa-costs", "your-responsibilities", "employment-law",
    "setting-up-payroll", "pvg-checks", "employed-or-self-employed", "recruiting-a-pa",
    "contracts-and-written-statements", "pay-and-the-minimum-rate",
    "hmrc-and-real-time-information", "workplace-pensions", "holiday-and-holiday-pay",
    "sickness-and-sick-pay", "employers-liability-insurance", "health-and-safety",
    "training-and-supervision", "data-protection", "problems-and-mediation",
    "changing-your-direct-payment-agreement", "redundancy", "notice-and-leaving",
    "moving-to-an-agency-or-another-option",
}  # fmt: skip
OFFICIAL = (
    "HMRC", "The Pensions Regulator", "Disclosure Scotland", "Acas", "Health and Safety Executive",
    "Information Commissioner's Office", "Scottish Government", "Self Directed Support Scotland",
    "Scottish Social Services Council", "Home Office", "GOV.UK",
)  # fmt: skip
# Pages the other PA-employer parts provide; the handbook links them by these addresses.
CALCULATOR, CHECKLIST, CHARTER = (
    "/employers/calculator",
    "/employers/checklist",
    "/employers/charter-mark",
)
_LINK = re.compile(r'href="(/[^"]*)"')
_ARTICLE = re.compile(r'<article class="app-handbook-section"[^>]*>(.*?)</article>', re.S)


@pytest.fixture
def loaded(app, db_session):
    with app.app_context():
        load_defaults()
        keys = set(db.session.execute(select(Criterion.key)).scalars())
        db.session.commit()  # a savepoint inside the test's transaction, rolled back after
    return keys


def _article(client, slug: str) -> str:
    response = client.get(f"/employers/handbook/{slug}")
    assert response.status_code == 200, slug
    return _ARTICLE.search(response.get_data(as_text=True)).group(1)


def test_every_topic_of_the_journey_has_a_section():
    assert set(SLUGS) >= TOPICS
    assert len(list(CONTENT_DIR.glob("*.md"))) == len(SECTIONS)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_section_reads_at_grade_6_or_below(client, loaded, slug):
    score = grade(prose_blocks(_article(client, slug)))
    assert score <= STANDARD_GRADE, f"{slug} reads at grade {score:.1f}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_section_links_its_tool_and_names_its_sources(client, loaded, slug):
    article = _article(client, slug)
    links = set(_LINK.findall(article))
    related = {
        link for link in links if link.startswith((CALCULATOR, CHECKLIST, CHARTER + "#criterion-"))
    }
    assert related, f"{slug} links none of the calculator, the checklist or a criterion"
    for link in related:
        if link.startswith(CHARTER):
            assert link.removeprefix(CHARTER + "#criterion-") in loaded, link
    named = [body for body in OFFICIAL if body in article]
    assert named, f"{slug} names no official source"


def test_every_charter_mark_criterion_has_a_section(client, loaded):
    linked = set()
    for slug in SLUGS:
        linked |= {
            link.removeprefix(CHARTER + "#criterion-")
            for link in _LINK.findall(_article(client, slug))
            if link.startswith(CHARTER + "#criterion-")
        }
    assert linked == loaded


def _route(app, path: str) -> bool:
    try:
        app.url_map.bind("localhost").match(path.split("#")[0].split("?")[0], method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    except RequestRedirect:
        return True
    return True


def test_links_inside_the_portal_lead_somewhere(app, client, loaded):
    """Links to other handbook sections and portal pages must open. The calculator, checklist
    and Charter Mark pages come from the other PA-employer parts: until they are in this build
    they are reported, not failed."""
    waiting, broken = set(), []
    for slug in SLUGS:
        for link in set(_LINK.findall(_article(client, slug))):
            path = link.split("#")[0]
            if not _route(app, path):
                if path in (CALCULATOR, CHECKLIST, CHARTER):
                    waiting.add(path)
                else:
                    broken.append(f"{slug}: {link}")
            elif client.get(path).status_code != 200:
                broken.append(f"{slug}: {link} answers {client.get(path).status_code}")
    assert not broken, "\n".join(broken)
    if waiting:
        pytest.skip(f"pages from the other PA-employer parts not in this build: {sorted(waiting)}")
