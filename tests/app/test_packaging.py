"""What an install carries: every template and static file, with nothing for setuptools to
warn about (a folder of files that is not a declared package gets a warning of its own, which
is how a cold `make run` printed hundreds of lines before the first page)."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

from setuptools.config.setupcfg import read_configuration

ROOT = Path(__file__).resolve().parents[2]


def _options() -> dict:
    return read_configuration(ROOT / "setup.cfg")["options"]


def _folders_with_files() -> set[str]:
    folders = set()
    for path in (ROOT / "dp_portal").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            folders.add(".".join(path.parent.relative_to(ROOT).parts))
    return folders


def test_every_folder_of_the_app_is_a_declared_package():
    missing = _folders_with_files() - set(_options()["packages"])
    assert missing == set(), f"setuptools would warn that these are absent: {sorted(missing)}"


def test_every_template_and_static_file_is_package_data():
    patterns = _options()["package_data"][""]
    left_out = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "static")
        for path in (ROOT / "dp_portal" / folder).rglob("*")
        if path.is_file() and not any(fnmatch(path.name, p) for p in patterns)
    ]
    assert left_out == []
