"""The Charter Mark demo data: a Supporter, a holder with a certificate, an application
waiting for review, and an award ending within 90 days whose reminder is due."""

from datetime import timedelta

from dp_portal.auth.models import Role
from dp_portal.core.types import local_today
from dp_portal.employers.charter_awards import certificate_pdf
from dp_portal.employers.charter_jobs import issue_renewal_reminders
from dp_portal.employers.demo_charter import demo_charter
from dp_portal.extensions import db


def test_the_demo_has_each_kind_of_charter_mark(factory, app_ctx):
    made = [factory.account() for _ in range(4)]
    people = factory.user(Role.RECIPIENT), factory.user(Role.FINANCE_OFFICER)
    applicant, officer = (db.session.merge(p) for p in people)
    today = local_today()
    demo = demo_charter(
        [db.session.merge(a) for a in made], applicant=applicant, officer=officer, today=today
    )
    assert demo.supporter.tier == "supporter" and demo.supporter.is_current(today)
    assert demo.holder.tier == "holder" and demo.holder.is_current(today)
    assert certificate_pdf(demo.holder, today).startswith(b"%PDF")
    assert demo.waiting.status == "submitted"
    assert today < demo.expiring.expires_on <= today + timedelta(days=90)
    assert issue_renewal_reminders(today) == 1
