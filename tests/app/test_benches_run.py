"""Every benchmark that docs/benchmarks.md reports still runs to its result line, at a tiny
size: a benchmark is run by hand, now and then, so one broken by a change elsewhere went
unnoticed until the next measurement (bench/client_money.py stopped with a TypeError for a
day once the reconciliation's differences came a page at a time). The figures at this size
mean nothing and are not checked; only that each bench gets to its comparison.

On SQLite, in a folder of each bench's own (BENCH_DATABASE_URL unset): never pointed at a
database the suite or anyone else uses, as a bench drops what it finds there. PostgreSQL's
runs of the suite leave this to SQLite's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What each bench prints last: "<name>: <figure> vs baseline <figure>, ratio <r>".
RESULT = re.compile(r"^[\w ,()-]+: .+ vs baseline .+, ratio \d+\.\d\d$", re.MULTILINE)

TINY = {
    "payment_run": ["300", "2"],
    "returns": ["20", "300"],
    "reminders": ["300", "5"],
    "pages": ["300", "2"],
    "monitoring_pages": ["300", "2"],
    "reports": ["300", "2"],
    "client_money": ["10", "200"],
    "bulk_import": ["40"],
    "provider_invoices": ["4", "20"],
    "demo_data": ["300"],
}


def test_every_reported_bench_is_run_here():
    """A bench with a section in docs/benchmarks.md is in TINY (load tests aside: they need
    a server and are run by hand with their own instructions)."""
    reported = set(re.findall(r"^## .*\(`bench/(\w+)\.py`", _benchmarks_doc(), re.MULTILINE))
    assert reported - {"load"} <= set(TINY)


@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="run once, on SQLite's run of the suite",
)
@pytest.mark.parametrize("name", sorted(TINY))
def test_the_bench_runs_to_its_result_line(name, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "BENCH_DATABASE_URL"}
    env["TMPDIR"] = str(tmp_path)  # each bench's database and files, removed with the test
    done = subprocess.run(
        [sys.executable, f"bench/{name}.py", *TINY[name]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert RESULT.search(done.stdout), done.stdout[-3000:]


def _benchmarks_doc() -> str:
    return (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
