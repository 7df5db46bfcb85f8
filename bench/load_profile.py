"""Where each page's time goes, measured in the in-process baseline: for every request, how many
SQL statements it sent and how long they took (from sending to having every row back, as the
driver reads whole results), how long its template took to render, and the rest (Python:
routing, sessions, the services' own work, ORM objects, forms). A few microseconds a
statement are added by the measuring itself.

It also counts CPU time, which the machine's load barely moves (wall time is mostly the
queue for a core when the machine is shared): this process's, and PostgreSQL's for the
database's server processes (read from /proc before and after each request).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import before_render_template, template_rendered
from sqlalchemy import event

from bench.load_server import cpu_of


@dataclass
class Spent:
    requests: int = 0
    queries: int = 0
    sql_ms: float = 0.0
    template_ms: float = 0.0
    total_ms: float = 0.0
    cpu_ms: float = 0.0  # this process's
    db_cpu_ms: float = 0.0  # PostgreSQL's


@dataclass
class Meter:
    pids: Callable[[], Iterable[int]] = list  # the database's server processes
    pages: dict[str, Spent] = field(default_factory=dict)
    _queries: int = 0
    _sql: float = 0.0
    _template: float = 0.0
    _started: list[float] = field(default_factory=list)

    def attach(self, app, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_sql)
        event.listen(engine, "after_cursor_execute", self._after_sql)
        before_render_template.connect(self._before_template, app, weak=False)
        template_rendered.connect(self._after_template, app, weak=False)

    def _before_sql(self, *_args, **_kwargs) -> None:
        self._started.append(time.perf_counter())

    def _after_sql(self, *_args, **_kwargs) -> None:
        self._queries += 1
        self._sql += time.perf_counter() - self._started.pop()

    def _before_template(self, *_args, **_kwargs) -> None:
        self._template_start = time.perf_counter()

    def _after_template(self, *_args, **_kwargs) -> None:
        self._template += time.perf_counter() - self._template_start

    def start(self) -> None:
        self._queries, self._sql, self._template, self._started = 0, 0.0, 0.0, []
        self._cpu = time.process_time()
        self._db = {pid: cpu_of(pid) for pid in self.pids()}

    def stop(self, name: str, ms: float) -> None:
        spent = self.pages.setdefault(name, Spent())
        spent.cpu_ms += (time.process_time() - self._cpu) * 1000
        spent.db_cpu_ms += sum(cpu_of(pid) - before for pid, before in self._db.items()) * 1000
        spent.requests += 1
        spent.queries += self._queries
        spent.sql_ms += self._sql * 1000
        spent.template_ms += self._template * 1000
        spent.total_ms += ms

    def table(self) -> list[str]:
        """Markdown rows, the most expensive pages first: mean per request."""
        rows = [
            "| page | requests | ms | SQL statements | SQL ms | template ms | Python ms "
            "| CPU ms | PostgreSQL CPU ms |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        order = sorted(self.pages.items(), key=lambda kv: -kv[1].total_ms / kv[1].requests)
        for name, s in order:
            n = s.requests
            python = (s.total_ms - s.sql_ms - s.template_ms) / n
            rows.append(
                f"| `{name}` | {n:,} | {s.total_ms / n:.1f} | {s.queries / n:.1f} | "
                f"{s.sql_ms / n:.1f} | {s.template_ms / n:.1f} | {python:.1f} | "
                f"{s.cpu_ms / n:.1f} | {s.db_cpu_ms / n:.1f} |"
            )
        return rows
