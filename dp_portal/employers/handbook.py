"""The PA Employer Handbook's rules: Markdown made safe to show, search that shows the
matching passage, and which version of a section readers see.

Safe Markdown takes two layers, so that a parser option or bug never becomes a hole on its
own. markdown-it-py (a maintained CommonMark parser) runs with raw HTML switched off, so
`<script>` or `<iframe>` typed into a section is shown as text, and it refuses `javascript:`,
`vbscript:`, `file:` and `data:` links. nh3 (the Rust `ammonia` sanitiser) then keeps only an
allow-list of tags and attributes, only http(s), mailto and tel links (and the portal's own
paths), and sets the GOV.UK classes itself, so an author can add neither an attribute nor a
class. Images may only come from the portal's own /static/ folder: any other image becomes its
alternative text, so a reader's browser never fetches from elsewhere.

A version's lifecycle (the state comes from its publish date and the clock):

    draft --save--> draft
    draft --publish now--> published
    draft --publish on a later date--> scheduled --(the date comes)--> published

Published and scheduled versions are never changed: a correction is a new version. Readers see
the *current* version: the newest (highest numbered) version whose publish date has come.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from ..core.errors import RuleError

# --- Rendering ------------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "strong", "em", "code", "pre",
    "blockquote", "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# GOV.UK Frontend classes, set by the sanitiser (any class an author typed is dropped).
_CLASSES = {
    "p": {"class": "govuk-body"},
    "h2": {"class": "govuk-heading-m"},
    "h3": {"class": "govuk-heading-s"},
    "h4": {"class": "govuk-heading-s"},
    "h5": {"class": "govuk-heading-s"},
    "h6": {"class": "govuk-heading-s"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
    "blockquote": {"class": "govuk-inset-text"},
    "hr": {"class": "govuk-section-break govuk-section-break--m govuk-section-break--visible"},
    "table": {"class": "govuk-table"},
    "thead": {"class": "govuk-table__head"},
    "tbody": {"class": "govuk-table__body"},
    "tr": {"class": "govuk-table__row"},
    "th": {"class": "govuk-table__header", "scope": "col"},
    "td": {"class": "govuk-table__cell"},
}


def is_own_image(src: str) -> bool:
    """Only the portal's own static files: no scheme, no host (not even //host), under
    /static/."""
    parts = urlsplit(src.strip())
    return not parts.scheme and not parts.netloc and parts.path.startswith("/static/")


def _only_own_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_own_image(value):
        return None
    return value


def _inline_text(children: Sequence[Token] | None) -> str:
    out = []
    for child in children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.children:
            out.append(_inline_text(child.children))
    return "".join(out)


def _prepare(
    tokens: list[Token], heading_level: int, rewrite_link: Callable[[str], str] | None
) -> None:
    """Headings start at `heading_level` (the page's own h1 is the section title), images
    from elsewhere become their alternative text, and links are rewritten for the whole
    handbook (the sanitiser still checks what comes out)."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = max(int(token.tag[1]), 2) - 2 + heading_level
            token.tag = f"h{min(level, 6)}"
        for child in token.children or ():
            if child.type == "image" and not is_own_image(str(child.attrs.get("src", ""))):
                child.type, child.tag, child.attrs = "text", "", {}
                child.content, child.children = _inline_text(child.children), None
            elif child.type == "link_open" and rewrite_link is not None:
                child.attrs["href"] = rewrite_link(str(child.attrs.get("href", "")))


def render_markdown(
    text: str, *, heading_level: int = 2, rewrite_link: Callable[[str], str] | None = None
) -> Markup:
    """A section's Markdown as safe HTML with GOV.UK classes."""
    # A lone surrogate (not real text; it cannot be stored as UTF-8) would stop the sanitiser.
    text = text.encode("utf-8", "replace").decode("utf-8")
    tokens = _MD.parse(text)
    _prepare(tokens, heading_level, rewrite_link)
    html = _MD.renderer.render(tokens, _MD.options, {})
    return Markup(  # noqa: S704 - nh3 has just cleaned it against the allow-list above
        nh3.clean(
            html,
            tags=_TAGS,
            clean_content_tags={"script", "style"},
            attributes=_ATTRIBUTES,
            attribute_filter=_only_own_images,
            url_schemes=_URL_SCHEMES,
            set_tag_attribute_values=_CLASSES,
            strip_comments=True,
        )
    )


def whole_handbook_links(
    handbook_path: str, slugs: Iterable[str], base_url: str | None = None
) -> Callable[[str], str]:
    """For the whole handbook on one page (print, PDF): a link to another section goes to it
    on the same page, and, given `base_url`, other links into the portal become full
    addresses (a PDF has no site to be relative to)."""
    anchors = {f"{handbook_path.rstrip('/')}/{slug}": f"#{slug}" for slug in slugs}

    def rewrite(href: str) -> str:
        path = href.split("#")[0]
        if path in anchors:
            return anchors[path]
        if base_url and href.startswith("/") and not href.startswith("//"):
            return base_url.rstrip("/") + href
        return href

    return rewrite


def plain_blocks(text: str) -> list[str]:
    """The words of each paragraph, heading, list item and table cell, without markup (what
    search looks through and quotes)."""
    blocks = []
    for token in _MD.parse(text):
        if token.type == "inline":
            words = " ".join(_inline_text(token.children).split())
            if words:
                blocks.append(words)
    return blocks


# --- Search ---------------------------------------------------------------------------------

MAX_QUERY = 100
MAX_TERMS = 8
_STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for",
        "from", "has", "have", "how", "i", "if", "in", "is", "it", "me", "my", "of",
        "on", "or", "so", "than", "that", "the", "their", "them", "then", "there", "they", "this",
        "to", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "you",
        "your",
    }
)  # fmt: skip
_PASSAGE_WORDS = 40
_LEAD_WORDS = 12


