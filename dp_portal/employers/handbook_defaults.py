"""The handbook's default sections: Markdown files in handbook_content/, each opening with a
few lines of front matter between `---` lines:

    ---
    slug: pvg-checks
    stage: first_steps
    position: 4
    title: Checking your PA through the PVG scheme
    summary: One or two plain sentences for the contents and search results.
    ---
    The text, in Markdown.

`flask dp handbook-defaults` (and the demo) adds each one that the database does not have yet,
as version 1, published. It never touches a section that exists, so a council's own edits
survive every upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ..core import audit
from ..core.types import utcnow
from ..extensions import db
from .handbook import check_slug
from .models import HandbookSection, HandbookVersion, Stage

CONTENT_DIR = Path(__file__).resolve().parent / "handbook_content"
_KEYS = ("slug", "stage", "position", "title", "summary")
FIRST_NOTE = "First published."


@dataclass(frozen=True)
class DefaultSection:
    slug: str
    stage: Stage
    position: int
    title: str
    summary: str
    body: str


def parse_section(text: str, name: str = "section") -> DefaultSection:
    """A default section file: front matter with exactly the five keys, then the Markdown."""
    if not text.startswith("---\n"):
        raise ValueError(f"{name}: must start with front matter between --- lines")
    head, found, body = text[4:].partition("\n---\n")
    if not found:
        raise ValueError(f"{name}: the front matter has no closing --- line")
    fields: dict[str, str] = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in _KEYS or key.strip() in fields:
            raise ValueError(f"{name}: unexpected front matter line {line!r}")
        fields[key.strip()] = value.strip()
    missing = [key for key in _KEYS if not fields.get(key)]
    if missing or not body.strip():
        raise ValueError(f"{name}: missing {', '.join(missing) or 'the text'}")
    return DefaultSection(
        slug=check_slug(fields["slug"]),
        stage=Stage(fields["stage"]),
        position=int(fields["position"]),
        title=fields["title"],
        summary=fields["summary"],
        body=body.strip() + "\n",
    )


def default_sections(folder: Path = CONTENT_DIR) -> list[DefaultSection]:
    sections = [parse_section(path.read_text("utf-8"), path.name) for path in folder.glob("*.md")]
    slugs = [s.slug for s in sections]
    if len(set(slugs)) != len(slugs):
        raise ValueError("two default sections share a slug")
    order = list(Stage)
    return sorted(sections, key=lambda s: (order.index(s.stage), s.position, s.slug))


def load_defaults(*, actor=None, now: datetime | None = None) -> list[str]:
    """Add every default section the database does not have, as version 1, published now.
    Returns the slugs added (none on a second run)."""
    now = now or utcnow()
    existing = set(db.session.execute(select(HandbookSection.slug)).scalars())
    added = []
    for default in default_sections():
        if default.slug in existing:
            continue
        section = HandbookSection(
            slug=default.slug, stage=default.stage.value, position=default.position
        )
        db.session.add(section)
        db.session.flush()
        version = HandbookVersion(
            section_id=section.id,
            version=1,
            title=default.title,
            summary=default.summary,
            body_markdown=default.body,
            change_note=FIRST_NOTE,
            created_by_id=actor.id if actor else None,
            published_at=now,
            published_by_id=actor.id if actor else None,
        )
        db.session.add(version)
        audit.record(
            actor,
            "handbook.published",
            version,
            summary=f"Handbook: {default.title} (version 1, from the default text)",
            after={"slug": default.slug, "version": 1, "published_at": now.isoformat()},
        )
        added.append(default.slug)
    return added
