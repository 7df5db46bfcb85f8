"""Screenshots of each role's home page, made from the demo council (`flask dp demo`, as
`make run` loads it) in headless Chromium at 1280 px, for docs/screenshots/.

Usage: python tools/home_screenshots.py [folder]   (default docs/screenshots; needs Debian's
chromium and Playwright, as the browser tests do)
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from bench._common import fresh_app  # noqa: E402
from dp_portal.demo import DEMO_PASSWORD, demo_logins  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# One login per home page (demo/users.py), and the file each is saved as.
HOMES = {
    "Finance officer": "home-finance-officer.png",
    "Team leader": "home-team-leader.png",
    "Administrator": "home-administrator.png",
    "Supported person or representative": "home-person.png",
    "Brokerage or money management staff": "home-organisation-staff.png",
}


def demo_app():
    app = fresh_app("screenshots")
    result = app.test_cli_runner().invoke(args=["dp", "demo", "--accounts", "200", "--seed", "1"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return app


def main(folder: Path) -> None:
    app = demo_app()
    logins = dict(reversed(demo_logins()))  # the first login of each role
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for role, name in HOMES.items():
                context = browser.new_context(
                    base_url=base, viewport={"width": 1280, "height": 900}
                )
                page = context.new_page()
                page.goto("/sign-in")
                page.get_by_label("Email address").fill(logins[role])
                page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/")
                page.screenshot(path=str(folder / name), full_page=True)
                print(f"{role}: {folder / name}")
                context.close()
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
