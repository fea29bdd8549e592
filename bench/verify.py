"""Benchmark of a full ``quancheng verify`` with reconciliation, on SQLite and PostgreSQL.

    .venv/bin/python bench/verify.py [--cases 10000] [--backends sqlite,postgresql]

Generates the data set of ``bench/compliance.py`` (N cases with parties, records, versions,
signatures, recordings and interruptions) in a fresh database per backend, appends the fact
of every row as the actions write it (``bench.dataset_facts``), signs the checkpoints, then
times the whole verification (``quancheng.ledger.verification.run``: every leaf, tree,
checkpoint, and every row of every declared table against its facts) and, apart, the
reconciliation alone. A mismatch fails the benchmark. Goal: 10 000 cases in under 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for bench.common when run as a script
PG_URL = os.environ.get(
    "QUANCHENG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/quancheng_bench_verify"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.cases)))
        return
    from bench.common import machine_line
    from bench.common import run_worker as run_in_fresh_database

    print(machine_line())
    print(f"Full verify with reconciliation: {args.cases} cases (the compliance data set)")
    print(
        f"{'backend':<12}{'rows':>9}{'facts':>9}{'generate s':>12}{'verify s':>10}"
        f"{'CPU s':>7}{'rows alone s':>14}{'load':>6}"
    )
    for backend in args.backends.split(","):
        r = run_in_fresh_database(
            __file__,
            backend,
            ["--cases", str(args.cases)],
            PG_URL,
            {"QUANCHENG_LEDGER_KEY_PASSPHRASE": "bench"},
        )
        if r is None:
            print(f"{backend:<12}  (not reachable, skipped)")
            continue
        print(
            f"{backend:<12}{r['rows']:>9}{r['facts']:>9}{r['generate_s']:>12.1f}"
            f"{r['verify_s']:>10.2f}{r['cpu_s']:>7.2f}{r['rows_s']:>14.2f}{r['load']:>6.1f}"
        )
    print(
        "verify: wall time of the full verification; CPU: this process's CPU time in it (the\n"
        "database's own work on PostgreSQL is not in it); rows alone: the reconciliation run\n"
        "by itself (facts read again); load: the 1-minute load average when verify ended."
    )
    print("Goal: a full verify of 10 000 cases in under 10 s.")


def run_worker(n_cases: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quancheng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from bench.dataset import generate
    from bench.dataset_facts import record_facts
    from quancheng.ledger import reconcile, reconciling
    from quancheng.ledger.actions import init_key, sign_checkpoints
    from quancheng.ledger.context import Actor
    from quancheng.ledger.verification import run

    started = time.perf_counter()
    generate(n_cases)
    facts = record_facts()
    init_key(Actor.system())
    sign_checkpoints(Actor.system())
    generated = time.perf_counter() - started

    rows = 0
    for table in reconcile.tables():
        rows += table.model()._default_manager.count()

    started, cpu = time.perf_counter(), time.process_time()
    report = run()
    verify_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    load = os.getloadavg()[0]
    if not report.ok:
        raise SystemExit(f"verify found problems: {[p.message for p in report.problems[:5]]}")
    started = time.perf_counter()
    mismatches = reconciling.reconcile()
    rows_s = time.perf_counter() - started
    if mismatches:
        raise SystemExit(f"reconcile found mismatches: {mismatches[:5]}")
    return {
        "rows": rows,
        "facts": facts,
        "generate_s": generated,
        "verify_s": verify_s,
        "cpu_s": cpu_s,
        "rows_s": rows_s,
        "load": load,
    }


if __name__ == "__main__":
    main()
