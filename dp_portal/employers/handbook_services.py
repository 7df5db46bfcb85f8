"""The PA Employer Handbook: what readers see (contents, sections, search, the whole handbook
as one page or a PDF, what changed recently) and what administrators do (add a section, save a
draft with a note of what changed, publish it now or from a later date).

Readers see only versions whose publish date has come (handbook.current_version). A published
version is never changed: the state machine in handbook.py refuses it, and so does a guard on
every flush here, whatever code path tries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from threading import Lock
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import NotFound, RuleError
from ..core.letters import html_to_pdf
from ..core.types import local_date, utcnow
from ..extensions import db
from . import handbook
from .handbook import VersionState
from .models import HandbookSection, HandbookVersion, Stage

RECENT_CHANGES = 20
_LONDON = ZoneInfo("Europe/London")


class PublishedVersionIsFinal(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _published_versions_never_change(session: Session, flush_context, instances) -> None:
    changed = [
        obj
        for obj in list(session.dirty) + list(session.deleted)
        if isinstance(obj, HandbookVersion)
        and (obj in session.deleted or session.is_modified(obj))
        and inspect(obj).has_identity
    ]
    if not changed:
        return
    # What the database holds decides, not what the object remembers (an expired object has
    # forgotten its old publish date).
    with session.no_autoflush:
        stored = session.execute(
            select(HandbookVersion.id).where(
                HandbookVersion.id.in_([obj.id for obj in changed]),
                HandbookVersion.published_at.is_not(None),
            )
        ).all()
    if stored:
        raise PublishedVersionIsFinal(
            "A published handbook version is never changed: make a new version"
        )


# --- Readers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A section as readers see it: its place in the handbook and its current version."""

    section: HandbookSection
    version: HandbookVersion

    @property
    def slug(self) -> str:
        return self.section.slug

    @property
    def stage(self) -> Stage:
        return Stage(self.section.stage)

    @property
    def updated_on(self) -> date:
        return local_date(self.version.published_at)


def _order(section: HandbookSection) -> tuple:
    return (list(Stage).index(Stage(section.stage)), section.position, section.slug)


def _versions_by_section(*, published_only: bool, now: datetime) -> dict[int, list]:
    query = select(HandbookVersion)
    if published_only:
        query = query.where(HandbookVersion.published_at <= now)
    grouped: dict[int, list[HandbookVersion]] = defaultdict(list)
    for version in db.session.execute(query).scalars():
        grouped[version.section_id].append(version)
    return grouped


def contents(now: datetime | None = None) -> list[Page]:
    """Every section with a published version, in the order of the employer's journey."""
    now = now or utcnow()
    versions = _versions_by_section(published_only=True, now=now)
    sections = db.session.execute(select(HandbookSection)).scalars()
    pages = []
    for section in sorted(sections, key=_order):
        current = handbook.current_version(versions.get(section.id, []), now)
        if current is not None:
            pages.append(Page(section, current))
    return pages


def by_stage(pages: list[Page]) -> list[tuple[Stage, list[Page]]]:
    return [(stage, [p for p in pages if p.stage is stage]) for stage in Stage]


def last_updated(pages: list[Page]) -> date | None:
    return max((p.updated_on for p in pages), default=None)


@dataclass(frozen=True)
class Reading:
    page: Page
    previous: Page | None
    next: Page | None


def reading(slug: str, now: datetime | None = None) -> Reading:
    """A section's current version, with the sections before and after it."""
    pages = contents(now)
    for i, page in enumerate(pages):
        if page.slug == slug:
            return Reading(
                page, pages[i - 1] if i else None, pages[i + 1] if i + 1 < len(pages) else None
            )
    raise NotFound(f"handbook section {slug!r}")


@dataclass(frozen=True)
class Hit:
    page: Page
    found: handbook.Match


def search(query: str, now: datetime | None = None) -> list[Hit]:
    """The current sections that contain the words, best first, each with its passage."""
    if len(query) > handbook.MAX_QUERY:
        raise RuleError(f"Search for {handbook.MAX_QUERY} characters or fewer")
    terms = handbook.search_terms(query)
    if not terms:
        raise RuleError("Enter a word or two to search for, like holiday or pension")
    hits = []
    for page in contents(now):
        v = page.version
        found = handbook.match(terms, v.title, v.summary, v.body_markdown)
        if found is not None:
            hits.append(Hit(page, found))
    return sorted(hits, key=lambda h: -h.found.score)


@dataclass(frozen=True)
class Change:
    section: HandbookSection
    version: HandbookVersion

    @property
    def published_on(self) -> date:
        return local_date(self.version.published_at)


def recent_changes(now: datetime | None = None, limit: int = RECENT_CHANGES) -> list[Change]:
    """The latest versions readers got, newest first, with their notes (a scheduled version
    overtaken by a newer one before its date never reached readers, so is not listed)."""
    now = now or utcnow()
    versions = _versions_by_section(published_only=True, now=now)
    sections = {s.id: s for s in db.session.execute(select(HandbookSection)).scalars()}
    shown = [
        Change(sections[section_id], v)
        for section_id, group in versions.items()
        for v in group
        if handbook.was_ever_shown(v, group, now)
    ]
    return sorted(shown, key=lambda c: (c.version.published_at, c.version.id), reverse=True)[:limit]


_pdf_lock = Lock()
_pdf_cache: dict[tuple, bytes] = {}


