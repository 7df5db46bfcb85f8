"""Browser tests: Debian's Chromium driven by Playwright against a live server on localhost,
with axe-core checking every page visited. Skipped (with the reason) when Chromium is absent,
except in CI, where a missing browser is a failure."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from dp_portal import create_app
from dp_portal.auth.models import Role
from dp_portal.extensions import db

from ..conftest import _TMP, make_config, scratch_database
from ..factories import Factory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    missing = [
        what
        for what, path in (("Chromium", CHROMIUM), ("axe-core", str(AXE)))
        if not os.path.exists(path)
    ]
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if missing:
                reason = f"{' and '.join(missing)} not installed (apt-get install chromium; npm ci)"
                if os.environ.get("CI") == "true":
                    item.add_marker(
                        pytest.mark.xfail(
                            reason=f"CI must run browser tests: {reason}", strict=True, run=False
                        )
                    )
                else:
                    item.add_marker(pytest.mark.skip(reason=reason))


def _payments_world(users, account, also=()) -> None:
    """Rates from April 2025 and an approved 20-hour budget, so runs have something to pay."""
    from datetime import date
    from decimal import Decimal

    from dp_portal.payments import services
    from dp_portal.payments.budgets import LineKind, LineSpec
    from dp_portal.payments.rates import RateKind

    admin = users[Role.ADMIN]
    for kind, value in (
        (RateKind.LIVING_WAGE, "12.60"),
        (RateKind.HOLIDAY, "12.07"),
        (RateKind.PENSION, "3"),
    ):
        services.add_rate_row(kind, date(2025, 4, 1), Decimal(value), "test", actor=admin)
    db.session.flush()
    for paid in (account, *also):
        budget = services.propose_budget(
            paid,
            effective_from=paid.start_date,
            lines=[LineSpec(LineKind.PA_HOURS, "Personal assistant support", hours=Decimal("20"))],
            weekly_contribution=Decimal("0"),
            contribution_basis="net",
            reason="Assessment",
            actor=users[Role.FINANCE_OFFICER],
        )
        services.decide_budget(
            budget, approve=True, note="", actor=users[Role.TEAM_LEADER], ceiling=Decimal("1500")
        )


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_app():
    url, drop = scratch_database("browser")

    class Config(make_config(url, _TMP / "browser-instance")):
        WTF_CSRF_ENABLED = True  # the browser posts real forms with real tokens
        PUBLIC_BASE_URL = "http://127.0.0.1"

    app = create_app(Config)
    with app.app_context():
        upgrade()
        factory = Factory(db.session)
        users = {role: factory.user(role, email=f"{role.value}@browser.example") for role in Role}
        account = factory.account(
            payee_name="A TESTER", sort_code="089999", account_number="66374958"
        )
        other = factory.account()
        factory.access(users[Role.RECIPIENT], account)
        factory.mandate(other, users[Role.BROKERAGE_STAFF].organisation)
        factory.user(Role.FINANCE_OFFICER, email="finance_officer2@browser.example")
        factory.user(Role.FINANCE_OFFICER, email="finance_officer3@browser.example")
        moving = factory.account(
            payee_name="M MOVER", sort_code="309634", account_number="12345678"
        )
        _payments_world(users, account, also=[moving])
        db.session.commit()
        app.config["TEST_WORLD"] = {
            "account_id": account.id,
            "other_id": other.id,
            "account_ref": account.reference,
            "other_ref": other.reference,
            "moving_id": moving.id,
            "moving_ref": moving.reference,
        }
    with LiveServer(app) as server:
        app.config["LIVE_URL"] = server.url
        yield app
    with app.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_app):
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    context = browser.new_context(base_url=live_app.config["LIVE_URL"], bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def check_accessibility(page) -> None:
    """Run axe-core on the page as it stands; fail on any WCAG 2.2 AA violation."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [
        f"{v['impact']}: {v['id']} - {v['help']} "
        f"({len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]
    assert not problems, f"axe-core found problems on {page.url}:\n" + "\n".join(problems)


def sign_in(page, role: Role, email: str | None = None) -> None:
    from ..factories import PASSWORD

    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email or f"{role.value}@browser.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Home, or for provider staff the provider's own home it sends them to.
    page.wait_for_url(re.compile(r"/(provider)?$"))


def nav(page, name: str):
    """A link in the service navigation (pages may link to the same place in their content).
    When the menu shows groups, the item's group is opened first and its link on that page is
    the one returned."""
    from dp_portal.templating import NAVIGATION

    menu = page.get_by_role("navigation", name="Main menu")
    direct = menu.get_by_role("link", name=name, exact=True)
    if direct.count():
        return direct
    group = next(group for group, label, _ in NAVIGATION if label == name)
    menu.get_by_role("link", name=group.value, exact=True).click()
    return page.get_by_role("main").get_by_role("link", name=name, exact=True)
