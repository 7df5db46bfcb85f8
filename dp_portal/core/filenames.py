"""File names people send us, made safe to show on a page and to put in a download header.

A name arrives as the browser (or an attacker) chose to send it: it may carry a path
("C:\\Users\\me\\statement.pdf", "../../etc/passwd"), control characters (NUL, or CR/LF that
would split an HTTP header), or bidirectional overrides that make "invoice\u202egpj.exe" look
like "invoiceexe.jpg" on screen (the "Trojan Source" trick, CVE-2021-42574). Stored files
never use these names (they are stored under random ones); the name is only shown and used
for downloads, so it is cleaned once, on the way in, and again on the way out.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 120

# Unicode categories that are never part of a readable name: controls (Cc: NUL, CR, LF,
# DEL, C1), format characters (Cf: the bidirectional embeddings, overrides and isolates
# U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and U+061C, zero-width
# characters, the byte-order mark), line and paragraph separators (Zl, Zp), surrogates,
# private-use and unassigned code points.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}

# Extensions that name a kind of file. A name with two of them ("statement.pdf.exe") is
# disguising what it is: Windows hides the last one by default.
_KNOWN = """pdf xlsx xlsm xlsb xls xltx xltm csv txt tsv doc docx docm dot dotx rtf odt ods odp
    ppt pptx pptm jpg jpeg jpe jfif png gif bmp tif tiff heic heif webp svg ico htm html xhtml
    mht mhtml xml json js mjs jse vbs vbe wsf wsh hta exe dll com scr pif cpl msi msp bat cmd
    ps1 psm1 sh bash lnk url jar apk app dmg iso img vhd zip rar 7z gz tgz bz2 xz tar cab eml
    msg py php pl rb"""
KNOWN_EXTENSIONS = frozenset(_KNOWN.split())

_SPACES = re.compile(r"\s+")


def _readable(char: str) -> bool:
    return unicodedata.category(char) not in _DROPPED_CATEGORIES


def split_extension(name: str) -> tuple[str, str]:
    """("April statement", ".pdf"). An "extension" longer than 10 characters, or with a
    space in it, is part of the name ("Mr. Smith's receipts" has none)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10 or not ext or " " in ext:
        return name, ""
    return stem, "." + ext


def extensions(name: str) -> list[str]:
    """The known file-type extensions at the end of a name, last one last, lower case:
    "x.PDF.exe" -> ["pdf", "exe"]; "Smith.April.pdf" -> ["pdf"]."""
    parts = name.lower().split(".")[1:]
    found: list[str] = []
    for part in reversed(parts):
        if part not in KNOWN_EXTENSIONS:
            break
        found.insert(0, part)
    return found


def clean_filename(name: str | None, *, default: str = "file") -> str:
    """The name to show and to offer on download: its last path part, without control,
    format or bidirectional characters, spaces collapsed, no leading or trailing dots or
    spaces, at most MAX_NAME_LENGTH characters with its extension kept. An empty result
    becomes `default` (which may carry its own extension)."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]  # both separators: a Windows path arrives whole
    text = "".join(
        " " if char.isspace() else char for char in text if _readable(char) or char.isspace()
    )
    text = _SPACES.sub(" ", text).strip(" .")
    stem, ext = split_extension(text)
    stem = stem.strip(" .")
    if not stem:
        default_stem, default_ext = split_extension(default)
        stem, ext = default_stem, ext or default_ext
    if len(stem) + len(ext) > MAX_NAME_LENGTH:
        stem = stem[: MAX_NAME_LENGTH - len(ext)].rstrip(" .") or default
    return stem + ext