def handbook_pdf(html_for, now: datetime | None = None) -> bytes:
    """The whole handbook as an accessible tagged PDF (PDF/UA-1, as letters are). Rendering
    takes seconds, so the last one is kept until a section changes, and only one request
    renders it at a time (others wait for it rather than render it again). `html_for(pages)`
    makes the HTML (the view's template)."""
    pages = contents(now)
    key = tuple(
        (p.version.id, p.version.published_at, p.slug, p.section.stage, p.section.position)
        for p in pages
    )
    with _pdf_lock:
        if key not in _pdf_cache:
            pdf = html_to_pdf(html_for(pages))
            _pdf_cache.clear()
            _pdf_cache[key] = pdf
        return _pdf_cache[key]


# --- Administrators -------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """Where a section stands for an administrator."""

    section: HandbookSection
    current: HandbookVersion | None
    scheduled: HandbookVersion | None
    draft: HandbookVersion | None

    @property
    def stage(self) -> Stage:
        return Stage(self.section.stage)

    @property
    def title(self) -> str:
        shown = self.draft or self.scheduled or self.current
        return shown.title if shown else self.section.slug


def _status(section: HandbookSection, versions: list[HandbookVersion], now: datetime) -> Status:
    current = handbook.current_version(versions, now)
    later = [
        v
        for v in versions
        if handbook.state_of(v, now) is VersionState.SCHEDULED
        and (current is None or v.version > current.version)
    ]
    draft = next((v for v in versions if v.published_at is None), None)
    return Status(section, current, max(later, key=lambda v: v.version, default=None), draft)


def overview(now: datetime | None = None) -> list[Status]:
    now = now or utcnow()
    versions = _versions_by_section(published_only=False, now=now)
    sections = db.session.execute(select(HandbookSection)).scalars()
    return [_status(s, versions.get(s.id, []), now) for s in sorted(sections, key=_order)]


def section_status(slug: str, now: datetime | None = None) -> Status:
    section = db.session.execute(
        select(HandbookSection).where(HandbookSection.slug == slug)
    ).scalar_one_or_none()
    if section is None:
        raise NotFound(f"handbook section {slug!r}")
    versions = list(
        db.session.execute(
            select(HandbookVersion).where(HandbookVersion.section_id == section.id)
        ).scalars()
    )
    return _status(section, versions, now or utcnow())


def history(section: HandbookSection) -> list[HandbookVersion]:
    return list(
        db.session.execute(
            select(HandbookVersion)
            .where(HandbookVersion.section_id == section.id)
            .order_by(HandbookVersion.version.desc())
        ).scalars()
    )


def starting_text(status: Status) -> HandbookVersion | None:
    """What the edit form starts from: the draft, else the newest version."""
    return status.draft or status.scheduled or status.current


def save_draft(
    status: Status, *, title: str, summary: str, body: str, change_note: str, actor,
    now: datetime | None = None,
) -> HandbookVersion:  # fmt: skip
    """Save the section's draft (starting one, numbered after the newest version, if there
    is none). Readers see nothing of it until it is published."""
    now = now or utcnow()
    draft = status.draft
    if draft is None:
        newest = db.session.execute(
            select(func.max(HandbookVersion.version)).where(
                HandbookVersion.section_id == status.section.id
            )
        ).scalar()
        draft = HandbookVersion(section_id=status.section.id, version=(newest or 0) + 1)
        db.session.add(draft)
    handbook.move(draft, VersionState.DRAFT, now=now)
    draft.title, draft.summary, draft.body_markdown = title, summary, body
    draft.change_note, draft.created_by_id = change_note, actor.id
    audit.record(
        actor,
        "handbook.draft_saved",
        draft,
        summary=f"Handbook: draft of {title} (version {draft.version}) saved",
        after={"slug": status.section.slug, "version": draft.version, "change_note": change_note},
    )
    return draft


def add_section(
    *, stage: Stage, slug: str, title: str, summary: str, body: str, change_note: str, actor
) -> HandbookVersion:
    """A new section at the end of its part of the handbook, with its first draft."""
    handbook.check_slug(slug)
    taken = db.session.execute(
        select(HandbookSection.id).where(HandbookSection.slug == slug)
    ).scalar()
    if taken is not None:
        raise RuleError(f"There is already a section at {slug}: choose another web address")
    last = db.session.execute(
        select(func.max(HandbookSection.position)).where(HandbookSection.stage == stage.value)
    ).scalar()
    section = HandbookSection(slug=slug, stage=stage.value, position=(last or 0) + 1)
    audit.record(actor, "handbook.section_added", section, summary=f"Handbook: {title} added",
                 after={"slug": slug, "stage": stage.value})  # fmt: skip
    status = Status(section, None, None, None)
    return save_draft(
        status, title=title, summary=summary, body=body, change_note=change_note, actor=actor
    )


def publish_moment(on: date) -> datetime:
    """The start of `on` in the UK, as the UTC instant stored."""
    return datetime.combine(on, time(0), tzinfo=_LONDON).astimezone(UTC)


def publish(status: Status, *, on: date | None, actor, now: datetime | None = None):
    """Publish the section's draft: now (on None), or from the start of a later day."""
    now = now or utcnow()
    draft = status.draft
    if draft is None:
        raise RuleError("There is no draft to publish: edit the section first")
    if on is not None and on <= local_date(now):
        raise RuleError("Choose a date after today, or publish now")
    when = publish_moment(on) if on is not None else now
    to = VersionState.SCHEDULED if on is not None else VersionState.PUBLISHED
    handbook.move(draft, to, now=now, at=when)
    draft.published_by_id = actor.id
    audit.record(
        actor,
        "handbook.published",
        draft,
        summary=f"Handbook: {draft.title} version {draft.version} published",
        after={
            "slug": status.section.slug,
            "version": draft.version,
            "published_at": when.isoformat(),
            "change_note": draft.change_note,
        },
    )
    return draft
