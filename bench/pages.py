"""Page rendering speed through the WSGI stack, in process, beside a hello-world Flask page.

Usage: python bench/pages.py [requests]   (default 300 per page)
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import select

from bench._common import Timer, fresh_app, result_line
from dp_portal.accounts.models import Account
from dp_portal.auth.models import Role, User
from dp_portal.demo import build_demo
from dp_portal.extensions import db


def rate(client, path: str, n: int) -> float:
    client.get(path)  # warm up
    with Timer() as t:
        for _ in range(n):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
    return n / t.seconds


def main(n: int) -> None:
    logging.disable(logging.WARNING)
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    baseline = rate(hello.test_client(), "/", n)

    app = fresh_app("pages")
    with app.app_context():
        build_demo(10_000, seed=1)
        db.session.commit()
        officer = (
            db.session.execute(select(User).where(User.role == Role.FINANCE_OFFICER))
            .scalars()
            .first()
        )
        account_id = db.session.execute(select(Account.id).limit(1)).scalar()
        officer_id = officer.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = officer_id
        session["_fresh"] = True

    results = {"sign-in form (signed out)": rate(app.test_client(), "/sign-in", n)}
    pages = {
        "account list (10,000 accounts, page 1)": "/accounts",
        "account search": "/accounts?q=macleod",
        "account detail": f"/accounts/{account_id}",
        "new person form": "/people/new",
    }
    print(f"hello-world Flask page: {baseline:,.0f} requests/s")
    print(f"sign-in form (signed out): {results['sign-in form (signed out)']:,.0f} requests/s")
    for label, path in pages.items():
        results[label] = rate(client, path, n)
        print(f"{label}: {results[label]:,.0f} requests/s ({1000 / results[label]:.1f} ms each)")
    detail = results["account detail"]
    print(
        result_line(
            "pages",
            f"account detail {detail:,.0f} req/s",
            f"{baseline:,.0f} req/s",
            baseline / detail,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
