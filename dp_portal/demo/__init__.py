"""A realistic, deterministic demo council, fast enough for 100,000 accounts: `flask dp demo`,
`make run` and the benchmarks build it.

One builder per domain: people and accounts (people.py), rates and budgets (budgets.py),
returns history (returns.py) and users (users.py); batch.py writes the rows in chunks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from ..core import audit
from ..core.types import utcnow
from .batch import Batch, fix_sequences
from .budgets import Approvers, demo_rates, draw_budget
from .isf_demo import isf_demo
from .people import draw_account, organisations
from .returns import demo_returns
from .third_party_orgs import organisations_demo
from .users import (
    DEMO_PASSWORD,
    OFFICER,
    PROPOSER,
    TEAM_LEADER,
    add_access,
    add_users,
    database_has_users,
    demo_logins,
    user_id,
)

__all__ = ["DEMO_PASSWORD", "build_demo", "database_has_users", "demo_logins", "demo_returns"]


def build_demo(n_accounts: int, seed: int, progress: Callable[[int], None] = lambda n: None):
    """Add a demo council to the current transaction (the caller commits)."""
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not security
    today = date.today()  # noqa: DTZ011 - demo dates only need to be near today
    now = utcnow()
    org_ids = organisations()
    new_users = not database_has_users()
    if new_users:
        add_users(org_ids["brokerage"], org_ids["provider"])
    approvers = Approvers(user_id(PROPOSER), user_id(TEAM_LEADER), user_id(OFFICER))
    book = demo_rates(org_ids["provider"], approvers.officer)

    batch = Batch()
    first_account = last_account = None
    for _ in range(n_accounts):
        account = draw_account(rng, batch, org_ids, seed, today, now)
        draw_budget(rng, batch, account, org_ids["provider"], book, approvers, now)
        first_account, last_account = first_account or account.id, account.id
        if batch.full:
            progress(batch.flush())
    progress(batch.flush())
    fix_sequences()

    if new_users and first_account is not None:
        add_access(first_account, last_account)
    if new_users:
        organisations_demo(org_ids, today)
        isf_demo(org_ids, today)
    audit.record(
        None,
        "demo.loaded",
        object_type="demo",
        summary=f"Demo data: {n_accounts} accounts, seed {seed}",
        after={"accounts": n_accounts, "seed": seed},
    )
