"""Benchmark of the ledger: appends per second, full verification, inclusion proofs.

    .venv/bin/python bench/ledger.py [-n 1000000] [--batch 1000] [--backends sqlite,postgresql]

Appends N facts into one agency's log, ``--batch`` facts per transaction, in a fresh database
per backend: the first half through ``append_fact`` (the path every action takes, a fact at
a time), the second through ``append_facts`` (bulk work such as imports); signs a checkpoint (which
builds the cached tree nodes); runs the full ``verify`` (every leaf re-hashed from its row,
every root and signature checked); then times inclusion proofs at size N for random leaves,
and their verification. Goals: ≥ 5 000 appends/s, verify of 1 000 000 facts < 30 s,
inclusion proof < 2 ms at 1 000 000 leaves, proof verification < 0.1 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for bench.common when run as a script
PG_URL = os.environ.get(
    "QUANCHENG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/quancheng_bench_ledger"
)
PROOFS = 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--facts", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.facts, args.batch)))
        return
    from bench.common import machine_line

    print(machine_line())
    print(f"Ledger: {args.facts} facts in one log, {args.batch} appends per transaction")
    header = (
        f"{'backend':<12}{'append_fact/s':>14}{'append_facts/s':>15}{'checkpoint s':>13}"
        f"{'verify s':>10}"
        f"{'proof ms':>10}{'consist. ms':>13}{'check µs':>10}"
    )
    print(header)
    for backend in args.backends.split(","):
        r = run_backend(backend, args.facts, args.batch)
        if r is None:
            print(f"{backend:<12}  (not reachable, skipped)")
            continue
        print(
            f"{backend:<12}{r['append_fact_per_s']:>14.0f}{r['append_facts_per_s']:>15.0f}"
            f"{r['checkpoint_s']:>13.1f}{r['verify_s']:>10.1f}{r['proof_ms']:>10.2f}{r['consistency_ms']:>13.2f}"
            f"{r['verify_proof_us']:>10.1f}"
        )
    print(
        "proof, consist.: median time to build an inclusion / consistency proof at size N "
        "from the database;\ncheck: median time to verify an inclusion proof."
    )
    print(
        "Goals: ≥ 5 000 appends/s batched; verify of 1 000 000 facts < 30 s; "
        "proof < 2 ms at 1 000 000; check < 100 µs."
    )


def run_backend(backend: str, facts: int, batch: int) -> dict | None:
    from bench.common import run_worker as run_in_fresh_database

    return run_in_fresh_database(
        __file__,
        backend,
        ["-n", str(facts), "--batch", str(batch)],
        PG_URL,
        {"QUANCHENG_LEDGER_KEY_PASSPHRASE": "bench"},
    )


def _payload(i: int) -> dict:
    """About what ``record.added`` writes."""
    return {
        "case": i // 10,
        "kind": "inquiry_record",
        "stage": "investigation",
        "version": {
            "number": 1,
            "fields": {"place": "合肥市蜀山区长江西路", "notes": f"现场检查记录 {i}"},
            "occurred_at": "2026-03-02T09:00:00+08:00",
            "document": None,
        },
    }


def run_worker(facts: int, batch: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quancheng.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0, interactive=False)

    from quancheng.agencies.actions import create_agency
    from quancheng.ledger.actions import append_fact, append_facts, init_key, sign_checkpoints
    from quancheng.ledger.context import Actor
    from quancheng.ledger.log import merkle
    from quancheng.ledger.log.tree import LogTree
    from quancheng.ledger.models import Log
    from quancheng.ledger.verification.verify import verify_ledger

    actor = Actor.system()
    agency = create_agency(actor, code="bench", name="基准局", level="agency", pack_id="anhui")
    init_key(actor)
    web = Actor(None, "web", "10.1.2.3")

    half = facts // 2
    started = time.perf_counter()
    for first in range(0, half, batch):
        with transaction.atomic():
            for i in range(first, min(first + batch, half)):
                append_fact(web, "record.added", ("record", i // 3), _payload(i), agency)
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    for first in range(half, facts, batch):
        items = [
            ("record.added", ("record", i // 3), _payload(i))
            for i in range(first, min(first + batch, facts))
        ]
        with transaction.atomic():
            append_facts(web, items, agency)
    in_bulk = time.perf_counter() - started

    started = time.perf_counter()
    sign_checkpoints(actor)
    checkpoint_s = time.perf_counter() - started

    started = time.perf_counter()
    report = verify_ledger()
    verify_s = time.perf_counter() - started
    if report.problems:
        raise SystemExit(f"verify found problems: {report.problems[:3]}")

    log = Log.objects.get(agency=agency)
    tree = LogTree(log)
    size = tree.size()
    root = tree.root(size)
    rng = random.Random(42)
    seqs = [rng.randrange(size) for _ in range(PROOFS)]
    proof_times, proofs = [], []
    for seq in seqs:
        t0 = time.perf_counter()
        proofs.append(tree.inclusion_proof(seq, size))
        proof_times.append(time.perf_counter() - t0)
    leaves = {seq: tree.leaves(seq, seq + 1)[0] for seq in seqs}
    check_times = []
    for seq, proof in zip(seqs, proofs, strict=True):
        t0 = time.perf_counter()
        ok = merkle.verify_inclusion(seq, size, leaves[seq], proof, root)
        check_times.append(time.perf_counter() - t0)
        if not ok:
            raise SystemExit(f"inclusion proof of {seq} does not verify")
    consistency_times = []
    for _ in range(100):
        old = rng.randrange(1, size + 1)
        t0 = time.perf_counter()
        tree.consistency_proof(old, size)
        consistency_times.append(time.perf_counter() - t0)
    return {
        "append_fact_per_s": half / one_by_one,
        "append_facts_per_s": (facts - half) / in_bulk,
        "checkpoint_s": checkpoint_s,
        "verify_s": verify_s,
        "proof_ms": statistics.median(proof_times) * 1000,
        "consistency_ms": statistics.median(consistency_times) * 1000,
        "verify_proof_us": statistics.median(check_times) * 1e6,
    }


if __name__ == "__main__":
    main()
