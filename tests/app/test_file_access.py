"""Nothing outside core/storage.py reads or writes a file path for stored data (issue 16: on
several web servers a file on one machine's disk is missing on the others). Every other call
that touches the file system is listed here with the reason it is not stored data."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "dp_portal"
STORAGE_MODULES = {"core/storage.py", "core/storage_s3.py"}
# Calls that open, read, write, list or remove files, or send one by its path.
FILE_CALLS = {
    "open",
    "read_bytes",
    "write_bytes",
    "read_text",
    "write_text",
    "unlink",
    "mkdir",
    "rmdir",
    "iterdir",
    "glob",
    "rglob",
    "touch",
    "send_file",
    "send_from_directory",
}
FILE_MODULES = {"shutil", "tempfile"}
ALLOWED = {
    ("__init__.py", "mkdir"): "the instance folder for settings and the embedded SQLite "
    "database, made at start; no stored file is kept there by path",
    ("core/downloads.py", "send_file"): "sends bytes already in memory (io.BytesIO), never "
    "a path: stored files reach it through storage.get",
    ("core/letters.py", "read_bytes"): "the portal's own static files (stylesheet, fonts) "
    "that WeasyPrint draws letters with: code, shipped with the app",
    ("core/modulus_models.py", "read_text"): "Pay.UK's modulus tables an operator may "
    "install beside the code (MODULUS_TABLE_DIR); uploaded tables are kept in the database",
    ("core/sheet_scan.py", "open"): "a part inside an uploaded workbook's zip archive, "
    "already in memory",
    ("core/uploads.py", "open"): "Pillow decoding an upload's bytes in memory (io.BytesIO)",
    ("employers/handbook_defaults.py", "glob"): "the handbook's default text, shipped "
    "inside the package",
    ("employers/handbook_defaults.py", "read_text"): "the handbook's default text, shipped "
    "inside the package",
    ("scheduler.py", "open"): "the lock file that keeps a second scheduler on the same "
    "machine from starting (SQLite only; PostgreSQL uses an advisory lock)",
}


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def file_access(source: str) -> list[tuple[str, int]]:
    """(call or module, line) for each file-system call and file-system module import."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called(node) in FILE_CALLS:
            found.append((_called(node), node.lineno))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            found += [(name, node.lineno) for name in names if name in FILE_MODULES]
    return found


def _everywhere() -> dict[tuple[str, str], list[int]]:
    uses: dict[tuple[str, str], list[int]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        if module in STORAGE_MODULES:
            continue
        for name, line in file_access(path.read_text()):
            uses.setdefault((module, name), []).append(line)
    return uses


def test_nothing_outside_storage_touches_a_file_path():
    unexplained = {use: lines for use, lines in _everywhere().items() if use not in ALLOWED}
    assert unexplained == {}, (
        "Keep stored files through dp_portal/core/storage.py (storage.current().put/get), "
        f"or add the use to ALLOWED with the reason it is not stored data: {unexplained}"
    )


def test_every_allowed_use_is_still_there():
    """An exception that is no longer needed is removed, so the list stays true."""
    assert sorted(set(ALLOWED) - set(_everywhere())) == []


def test_the_check_sees_each_kind_of_file_access():
    source = (
        "import shutil\n"
        "from flask import send_from_directory\n"
        "data = (folder / row.stored_name).read_bytes()\n"
        "with open(path, 'wb') as out: out.write(data)\n"
        "send_from_directory(folder, name)\n"
        "path.unlink(missing_ok=True)\n"
    )
    assert sorted(name for name, _ in file_access(source)) == [
        "open",
        "read_bytes",
        "send_from_directory",
        "shutil",
        "unlink",
    ]
