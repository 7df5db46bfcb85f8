"""Flesch-Kincaid grade level of a letter's prose, for the plain-English check on letters.

Self-contained on purpose: the usual library (textstat) now needs NLTK data downloaded at run
time, which a machine with no internet cannot do. Syllables are counted the way textstat's
classic counter and most checkers do: vowel groups, less a silent final 'e', at least one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "h1", "h2", "h3", "li", "td", "th", "dd", "dt"}
_SKIP = {"style", "title", "header", "table"}  # letterhead and figures, not prose


class _Prose(HTMLParser):
    """Text of each block element (paragraph, heading, list item) inside the letter body."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._current: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCKS and not self._skip:
            self._current = []

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip -= 1
        elif tag in _BLOCKS and self._current is not None:
            text = " ".join("".join(self._current).split())
            if text:
                self.blocks.append(text)
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._skip:
            self._current.append(data)


def prose_blocks(html: str) -> list[str]:
    parser = _Prose()
    parser.feed(html)
    return parser.blocks


def syllables(word: str) -> int:
    word = word.lower()
    if not word:
        return 0
    groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(groups, 1)


def _words_and_sentences(blocks: list[str]) -> tuple[list[str], int]:
    words: list[str] = []
    sentences = 0
    for block in blocks:
        # Addresses, emails and amounts are read as one word each.
        block = re.sub(r"\S+@\S+", "email", block)
        block = re.sub(r"£?\d[\d,.]*", "1", block)
        parts = [p for p in re.split(r"[.!?:;]+(?:\s|$)", block) if p.strip()]
        sentences += max(len(parts), 1)
        words += re.findall(r"[A-Za-z]+(?:'[a-z]+)?|\d+", block)
    return words, sentences


def grade(blocks: list[str]) -> float:
    """Flesch-Kincaid grade: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    words, sentences = _words_and_sentences(blocks)
    if not words:
        return 0.0
    total = sum(syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * total / len(words) - 15.59
