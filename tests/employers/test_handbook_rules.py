"""The handbook's rules: Markdown an administrator types can never put script, frames, event
handlers, dangerous links or pictures from elsewhere in front of readers; search quotes the
matching passage with the words highlighted and everything else escaped; a published version
never changes, and readers see the newest version whose publish date has come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dp_portal.core.errors import RuleError
from dp_portal.employers import handbook
from dp_portal.employers.handbook import (
    TRANSITIONS,
    VersionState,
    current_version,
    highlight,
    match,
    move,
    render_markdown,
    search_terms,
    state_of,
    was_ever_shown,
)
from dp_portal.employers.handbook_defaults import parse_section
from dp_portal.employers.models import Stage

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "strong", "em", "code", "pre",
    "blockquote", "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def assert_safe(html: str) -> None:
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> got through: {html}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event attribute {name} got through: {html}"
            assert name in {"href", "src", "alt", "class", "scope", "start", "rel"}, name
            if name == "href":
                assert urlsplit(value or "").scheme.lower() in SAFE_SCHEMES, value
            if name == "src":
                assert handbook.is_own_image(value or ""), value
    lowered = html.lower()
    for marker in ("<script", "<iframe", "<object", "<embed", "<style", "<svg", "<form"):
        assert marker not in lowered, f"{marker} got through: {html}"


HOSTILE = {
    "raw script": "Hello <script>alert(1)</script> there",
    "script block": "<script>\nalert(document.cookie)\n</script>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "image with onerror": '<img src="x" onerror="alert(1)">',
    "event attribute": '<a href="/" onclick="alert(1)">click</a>',
    "style tag": "<style>body{display:none}</style>",
    "svg with script": "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "javascript link": "[click](javascript:alert(1))",
    "javascript link, mixed case": "[click](JaVaScRiPt:alert(1))",
    "javascript link, entity encoded": "[click](&#106;avascript:alert(1))",
    "javascript link, hex entities": "[click](jav&#x61;script&#x3a;alert(1))",
    "javascript link, by reference": "[click][x]\n\n[x]: javascript:alert(1)",
    "javascript autolink": "<javascript:alert(1)>",
    "vbscript link": "[click](vbscript:msgbox(1))",
    "data link": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "file link": "[click](file:///etc/passwd)",
    "image from elsewhere": "![a cat](https://evil.example/cat.png)",
    "image from elsewhere, protocol-relative": "![a cat](//evil.example/cat.png)",
    "image as data URL": "![a dot](data:image/png;base64,iVBORw0KGgo=)",
    "image with javascript": "![x](javascript:alert(1))",
    "html comment": "<!-- <script>alert(1)</script> -->",
    "object and embed": '<object data="x"></object><embed src="x">',
    "form": '<form action="https://evil.example"><input name="password"></form>',
    "link with title quote break": '[x](/ "a" onmouseover="alert(1)")',
    "heading with html": "## Hello <b onclick=alert(1)>there</b>",
    "table with html": "| a | b |\n|---|---|\n| <script>x</script> | <img src=x onerror=y> |",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_never_reaches_readers(source):
    assert_safe(str(render_markdown(source)))


def test_raw_html_is_shown_as_text_not_dropped_silently():
    html = str(render_markdown("Use <b>bold</b> and <script>x</script>"))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html


def test_links_to_dangerous_schemes_are_not_links():
    for source in ("[click](javascript:alert(1))", "[click](data:text/html,x)"):
        assert not [t for t, _ in tags_of(str(render_markdown(source))) if t == "a"]


def test_images_from_elsewhere_become_their_words_and_own_images_stay():
    html = str(render_markdown("![a cat](https://evil.example/cat.png) ![logo](/static/x.svg)"))
    images = [attrs for tag, attrs in tags_of(html) if tag == "img"]
    assert images == [{"src": "/static/x.svg", "alt": "logo"}]
    assert "a cat" in html and "evil.example" not in html


def test_govuk_classes_are_set_and_typed_classes_dropped():
    html = str(
        render_markdown(
            "# Big\n\n## Small\n\nText [link](https://www.gov.uk).\n\n- one\n\n1. first\n\n"
            "> quoted\n\n| a |\n|---|\n| 1 |\n"
        )
    )
    classes = {tag: attrs.get("class") for tag, attrs in tags_of(html)}
    assert classes["h2"] == "govuk-heading-m"  # the page's own h1 is the title
    assert classes["p"] == "govuk-body"
    assert classes["a"] == "govuk-link"
    assert classes["ul"] == "govuk-list govuk-list--bullet"
    assert classes["ol"] == "govuk-list govuk-list--number"
    assert classes["blockquote"] == "govuk-inset-text"
    assert classes["table"] == "govuk-table"
    assert classes["td"] == "govuk-table__cell"
    assert "<h1" not in html


def test_headings_start_where_the_page_needs_them():
    assert "<h4" in str(render_markdown("## Part", heading_level=4))
    assert "<h3" in str(render_markdown("### Part"))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>\"'=/:()[]!#*-_`&;| \nabcjsvrtpx123")) | st.characters(),
        max_size=200,
    )
)
def test_any_markdown_at_all_renders_safely(source):
    assert_safe(str(render_markdown(source)))


# --- Search ---------------------------------------------------------------------------------


def test_search_terms_drop_small_words_and_plurals():
    assert search_terms("How do I pay my PA's holidays?") == ["pay", "pa", "holiday"]
    assert search_terms("contracts") == ["contract"]
    assert search_terms("responsibilities") == ["responsibilit"]
    assert search_terms("the") == ["the"]  # small words only: keep them
    assert search_terms("<script>") == ["script"]
    assert len(search_terms(" ".join(f"word{i}" for i in range(20)))) == handbook.MAX_TERMS


def test_highlight_marks_whole_words_and_escapes_everything_else():
    html = str(highlight("Pay <script>alert(1)</script> & payslips", ["pay"]))
    assert html == (
        "<mark>Pay</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>payslips</mark>"
    )


def test_match_quotes_the_passage_with_the_most_words():
    body = "Intro about nothing.\n\nYou must give holiday pay to your PA.\n\nHoliday only here."
    found = match(["holiday", "pay"], "Title", "Summary", body)
    assert found is not None
    assert str(found.passage) == "You must give <mark>holiday</mark> <mark>pay</mark> to your PA."


def test_a_long_passage_is_cut_around_the_word():
    body = " ".join(["filler"] * 60 + ["pension"] + ["after"] * 60)
    found = match(["pension"], "Title", "Summary", body)
    text = str(found.passage)
    assert text.startswith("… ") and text.endswith(" …")
    assert "<mark>pension</mark>" in text
    assert len(text.split()) <= handbook._PASSAGE_WORDS + 2


def test_no_match_and_title_counts_more():
    assert match(["pension"], "Holiday", "Time off", "Rest and leave.") is None
    in_title = match(["pension"], "Pensions", "Summary", "A pension.")
    in_body = match(["pension"], "Holiday", "Summary", "A pension.")
    assert in_title.score > in_body.score


# --- Versions -------------------------------------------------------------------------------

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@dataclass
class V:
    version: int
    published_at: datetime | None


def test_transitions_table():
    """Only a draft moves: it is saved again, or published now or for later. Nothing moves
    a published or scheduled version."""
    assert {
        VersionState.DRAFT: {VersionState.DRAFT, VersionState.SCHEDULED, VersionState.PUBLISHED},
        VersionState.SCHEDULED: set(),
        VersionState.PUBLISHED: set(),
    } == TRANSITIONS
    later, earlier = NOW + timedelta(days=1), NOW - timedelta(days=1)
    for state, published_at in (
        (VersionState.PUBLISHED, earlier),
        (VersionState.SCHEDULED, later),
    ):
        version = V(2, published_at)
        assert state_of(version, NOW) is state
        for target in VersionState:
            with pytest.raises(RuleError, match="never changed"):
                move(version, target, now=NOW, at=later)
        assert version.published_at == published_at


def test_publishing_a_draft_now_or_later():
    draft = V(3, None)
    move(draft, VersionState.DRAFT, now=NOW)
    assert draft.published_at is None
    with pytest.raises(RuleError):
        move(draft, VersionState.SCHEDULED, now=NOW, at=NOW - timedelta(days=1))
    move(draft, VersionState.SCHEDULED, now=NOW, at=NOW + timedelta(days=2))
    assert state_of(draft, NOW) is VersionState.SCHEDULED
    assert state_of(draft, NOW + timedelta(days=2)) is VersionState.PUBLISHED


def test_readers_see_the_newest_version_whose_date_has_come():
    v1 = V(1, NOW - timedelta(days=30))
    v2 = V(2, NOW + timedelta(days=10))  # scheduled
    v3 = V(3, None)  # draft
    assert current_version([v1, v2, v3], NOW) is v1
    assert current_version([v1, v2, v3], NOW + timedelta(days=10)) is v2
    assert current_version([v3], NOW) is None


def test_a_version_published_now_outranks_an_older_one_still_waiting():
    v1 = V(1, NOW - timedelta(days=30))
    v2 = V(2, NOW + timedelta(days=10))
    v3 = V(3, NOW)
    later = NOW + timedelta(days=11)
    assert current_version([v1, v2, v3], later) is v3
    assert not was_ever_shown(v2, [v1, v2, v3], later)
    assert was_ever_shown(v1, [v1, v2, v3], later)
    assert was_ever_shown(v3, [v1, v2, v3], later)


# --- Default sections -----------------------------------------------------------------------

GOOD = "---\nslug: a-b\nstage: ending\nposition: 2\ntitle: T\nsummary: S\n---\nBody\n"


def test_a_default_section_file():
    section = parse_section(GOOD)
    assert (section.slug, section.stage, section.position) == ("a-b", Stage.ENDING, 2)
    assert (section.title, section.summary, section.body) == ("T", "S", "Body\n")


@pytest.mark.parametrize(
    "text",
    [
        GOOD.replace("---\nslug", "slug"),  # no front matter
        GOOD.replace("\n---\nBody", "\nBody"),  # never closed
        GOOD.replace("title: T\n", ""),  # a key missing
        GOOD.replace("title: T\n", "title: T\ncolour: red\n"),  # a key we do not know
        GOOD.replace("slug: a-b", "slug: A B"),  # not a web address
        GOOD.replace("slug: a-b", "slug: search"),  # taken by the handbook's own pages
        GOOD.replace("stage: ending", "stage: retiring"),
        GOOD.replace("Body\n", "  \n"),  # no text
    ],
)
def test_a_broken_default_section_file_is_refused(text):
    with pytest.raises((ValueError, RuleError)):
        parse_section(text)


def test_slugs():
    assert handbook.slugify("Pay & the minimum rate!") == "pay-the-minimum-rate"
    with pytest.raises(RuleError):
        handbook.check_slug("what-changed")


def test_whole_handbook_links_stay_on_the_page_or_leave_it_in_full():
    rewrite = handbook.whole_handbook_links(
        "/employers/handbook", ["pvg-checks"], "https://dp.example"
    )
    html = render_markdown(
        "[a](/employers/handbook/pvg-checks) [b](/employers/calculator) "
        "[c](https://www.gov.uk) [d](#top)",
        rewrite_link=rewrite,
    )
    hrefs = [attrs["href"] for tag, attrs in tags_of(str(html)) if tag == "a"]
    assert hrefs == [
        "#pvg-checks",
        "https://dp.example/employers/calculator",
        "https://www.gov.uk",
        "#top",
    ]


def test_a_rewritten_link_is_still_sanitised():
    html = str(render_markdown("[a](/x)", rewrite_link=lambda href: "javascript:alert(1)"))
    assert_safe(html)
    assert "javascript:" not in html
