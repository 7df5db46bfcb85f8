"""One day's reminder run for a whole council (select what is due, record the reminders and
letters, render every letter to PDF/UA), beside rendering the same letter's PDF alone in a loop
in the same process; with the job's peak memory, the peak after rendering and the CPU time
(this process's and its PostgreSQL server's: on a shared machine wall time measures the queue).

The council: ACCOUNTS demo accounts, up to five years old, whose returns were all sent except
a realistic share: LATE_PERCENT of the latest quarter's returns still missing a week after the
due date, and 1 in 200 older ones never sent. The scheduler has run every day before, so the
earlier stages are already issued and their letters already rendered; the timed run is the
morning of 4 November 2026, a week after the July-September returns fell due.

The council is built in this process; the morning runs in a fresh one, as in the scheduler's
own process (`flask dp scheduler`): the reminder job, then the letters job rendering in
batches of 200, each committed, then the bare render.

Usage: python bench/reminders.py [ACCOUNTS] [LATE_PERCENT]   (defaults 100000 and 5)
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, update

from bench._common import Timer, database_cpu_seconds, fresh_app, result_line

AS_OF = date(2026, 11, 4)
BATCH = 200  # as the scheduler's letters job renders and commits


def _memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (the peak since the last reset) of this process, from
    Linux's /proc (ru_maxrss would carry the parent's peak across the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise LookupError(field)


def _reset_peak() -> None:
    """Start VmHWM again from the resident size now (Linux 4.0+: clear_refs, value 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def _cpu_seconds(engine) -> float:
    """CPU seconds of this process and of the PostgreSQL server processes serving it (the
    machine's 2 cores are shared, so wall time mostly measures the queue for a core)."""
    return time.process_time() + database_cpu_seconds(engine)


def build_council(n_accounts: int, late_percent: int) -> tuple[str, dict]:
    """The council, in a fresh database; returns its address and what was built."""
    from dp_portal.core.letters import Letter
    from dp_portal.core.types import utcnow
    from dp_portal.demo import build_demo, demo_returns
    from dp_portal.extensions import db
    from dp_portal.monitoring.jobs import issue_due_reminders

    app = fresh_app("reminders")
    with app.app_context():
        build_demo(n_accounts, seed=1)
        db.session.commit()
        sent = demo_returns(AS_OF, late_percent)
        db.session.commit()
        # Every day before: the earlier stages, issued and (as the letters job would have
        # done) rendered. Marked rendered here without the minutes of PDFs nobody times.
        earlier = issue_due_reminders(AS_OF - timedelta(days=1))
        db.session.execute(
            update(Letter).where(Letter.pdf.is_(None)).values(pdf=b"", rendered_at=utcnow())
        )
        db.session.commit()
        url = db.engine.url.render_as_string(hide_password=False)
        built = {"dialect": db.engine.dialect.name, "sent": sent, "earlier": earlier}
        built["instance"] = str(app.config["INSTANCE_DIR"])
        db.engine.dispose()
    return url, built


def _morning_app(url: str, instance: str):
    from dp_portal import create_app
    from dp_portal.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_DIR = Path(instance)
        MAIL_OUTBOX_DIR = Path(instance) / "outbox"

    return create_app(Config)


def _bare_render(letter, loops: int) -> dict:
    """The letter's HTML rendered to PDF `loops` times: wall and CPU seconds."""
    from dp_portal.core.letters import html_to_pdf, letter_html

    html = letter_html(letter)
    html_to_pdf(html)  # warm, as the run's first letter warmed it
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(loops):
        html_to_pdf(html)
    return {
        "loops": loops,
        "bare": time.perf_counter() - started,
        "bare_cpu": time.process_time() - cpu_started,
    }


def the_morning(url: str, instance: str, results) -> None:
    """The timed morning, in a process of its own (as the scheduler's)."""
    from dp_portal.core.letters import Letter, RenderRun
    from dp_portal.extensions import db
    from dp_portal.monitoring.jobs import issue_due_reminders

    logging.disable(logging.WARNING)
    app = _morning_app(url, instance)
    with app.app_context():
        marker = db.session.execute(select(func.max(Letter.id))).scalar() or 0
        before_job = _memory_mb("VmRSS")
        _reset_peak()
        cpu = {"start": _cpu_seconds(db.engine)}
        with app.test_request_context(), Timer() as run:
            with Timer() as job:
                issued = issue_due_reminders(AS_OF)
                db.session.commit()
            cpu["job"] = _cpu_seconds(db.engine)
            job_peak = _memory_mb("VmHWM")
            render, resident = RenderRun(batch=BATCH), []
            while render.next_batch():
                resident.append(_memory_mb("VmRSS"))  # after each committed batch
        cpu["run"] = _cpu_seconds(db.engine)
        render_peak = _memory_mb("VmHWM")
        letters = db.session.execute(
            select(func.count()).select_from(Letter).where(Letter.id > marker)
        ).scalar()
        sample = db.session.execute(
            select(Letter).where(Letter.id > marker).order_by(Letter.id).limit(1)
        ).scalar_one()
        with app.test_request_context():
            bare = _bare_render(sample, min(letters, 500))
    results.put(
        bare
        | {
            "issued": issued,
            "letters": letters,
            "seconds": run.seconds,
            "job_seconds": job.seconds,
            "job_cpu": cpu["job"] - cpu["start"],
            "run_cpu": cpu["run"] - cpu["start"],
            "before_job_mb": before_job,
            "job_peak_mb": job_peak,
            "render_peak_mb": render_peak,
            "resident_mb": resident,
            "peak_mb": _memory_mb("VmHWM"),
        }
    )


def _batches(resident: list[float]) -> str:
    """At most a dozen of the figures, evenly spread, the first and the last among them."""
    if not resident:
        return "none"
    step = max(1, (len(resident) - 1) // 11)
    picked = resident[::step]
    if (len(resident) - 1) % step:
        picked.append(resident[-1])
    return ", ".join(f"{mb:.0f}" for mb in picked)


def main(n_accounts: int, late_percent: int) -> None:
    logging.disable(logging.WARNING)
    url, built = build_council(n_accounts, late_percent)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
    results = context.Queue()
    morning = context.Process(target=the_morning, args=(url, built["instance"], results))
    morning.start()
    r = results.get()
    morning.join()

    ours_rate = r["letters"] / r["seconds"]
    bare_rate = r["loops"] / r["bare"]
    print(
        f"database: {built['dialect']}, accounts: {n_accounts}, returns sent: {built['sent']:,}, "
        f"reminders before the day: {built['earlier']:,}"
    )
    print(
        f"daily run on {AS_OF}: {r['issued']:,} reminders ({r['job_seconds']:.1f} s), "
        f"{r['letters']:,} letters in {r['seconds']:.1f} s"
    )
    print(
        f"CPU (this process and its database server): the job {r['job_cpu']:.1f} s, "
        f"the whole run {r['run_cpu']:.1f} s ({r['letters'] / r['run_cpu']:.1f} letters per "
        f"CPU second; bare {r['loops'] / r['bare_cpu']:.1f})"
    )
    print(
        f"memory (resident): {r['before_job_mb']:.0f} MB before the job, its peak "
        f"{r['job_peak_mb']:.0f} MB (+{r['job_peak_mb'] - r['before_job_mb']:.0f} MB), "
        f"the peak after rendering {r['render_peak_mb']:.0f} MB, "
        f"after the bare loop {r['peak_mb']:.0f} MB"
    )
    print(f"resident after each batch of {BATCH} (MB): {_batches(r['resident_mb'])}")
    print(f"bare PDF render of one letter, {r['loops']} times: {r['bare']:.1f} s")
    print(
        result_line(
            "reminders",
            f"{ours_rate:.1f} letters/s (job peak {r['job_peak_mb']:.0f} MB)",
            f"{bare_rate:.1f} letters/s",
            bare_rate / ours_rate,
        )
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
    )
