"""Figures of the load benchmark: per-page percentiles of the served run (from locust's CSV)
and of the in-process baseline (from its samples), and the lines bench/load.py prints."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from bench._common import result_line

P95_TARGET_MS = 150
THROUGHPUT_TARGET = 0.80


@dataclass
class Page:
    count: int
    p50: float
    p95: float
    p99: float
    mean: float
    failures: int = 0


@dataclass
class Phase:
    pages: dict[str, Page]
    per_second: float
    requests: int
    failures: int
    errors: list[str] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), as locust reports them."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def from_samples(samples) -> Phase:
    pages = {
        name: Page(
            len(times),
            percentile(times, 50),
            percentile(times, 95),
            percentile(times, 99),
            sum(times) / len(times),
        )
        for name, times in samples.times.items()
    }
    count = samples.count
    return Phase(pages, count / samples.seconds, count, len(samples.errors), samples.errors)


def _ms(value: str) -> float:
    return 0.0 if value == "N/A" else float(value)  # N/A: no request of the page finished


def from_locust(prefix: Path) -> Phase:
    pages, total = {}, None
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            page = Page(
                int(row["Request Count"]),
                _ms(row["50%"]),
                _ms(row["95%"]),
                _ms(row["99%"]),
                _ms(row["Average Response Time"]),
                int(row["Failure Count"]),
            )
            if row["Name"] == "Aggregated":
                total = (page, float(row["Requests/s"]))
            else:
                pages[f"{row['Name']}"] = page
    errors = []
    with open(f"{prefix}_failures.csv", newline="") as f:
        for row in csv.DictReader(f):
            errors.append(f"{row['Occurrences']} x {row['Error']}")
    (aggregate, per_second) = total
    return Phase(pages, per_second, aggregate.count, aggregate.failures, errors)


def slug(name: str) -> str:
    method, route = name.split(" ", 1)
    words = re.sub(r"<[^>]+>", "id", route).strip("/") or "home"
    return f"{method.lower()}_" + re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")


def mix_matched_rate(served: Phase, baseline: Phase) -> float:
    """Requests a second the in-process baseline would serve of the served run's mix: the
    served run's count of each page at the baseline's mean time for that page. (Without
    think time, users on cheap pages go round faster, so the served mix leans to cheap pages;
    comparing with the baseline's own mix would flatter the server.)"""
    seconds = sum(
        page.count * baseline.pages[name].mean / 1000
        for name, page in served.pages.items()
        if name in baseline.pages
    )
    counted = sum(p.count for n, p in served.pages.items() if n in baseline.pages)
    return counted / seconds if seconds else 0.0


def page_lines(served: Phase, baseline: Phase) -> list[str]:
    lines = []
    for name in sorted(served.pages):
        page, base = served.pages[name], baseline.pages.get(name)
        if base is None:
            continue
        lines.append(
            result_line(
                f"load_{slug(name)}",
                f"p95 {page.p95:.0f} ms",
                f"{base.p95:.1f} ms",
                page.p95 / base.p95 if base.p95 else 0.0,
            )
        )
    return lines


def table(served: Phase, baseline: Phase, capacity: Phase | None) -> list[str]:
    """Markdown rows: page, served count, p50/p95/p99 served, in-process p50/p95, capacity p95."""
    rows = [
        "| page | served | p50 | p95 | p99 | in-process p50 | in-process p95 | no think time p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in sorted(served.pages, key=lambda n: -served.pages[n].p95):
        page, base = served.pages[name], baseline.pages.get(name)
        cap = capacity.pages.get(name) if capacity else None
        rows.append(
            f"| `{name}` | {page.count:,} | {page.p50:.0f} | {page.p95:.0f} | {page.p99:.0f} | "
            f"{base.p50 if base else 0:.1f} | {base.p95 if base else 0:.1f} | "
            f"{cap.p95 if cap else 0:.0f} |"
        )
    return rows


def verdicts(served: Phase, served_rate: float, baseline_rate: float) -> list[str]:
    slow = [n for n, p in served.pages.items() if p.p95 >= P95_TARGET_MS]
    ratio = served_rate / baseline_rate if baseline_rate else 0.0
    return [
        f"target 0 errors: {'met' if served.failures == 0 else 'NOT met'} "
        f"({served.failures} errors)",
        f"target p95 < {P95_TARGET_MS} ms on every page: "
        + ("met" if not slow else f"NOT met on {', '.join(sorted(slow))}"),
        f"target served throughput >= {THROUGHPUT_TARGET:.0%} of in-process: "
        f"{'met' if ratio >= THROUGHPUT_TARGET else 'NOT met'} ({ratio:.0%})",
    ]