def search_terms(query: str) -> list[str]:
    """The words to look for: lower case, without small common words and single letters
    (unless that is all the reader typed), a plural cut back to its stem so "contracts" also
    finds "contract"."""
    words = list(dict.fromkeys(re.findall(r"\w+", query.lower())))
    kept = [w for w in words if w not in _STOP_WORDS and len(w) > 1] or words
    terms = []
    for word in kept:
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        terms.append(word)
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def _pattern(terms: Iterable[str]) -> re.Pattern[str]:
    # A term matches the start of a word, and the whole word is highlighted.
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE
    )


def highlight(text: str, terms: Sequence[str]) -> Markup:
    """`text` escaped, with each word that matches a term in <mark>."""
    if not terms:
        return escape(text)
    out, last = [], 0
    for match in _pattern(terms).finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>{}</mark>").format(match.group()))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _found(block: str, terms: Sequence[str]) -> set[str]:
    lowered = block.lower()
    return {t for t in terms if re.search(r"(?<!\w)" + re.escape(t), lowered)}


def _excerpt(block: str, terms: Sequence[str]) -> str:
    words = block.split()
    if len(words) <= _PASSAGE_WORDS:
        return block
    first = next(i for i, w in enumerate(words) if _found(w, terms))
    start = max(0, min(first - _LEAD_WORDS, len(words) - _PASSAGE_WORDS))
    end = start + _PASSAGE_WORDS
    return ("… " if start else "") + " ".join(words[start:end]) + (" …" if end < len(words) else "")


@dataclass(frozen=True)
class Match:
    score: int
    passage: Markup


def match(terms: Sequence[str], title: str, summary: str, body: str) -> Match | None:
    """How well a section matches, and its best passage with the words highlighted (None
    when no term is in it). Sections with more of the words come first; a word in the title
    counts double."""
    if not terms:
        return None
    blocks = [summary, *plain_blocks(body)]
    found_in = [_found(block, terms) for block in blocks]
    in_title = _found(title, terms)
    everywhere = in_title.union(*found_in)
    if not everywhere:
        return None
    # The block with the most of the words; between equals, the one with more to read (a
    # paragraph says more than its heading), then the first.
    best = max(
        range(len(blocks)),
        key=lambda i: (len(found_in[i]), min(len(blocks[i].split()), _PASSAGE_WORDS), -i),
    )
    passage = blocks[best] if found_in[best] else summary
    score = 10 * len(everywhere) + 5 * len(in_title) + sum(len(f) for f in found_in)
    return Match(score, highlight(_excerpt(passage, terms), terms))


# --- Versions -------------------------------------------------------------------------------


class VersionLike(Protocol):
    version: int
    published_at: datetime | None


V = TypeVar("V", bound=VersionLike)


class VersionState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


# The one table of allowed moves. Once published (or scheduled) a version never changes.
TRANSITIONS: dict[VersionState, frozenset[VersionState]] = {
    VersionState.DRAFT: frozenset(
        {VersionState.DRAFT, VersionState.SCHEDULED, VersionState.PUBLISHED}
    ),
    VersionState.SCHEDULED: frozenset(),
    VersionState.PUBLISHED: frozenset(),
}


def state_of(version: VersionLike, now: datetime) -> VersionState:
    if version.published_at is None:
        return VersionState.DRAFT
    if version.published_at > now:
        return VersionState.SCHEDULED
    return VersionState.PUBLISHED


def move(version: VersionLike, to: VersionState, *, now: datetime, at: datetime | None = None):
    """The only way a version changes state: saving a draft (to DRAFT) or publishing it at
    `at` (now, or a later moment for SCHEDULED)."""
    was = state_of(version, now)
    if to not in TRANSITIONS[was]:
        raise RuleError(
            f"Version {version.version} is {was.value}: it is never changed. "
            "Make a new version instead."
        )
    if to is VersionState.DRAFT:
        return
    if at is None or (to is VersionState.SCHEDULED) != (at > now):
        raise RuleError("Publish now, or choose a date after today")
    version.published_at = at


def current_version(versions: Iterable[V], now: datetime) -> V | None:
    """What readers see: the newest version whose publish date has come. A version published
    now therefore outranks an older one still waiting for its date."""
    live = [v for v in versions if state_of(v, now) is VersionState.PUBLISHED]
    return max(live, key=lambda v: v.version, default=None)


def was_ever_shown(version: VersionLike, versions: Iterable[VersionLike], now: datetime) -> bool:
    """Whether readers saw (or now see) this version: its date has come and no newer version
    was already out by then (a scheduled version overtaken by a newer one never shows)."""
    if state_of(version, now) is not VersionState.PUBLISHED:
        return False
    assert version.published_at is not None
    return not any(
        other.version > version.version
        and other.published_at is not None
        and other.published_at <= version.published_at
        for other in versions
    )


# --- Section addresses ----------------------------------------------------------------------

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"search", "print", "what-changed", "admin"})


def slugify(title: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:80].strip("-")


def check_slug(slug: str) -> str:
    if not SLUG.match(slug) or len(slug) > 80:
        raise RuleError(
            "Use lower-case letters, numbers and hyphens for the web address, like paying-your-pa"
        )
    if slug in RESERVED_SLUGS:
        raise RuleError(f"The web address {slug!r} is used by the handbook itself: choose another")
    return slug
