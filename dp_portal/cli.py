"""`flask dp …` commands. Each opens and commits its own transaction."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db


@click.group("dp")
def dp_cli() -> None:
    """dp_portal commands."""


@dp_cli.command("demo")
@click.option("--accounts", "n_accounts", default=200, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has users.")
@with_appcontext
def demo_command(n_accounts: int, seed: int, if_empty: bool) -> None:
    """Load a realistic demo council: people, accounts, organisations and a user per role."""
    from .core.types import local_today
    from .demo import DEMO_PASSWORD, build_demo, database_has_users, demo_logins, demo_returns
    from .demo.employers import demo_employers
    from .demo.isf_demo import ISF_LOGINS
    from .demo.month import demo_month
    from .demo.third_party_money import demo_client_money
    from .demo.third_party_orgs import ORGANISATION_LOGINS
    from .demo.third_party_statements import demo_statements
    from .isf.period_jobs import open_todays_periods
    from .monitoring.jobs import issue_due_reminders

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is never loaded into a production database.")
    if if_empty and database_has_users():
        click.echo("Demo data already loaded: keeping the existing data.")
    else:
        with click.progressbar(length=n_accounts, label="Building demo accounts") as bar:
            build_demo(n_accounts, seed, progress=bar.update)
        db.session.commit()
        click.echo(f"Loaded {n_accounts} demo accounts (seed {seed}).")
        # A returns history with some late ones, and the reminders the scheduler would have
        # issued for them by today (letters are rendered when first opened).
        today = local_today()
        demo_returns(today, late_percent=10)
        reminders = issue_due_reminders(today)
        db.session.commit()
        click.echo(f"Returns history loaded; {reminders} reminders issued for late returns.")
        demo_employers(today)
        db.session.commit()
        click.echo("PA employers loaded: the handbook, a checklist and Charter Mark employers.")
        demo_client_money(today)
        db.session.commit()
        click.echo("Client money loaded: sub-ledgers, a signed-off month and an open one.")
        demo_statements(today)
        db.session.commit()
        click.echo("A bank statement imported for the demo recipient's current return.")
        demo_month(today)
        db.session.commit()
        click.echo(
            "A month's work: two runs paid (an uplift with arrears between them), the next run "
            "waiting for approval, returns waiting for review, one account suspended."
        )
        opened = open_todays_periods(today)  # as the scheduler does on a period's first day
        db.session.commit()
        click.echo(f"{opened} ISF periods opened for the current payment period.")
    click.echo("")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role_label, email in [*demo_logins(), *ORGANISATION_LOGINS, *ISF_LOGINS]:
        click.echo(f"  {role_label:<38} {email}")


@dp_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@with_appcontext
def create_admin(email: str, full_name: str) -> None:
    """Create the first administrator and print a set-password link (production set-up)."""
    from .auth.models import Role
    from .auth.services import find_user_by_email, invite_user, make_password_token
    from .core.urls import public_url

    if find_user_by_email(email) is not None:
        raise click.ClickException(f"A user with the email {email} already exists.")
    user = invite_user(
        email=email, full_name=full_name, role=Role.ADMIN, organisation_id=None, actor=None
    )
    token = make_password_token(user, current_app.config["SECRET_KEY"])
    db.session.commit()
    link = public_url("auth.set_password", token=token)
    click.echo(f"Administrator created. Set the password here: {link}")


@dp_cli.command("letters")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 5000))
@with_appcontext
def letters_command(batch: int) -> None:
    """Render every letter that has no PDF yet, in batches (each batch commits)."""
    from .core.letters import RenderRun

    run = RenderRun(batch=batch)
    while run.next_batch():
        click.echo(f"Rendered {run.rendered} letters")
    click.echo(f"Done: {run.rendered} letters rendered.")
    if run.failed:
        raise click.ClickException(
            f"{run.failed} letters could not be rendered; the log names each one."
        )


@dp_cli.command("emails")
@with_appcontext
def emails_command() -> None:
    """Email every letter copy that is due (new, or due a retry). Running it twice sends
    nothing twice."""
    from .core.letter_email import email_due_letters

    totals: dict[str, int] = {}
    while outcomes := email_due_letters(200):
        for key, value in outcomes.items():
            totals[key] = totals.get(key, 0) + value
        if set(outcomes) <= {"skipped"}:
            break
    summary = ", ".join(f"{value} {key}" for key, value in sorted(totals.items())) or "nothing due"
    click.echo(f"Letter emails: {summary}.")


@dp_cli.command("scheduler")
@click.option(
    "--standby",
    is_flag=True,
    help="Wait for the running scheduler to stop, then take over (a second scheduler host).",
)
@with_appcontext
def scheduler_command(standby: bool) -> None:
    """Run the scheduled jobs (reminders daily at 6:30, letters rendered and emailed every
    10 minutes) until stopped.
    Run exactly one, in its own process; a second refuses to start, or with --standby waits."""
    from .scheduler import NotStarting, run_scheduler

    try:
        run_scheduler(current_app._get_current_object(), standby=standby)
    except NotStarting as exc:
        raise click.ClickException(f"Not starting: {exc}.") from exc


# Commands that live with their domain, registered here (the CLI knows the domains; no
# domain imports the CLI).
from .api.cli import openapi_command  # noqa: E402
from .client_money.fees import fees_command  # noqa: E402
from .core.daily_jobs import daily_command  # noqa: E402
from .core.storage_cli import storage_cli  # noqa: E402
from .employers.charter_jobs import charter_reminders_command  # noqa: E402
from .employers.handbook_cli import handbook_defaults_command  # noqa: E402
from .employers.jobs import checklist_reminders_command  # noqa: E402
from .imports.jobs import abandoned_imports_command, imports_command  # noqa: E402
from .isf.period_jobs import periods_command  # noqa: E402
from .monitoring.forecast_jobs import forecasts_command  # noqa: E402
from .monitoring.jobs import issue_due_reminders  # noqa: E402

reminders_command = daily_command(
    "reminders",
    issue_due_reminders,
    "reminders",
    "Issue every return reminder that has fallen due. Running it twice changes nothing.",
)
for _command in (
    storage_cli,
    reminders_command,
    charter_reminders_command,
    handbook_defaults_command,
    checklist_reminders_command,
    forecasts_command,
    fees_command,
    periods_command,
    imports_command,
    abandoned_imports_command,
    openapi_command,
):
    dp_cli.add_command(_command)
