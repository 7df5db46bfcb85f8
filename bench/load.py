"""How many people the portal serves: 50 users at once on a 100,000-account council, under
gunicorn with production settings, driven by locust, beside two baselines from the same run.

The council (bench/load_council.py) is built once into a PostgreSQL template database and
copied before each phase, so every phase starts from the same state:
1. in-process baseline: the same users making the same requests, one at a time, through the
   Flask test client with no server (bench/load_inprocess.py): what the pages cost;
2. served, paced: the users at once, each waiting THINK seconds between requests as a quick
   person would, for MINUTES: throughput, p50/p95/p99 per page and errors;
3. served, flat out: the same users with no think time for CAPACITY minutes: the most the
   server serves of this mix, compared with what the in-process baseline serves of the same
   mix (the server and concurrency should cost less than 20%); then the hello-world page on
   the same server under the same users: what the server itself costs.
With 50 users always waiting for an answer, each answer waits for the 49 others (Little's
law: time = users / throughput), so latency is measured paced and throughput flat out.

Usage: python bench/load.py [--users 50] [--minutes 10] [--think 2,8] [--capacity 2]
       [--hello 1] [--baseline 2] [--workers 3] [--threads 4] [--accounts 100000] [--rebuild]
BENCH_DATABASE_URL=postgresql://.../dp_load (default on this machine's bench server); the
council is kept in <that database>_base and rebuilt only with --rebuild (or if it is missing).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench import load_council as council
from bench import load_inprocess, load_report
from bench.load_report import Phase
from bench.load_server import ROOT, DatabaseCpu, Gunicorn, production_environment
from bench.load_users import cast

DEFAULT_URL = "postgresql://postgres@127.0.0.1:55432/dp_load"
APPROVE = "POST /payment-runs/<id>/approve"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10.0, help="the paced run")
    parser.add_argument("--think", default="2,8", help="seconds between a user's requests")
    parser.add_argument("--capacity", type=float, default=2.0, help="minutes flat out")
    parser.add_argument("--hello", type=float, default=1.0, help="minutes of hello-world")
    parser.add_argument("--baseline", type=float, default=2.0, help="minutes in process")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the council again")
    parser.add_argument(
        "--profile", action="store_true", help="only the in-process baseline and its profile"
    )
    return parser.parse_args()


def _council(url: str, args) -> tuple[str, dict]:
    base = url.rsplit("/", 1)[1] + "_base"
    path = council.plan_path(base)
    if args.rebuild or not path.exists() or not council.database_exists(url, base):
        print(f"building the council ({args.accounts:,} accounts) into {base} ...", flush=True)
        council.build(url, base, args.accounts)
    plan = json.loads(path.read_text())
    print(f"council: {plan['accounts']:,} accounts in {base} (built in {plan['built_seconds']} s)")
    return base, plan


def _in_process(url: str, base: str, plan: dict, args, folder: Path):
    """(its figures, CPU seconds of this process and PostgreSQL, where the time went)."""
    from bench.load_api import detect
    from bench.load_profile import Meter
    from dp_portal.extensions import db

    name = url.rsplit("/", 1)[1]
    run_url = council.copy_database(url, base, name)
    env = production_environment(run_url, folder / "instance")
    app = _production_app(env)
    plan["api"] = detect(app.test_client(), plan)
    users = cast(plan, args.users)
    cpu = DatabaseCpu(run_url)
    meter = Meter(lambda: list(cpu.seen))
    with app.app_context():
        meter.attach(app, db.engine)
    with psycopg.connect(run_url, autocommit=True) as conn:

        def reset(request_name: str) -> None:
            if request_name == APPROVE:
                council.reset_approvals(conn, plan["run_id"])

        # As each of gunicorn's workers does (deploy/gunicorn.conf.py): the app's long-lived
        # objects are frozen, so the cycle collector does not walk them on every page.
        gc.freeze()
        started = time.process_time()
        samples = load_inprocess.run(app, users, args.baseline * 60, reset, meter)
        seconds = {"app": time.process_time() - started, "postgres": cpu.stop()}
    _dispose(app)
    return load_report.from_samples(samples), seconds, meter


def _production_app(env: dict[str, str]):
    """The portal with the settings gunicorn gets (the config classes read the environment
    when first imported, which was before these were made)."""
    from dp_portal import create_app
    from dp_portal.config import SAMPLE_SETTINGS, ProductionConfig, database_url

    settings = {name: env[name] for name in SAMPLE_SETTINGS}
    settings |= {
        "SECRET_KEY": env["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": database_url(env["DATABASE_URL"]),
        "INSTANCE_DIR": Path(env["DP_INSTANCE_DIR"]),
        "EVIDENCE_DIR": Path(env["DP_INSTANCE_DIR"]) / "evidence",
        "MAIL_OUTBOX_DIR": Path(env["DP_INSTANCE_DIR"]) / "outbox",
        "MAIL_SERVER": env["MAIL_SERVER"],
        "MAIL_PORT": int(env["MAIL_PORT"]),
        "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"],
        "TRUSTED_PROXY_COUNT": int(env["TRUSTED_PROXY_COUNT"]),
    }
    settings |= {name: value for name, value in env.items() if name.startswith("RATELIMIT_API")}
    return create_app(type("LoadConfig", (ProductionConfig,), settings))


def _dispose(app) -> None:
    from dp_portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _locust(server: Gunicorn, plan_file: Path, args, think: str, minutes: float, mode: str,
            prefix: Path) -> tuple[Phase, float]:  # fmt: skip
    """One locust run against the server; (its figures, locust's CPU seconds)."""
    env = os.environ | {
        "LOAD_PLAN": str(plan_file),
        "LOAD_USERS": str(args.users),
        "LOAD_THINK": think,
        "LOAD_MODE": mode,
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load_locust.py"),
        "--headless", "--users", str(args.users), "--spawn-rate", str(max(1, args.users // 5)),
        "--run-time", f"{round(minutes * 60)}s", "--host", server.url, "--csv", str(prefix),
        "--only-summary", "--reset-stats", "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(f"{prefix}.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return load_report.from_locust(prefix), usage.ru_utime + usage.ru_stime


def _served(url: str, base: str, plan: dict, args, folder: Path, phases: list[tuple]) -> dict:
    """Each of `phases` (label, think, minutes, mode) against gunicorn; a fresh copy of the
    council and a fresh server for each group of phases that share a database."""
    name = url.rsplit("/", 1)[1]
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan))
    results = {}
    for group in phases:
        run_url = council.copy_database(url, base, name)
        env = production_environment(run_url, folder / "instance")
        server = Gunicorn(env, args.workers, args.threads, folder / f"gunicorn_{group[0][0]}.log")
        try:
            cpu = DatabaseCpu(run_url, lambda conn: council.reset_approvals(conn, plan["run_id"]))
            for label, think, minutes, mode in group:
                before = (server.cpu_seconds(), cpu.seconds())
                phase, locust_cpu = _locust(
                    server, plan_file, args, think, minutes, mode, folder / label
                )
                results[label] = (
                    phase,
                    {
                        "gunicorn": server.cpu_seconds() - before[0],
                        "postgres": cpu.seconds() - before[1],
                        "locust": locust_cpu,
                    },
                )
            cpu.stop()
        finally:
            server.stop()
    return results


def _print(baseline: Phase, base_cpu: dict, results: dict, args, folder: Path) -> None:
    paced, flat, hello = (results[label][0] for label in ("paced", "flat", "hello"))
    matched = load_report.mix_matched_rate(flat, baseline)
    print(f"\nin process: {baseline.requests:,} requests in {args.baseline:g} min, "
          f"{baseline.per_second:.1f} req/s, {baseline.failures} errors; "
          f"CPU s: app {base_cpu['app']:.0f}, PostgreSQL {base_cpu['postgres']:.0f}")  # fmt: skip
    for label, (phase, cpu) in results.items():
        print(
            f"served, {label}: {phase.requests:,} requests, {phase.per_second:.1f} req/s, "
            f"{phase.failures} errors; CPU s: gunicorn {cpu['gunicorn']:.0f}, "
            f"PostgreSQL {cpu['postgres']:.0f}, locust {cpu['locust']:.0f}"
        )
    print(f"hello-world on the same server, {args.users} users, no think time: "
          f"{hello.per_second:.0f} req/s, p50 {hello.pages['GET /_hello'].p50:.0f} ms, "
          f"p95 {hello.pages['GET /_hello'].p95:.0f} ms")  # fmt: skip
    for error in (paced.errors + flat.errors + baseline.errors)[:10]:
        print("error:", error)
    print()
    print("\n".join(load_report.table(paced, baseline, flat)))
    print()
    print("\n".join(load_report.page_lines(paced, baseline)))
    print(
        load_report.result_line(
            "load_throughput",
            f"{flat.per_second:.1f} req/s",
            f"{matched:.1f} req/s",
            flat.per_second / matched if matched else 0.0,
        )
    )
    print("\n".join(load_report.verdicts(paced, flat.per_second, matched)))
    print(f"(files: {folder})")


def _profile(baseline: Phase, meter) -> None:
    print(f"\nin process: {baseline.per_second:.1f} req/s; where the time goes (mean per request):")
    print("\n".join(meter.table()))
    for error in baseline.errors[:10]:
        print("error:", error)


def main() -> None:
    logging.disable(logging.WARNING)
    args = _arguments()
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    folder = Path(tempfile.mkdtemp(prefix="dp_load_"))
    with open("/proc/loadavg") as f:
        print(f"load average at the start: {f.read().split()[0]}")
    base, plan = _council(url, args)
    print(
        f"{args.users} users; think {args.think} s; gunicorn {args.workers} workers x "
        f"{args.threads} threads; paced {args.minutes:g} min, flat out {args.capacity:g} min, "
        f"hello {args.hello:g} min, in process {args.baseline:g} min",
        flush=True,
    )
    baseline, base_cpu, meter = _in_process(url, base, plan, args, folder)
    if not plan["api"]:
        print("API reads skipped: /api/v1 not on this build")
    print(f"in-process baseline done: {baseline.requests:,} requests", flush=True)
    if args.profile:
        _profile(baseline, meter)
        return
    phases = [
        [("paced", args.think, args.minutes, "mix")],
        [("flat", "0,0", args.capacity, "mix"), ("hello", "0,0", args.hello, "hello")],
    ]
    results = _served(url, base, plan, args, folder, phases)
    _print(baseline, base_cpu, results, args, folder)
    _profile(baseline, meter)
    with open("/proc/loadavg") as f:
        print(f"load average at the end: {f.read().split()[0]}")


if __name__ == "__main__":
    main()
