"""Benchmark of the compliance engine: cases evaluated per second, on SQLite and PostgreSQL.

    .venv/bin/python bench/compliance.py [--cases 10000] [--batch 1000]
        [--backends sqlite,postgresql]

Generates N cases with records, versions, signatures, recordings and interruptions in a fresh
database per backend (bulk inserts: the data set is the input, not what is measured), then
times loading the snapshots from the database and evaluating every case against its pack,
as the case list and the supervision statistics do. Goal: 10 000 cases in under 10 s.
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
    "QUANCHENG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/quancheng_bench"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.cases, args.batch)))
        return
    print(f"Compliance engine: {args.cases} cases, snapshots loaded {args.batch} at a time")
    print(f"{'backend':<12}{'generate s':>12}{'evaluate s':>12}{'cases/s':>10}{'findings':>10}")
    for backend in args.backends.split(","):
        result = run_backend(backend, args.cases, args.batch)
        if result is None:
            print(f"{backend:<12}  (not reachable, skipped)")
            continue
        print(
            f"{backend:<12}{result['generate_s']:>12.1f}{result['evaluate_s']:>12.2f}"
            f"{result['cases_per_s']:>10.0f}{result['findings']:>10}"
        )
    print("Goal: 10 000 cases evaluated in under 10 s.")


def run_backend(backend: str, cases: int, batch: int) -> dict | None:
    from bench.common import run_worker as run_in_fresh_database

    return run_in_fresh_database(
        __file__, backend, ["--cases", str(cases), "--batch", str(batch)], PG_URL, None
    )


def run_worker(n_cases: int, batch: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quancheng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from bench.dataset import generate

    started = time.perf_counter()
    case_ids = generate(n_cases)
    generated = time.perf_counter() - started

    from django.utils import timezone

    from quancheng.casefile.snapshots import load_snapshots
    from quancheng.policies.engine import evaluate
    from quancheng.policies.registry import get_pack
    from quancheng.policies.workdays import default_calendar

    now = timezone.now()
    calendar = default_calendar()
    findings = 0
    started = time.perf_counter()
    for start in range(0, len(case_ids), batch):
        snapshots = load_snapshots(case_ids[start : start + batch])
        for snapshot in snapshots.values():
            findings += len(evaluate(snapshot, get_pack(snapshot.pack_id), now, calendar).findings)
    elapsed = time.perf_counter() - started
    return {
        "generate_s": generated,
        "evaluate_s": elapsed,
        "cases_per_s": len(case_ids) / elapsed,
        "findings": findings,
    }


if __name__ == "__main__":
    main()
