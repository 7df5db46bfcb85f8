"""One day's reminder run for a whole council (select what is due, record the reminders and
letters, render every letter to PDF/UA), beside rendering the same letter's PDF alone in a loop.

The council: ACCOUNTS demo accounts, up to five years old, whose returns were all sent except
a realistic share: LATE_PERCENT of the latest quarter's returns still missing a week after the
due date, and 1 in 200 older ones never sent. The scheduler has run every day before, so the
earlier stages are already issued and their letters already rendered; the timed run is the
morning of 4 November 2026, a week after the July-September returns fell due.

Usage: python bench/reminders.py [ACCOUNTS] [LATE_PERCENT]   (defaults 100000 and 5)
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, update

from bench._common import Timer, fresh_app, result_line
from dp_portal.core.letters import Letter, html_to_pdf, letter_html, render_letter
from dp_portal.core.types import utcnow
from dp_portal.demo import build_demo, demo_returns
from dp_portal.extensions import db
from dp_portal.monitoring.jobs import issue_due_reminders

AS_OF = date(2026, 11, 4)
BATCH = 200  # as the scheduler's letters job renders and commits


def main(n_accounts: int, late_percent: int) -> None:
    logging.disable(logging.WARNING)
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
        marker = db.session.execute(select(func.max(Letter.id))).scalar() or 0
        dialect = db.engine.dialect.name

        with app.test_request_context(), Timer() as run:
            issued = issue_due_reminders(AS_OF)
            db.session.commit()
            while ids := list(
                db.session.execute(
                    select(Letter.id)
                    .where(Letter.id > marker, Letter.pdf.is_(None))
                    .order_by(Letter.id)
                    .limit(BATCH)
                ).scalars()
            ):
                for letter_id in ids:
                    render_letter(db.session.get(Letter, letter_id))
                db.session.commit()
                db.session.expunge_all()
        letters = db.session.execute(
            select(func.count()).select_from(Letter).where(Letter.id > marker)
        ).scalar()

        sample = db.session.execute(
            select(Letter).where(Letter.id > marker).order_by(Letter.id).limit(1)
        ).scalar_one()
        with app.test_request_context():
            html = letter_html(sample)
            loops = min(letters, 500)
            html_to_pdf(html)  # warm, as the run's first letter warmed it
            started = time.perf_counter()
            for _ in range(loops):
                html_to_pdf(html)
            bare = time.perf_counter() - started

    ours_rate = letters / run.seconds
    bare_rate = loops / bare
    print(
        f"database: {dialect}, accounts: {n_accounts}, returns sent: {sent:,}, "
        f"reminders before the day: {earlier:,}"
    )
    print(f"daily run on {AS_OF}: {issued:,} reminders, {letters:,} letters in {run.seconds:.1f} s")
    print(f"bare PDF render of one letter, {loops} times: {bare:.1f} s")
    print(
        result_line(
            "reminders",
            f"{ours_rate:.1f} letters/s",
            f"{bare_rate:.1f} letters/s",
            bare_rate / ours_rate,
        )
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
    )
