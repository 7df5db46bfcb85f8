"""Demo data for the PA cost calculator and the employer checklist: a recipient who employs
two PAs, with their checklist half filled in (one item about to need renewing, so its
reminder letter is issued too), and a bookmark for the calculator with their two PAs.

Called by the demo builder once the demo accounts, users and rates exist:
    demo_costs(account_id=<the demo recipient's own account>, user_id=<the recipient user>,
               today=local_today(), with_file=True)
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from sqlalchemy import select

from ..accounts.models import Account
from ..auth.models import User
from ..extensions import db
from .checklist_services import Upload, record_tick
from .jobs import issue_checklist_reminders

# A one-page PDF, standing in for an insurance certificate.
CERTIFICATE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# The recipient's two PAs: a main PA and a relief PA at the 2026/27 Scottish minimum.
TWO_PAS = (("24", "13.45"), ("8", "13.45"))


def calculator_link(today: date) -> str:
    """The calculator, filled in with the demo recipient's two PAs (a GET form: a bookmark)."""
    params = [("hours_per_week", hours) for hours, _ in TWO_PAS]
    params += [("hourly_wage", wage) for _, wage in TWO_PAS]
    params += [("on", today.isoformat()), ("employment_allowance", "yes")]
    return "/employers/calculator?" + urlencode(params)


def demo_costs(
    *, account_id: int, user_id: int, today: date, with_file: bool = False
) -> dict[str, object]:
    """Tick four of the eight checklist items for the account (the insurance with a stored
    certificate when `with_file`, renewing in 20 days), issue the reminders that are due,
    and return what was made. The caller commits."""
    account = db.session.execute(select(Account).where(Account.id == account_id)).scalar_one()
    actor = db.session.get(User, user_id)
    ticks = [
        ("contract", today - timedelta(days=300), None, "Signed by both PAs", None),
        ("hmrc", today - timedelta(days=320), None, "Employer reference 123/AB45678", None),
        (
            "insurance",
            today - timedelta(days=345),
            today + timedelta(days=20),
            "Policy EL-2026-0042",
            Upload("insurance certificate.pdf", CERTIFICATE) if with_file else None,
        ),
        ("pvg", today - timedelta(days=290), today + timedelta(days=3 * 365), "", None),
    ]
    for key, done_on, renews_on, note, upload in ticks:
        record_tick(
            account,
            key,
            done_on=done_on,
            renews_on=renews_on,
            note=note,
            upload=upload,
            actor=actor,
            today=today,
        )
    reminders = issue_checklist_reminders(today)
    return {
        "ticked": [key for key, *_ in ticks],
        "reminders": reminders,
        "calculator": calculator_link(today),
    }
