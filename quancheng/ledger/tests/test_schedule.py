"""Checkpoints at an interval: the rounds, the hook after each, no double work when two
signers meet, and the real ``quancheng checkpoint --every`` loop in a subprocess."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from quancheng.agencies.actions import create_agency
from quancheng.agencies.management.commands.serve import scheduler_off_reason
from quancheng.ledger import actions
from quancheng.ledger.actions import append_fact, current_key
from quancheng.ledger.checkpoints import schedule
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Checkpoint, CheckpointTimestamp
from quancheng.ledger.tests.conftest import PASSPHRASE
from tests.servers import SERVE, running, server_env
from tests.tsa import DOWN_TSA_URL

A = "quancheng.local/agency/agency-a"


@pytest.fixture
def keyed(world, key_file):
    call_command("keys", "init", stdout=io.StringIO())


def add_fact(agency, n: int = 1) -> None:
    with transaction.atomic():
        append_fact(Actor.system(), "thing.made", ("thing", n), {"n": n}, agency)


def test_a_round_signs_what_grew_and_calls_after_round(keyed, world, monkeypatch):
    calls: list[list[Checkpoint]] = []
    monkeypatch.setattr(schedule, "after_round", lambda cps, failed: calls.append(list(cps)))
    first = schedule.run_round(print)
    assert first.error == "" and first.signed and first.stamped == 0
    assert calls == [first.signed]
    again = schedule.run_round(print)
    assert again.signed == [] and calls[-1] == []
    assert "no log grew; next round in 60 s." in schedule.describe(again, 60)
    size = Checkpoint.objects.filter(log__origin=A).get().size
    add_fact(world.a)
    third = schedule.run_round(print)
    assert [(c.log.origin, c.size) for c in third.signed] == [(A, size + 1)]
    assert calls[-1] == third.signed
    assert "1 checkpoint signed, 0 timestamped" in schedule.describe(third, 60)


def test_a_failing_hook_or_tsa_does_not_lose_the_round(keyed, world, monkeypatch, tsa):
    monkeypatch.setenv("QUANCHENG_TSA_URL", tsa.url)
    tsa.mode = "error"

    def broken(checkpoints, failed):
        raise RuntimeError("witness unreachable")

    monkeypatch.setattr(schedule, "after_round", broken)
    lines: list[str] = []
    result = schedule.run_round(lines.append)
    assert result.signed and result.stamped == 0
    assert all("signed without a timestamp" in line for line in lines) and lines
    assert result.error == "after the round: witness unreachable"
    assert "round failed: after the round: witness unreachable" in schedule.describe(result, 1)
    tsa.mode = "ok"
    add_fact(world.a)
    assert schedule.run_round(lines.append).stamped == 1
    assert CheckpointTimestamp.objects.count() == 1


def test_a_round_without_the_key_is_reported_not_raised(world, key_file):
    result = schedule.run_round(print)
    assert result.signed == [] and "quancheng keys init" in result.error


def test_a_checkpoint_stored_meanwhile_makes_the_prepared_one_redundant(keyed, world):
    add_fact(world.a)
    prepared = actions._prepare_checkpoints({None: current_key()}, None, force=False)
    # another signer (a second scheduler) stores its checkpoints first
    other = actions.sign_checkpoints(Actor.system())
    assert {c.log.origin for c in other} == {p[0].origin for p in prepared}
    assert actions._write_checkpoints(prepared, {}, force=False) == []
    sizes = list(Checkpoint.objects.values_list("log__origin", "size"))
    assert len(sizes) == len(set(sizes))


def test_a_round_that_requires_timestamps_writes_nothing_when_the_tsa_fails(
    keyed, world, monkeypatch
):
    monkeypatch.setenv("QUANCHENG_TSA_URL", DOWN_TSA_URL)
    result = schedule.run_round(print, origins=[A], require_timestamp=True)
    assert result.signed == [] and "did not give a timestamp" in result.error
    assert not Checkpoint.objects.exists()
    monkeypatch.delenv("QUANCHENG_TSA_URL")
    assert [c.log.origin for c in schedule.run_round(print, origins=[A]).signed] == [A]


def test_every_needs_an_interval_and_the_key(world, key_file, settings):
    settings.QUANCHENG_CHECKPOINT_INTERVAL = 0
    with pytest.raises(CommandError, match="above 0 seconds"):
        call_command("checkpoint", "--every")
    with pytest.raises(CommandError, match="above 0 seconds"):
        call_command("checkpoint", "--every", "-5")
    with pytest.raises(CommandError, match="--force cannot be used with --every"):
        call_command("checkpoint", "--every", "5", "--force")
    with pytest.raises(CommandError, match="quancheng keys init"):
        call_command("checkpoint", "--every", "5")


# --- the loop in a real subprocess -----------------------------------------------------------


def quancheng(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "quancheng.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A data directory with a migrated SQLite database and a ledger key."""
    data = tmp_path_factory.mktemp("scheduled")
    env = server_env(data, QUANCHENG_LEDGER_KEY_PASSPHRASE=PASSPHRASE, QUANCHENG_LANGUAGE="en")
    env.pop("QUANCHENG_TSA_URL", None)
    quancheng(env, "migrate", "--verbosity", "0")
    quancheng(env, "keys", "init")
    return data, env


def checkpoints(data: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(data / "quancheng.sqlite3") as db:
        return db.execute(
            "SELECT l.origin, c.size FROM ledger_checkpoint c JOIN ledger_log l"
            " ON l.id = c.log_id ORDER BY c.id"
        ).fetchall()


def wait_for(predicate, what: str, seconds: float = 90):  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


def test_the_loop_signs_when_facts_are_added_and_stops_on_sigterm(site):
    data, env = site
    assert (data / "quancheng.sqlite3").exists()
    before = checkpoints(data)
    err = data / "every.err"
    with err.open("w") as stderr:
        loop = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "quancheng.cli", "checkpoint", "--every", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:

        def rounds() -> list[str]:
            return [line for line in err.read_text().splitlines() if " checkpoints: " in line]

        # the first round signs the system log (keys init), the next ones find nothing new
        wait_for(lambda: len(rounds()) >= 3, "three rounds")
        lines = rounds()
        assert "1 checkpoint signed, 0 timestamped; next round in 1 s." in lines[0]
        assert all("no log grew; next round in 1 s." in line for line in lines[1:3])
        assert checkpoints(data) == [*before, ("quancheng.local/system", 1)]
        # a fact from elsewhere (another process): the next round signs it
        count = len(lines)
        quancheng(env, "user", "add", "auditor", "--name", "审计", "--roles", "", "--superuser")
        # (rounds go on while the command starts: wait for the one that saw the new fact)
        wait_for(
            lambda: any("1 checkpoint signed" in line for line in rounds()[count:]),
            "a round that signs the new fact",
        )
        assert checkpoints(data)[-1] == ("quancheng.local/system", 2)
        assert len(checkpoints(data)) == len(before) + 2
        loop.send_signal(signal.SIGTERM)
        out, _ = loop.communicate(timeout=15)
    finally:
        if loop.poll() is None:
            loop.kill()
    assert loop.returncode == 0
    assert err.read_text().splitlines()[0] == "Signing checkpoints every 1 s."
    assert err.read_text().splitlines()[-1] == "Checkpoint scheduler stopped."
    assert out.splitlines()[0].startswith("quancheng.local/system 1 ")
    assert out.splitlines()[1].startswith("quancheng.local/system 2 ")


def test_the_loop_stops_on_sigint_while_sleeping(site):
    _data, env = site
    loop = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "quancheng.cli", "checkpoint", "--every", "3600"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert loop.stderr.readline().startswith("Signing checkpoints every 3600 s.")
        assert "next round in 3600 s." in loop.stderr.readline()
        os.kill(loop.pid, signal.SIGINT)
        assert loop.wait(timeout=15) == 0
        assert loop.stderr.read().strip() == "Checkpoint scheduler stopped."
    finally:
        if loop.poll() is None:
            loop.kill()


# --- two schedulers at once (PostgreSQL: row and advisory locks between connections) ----------

postgres_only = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="locks between concurrent connections need PostgreSQL (DATABASE_URL)",
    ),
]


@pytest.fixture
def pg_keyed(transactional_db, key_file):
    call_command("keys", "init", stdout=io.StringIO())
    system = Actor.system()
    agency = create_agency(system, code="pa", name="甲", level="agency", pack_id="anhui")
    add_fact(agency)
    return agency


@pytest.mark.parametrize("_", [pytest.param(None, marks=postgres_only)])
def test_two_signers_at_once_store_one_checkpoint_per_size(pg_keyed, monkeypatch, _):
    both_prepared = threading.Barrier(2, timeout=30)
    write = actions._write_checkpoints

    def write_together(prepared, stamps, force):
        both_prepared.wait()  # both have signed the same sizes; now both write at once
        return write(prepared, stamps, force)

    monkeypatch.setattr(actions, "_write_checkpoints", write_together)
    results: list[list[Checkpoint]] = []
    errors: list[BaseException] = []

    def signer() -> None:
        try:
            results.append(actions.sign_checkpoints(Actor.system()))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=signer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 2]  # the system log and agency pa
    sizes = list(Checkpoint.objects.values_list("log__origin", "size"))
    assert len(sizes) == 2 == len(set(sizes))


@pytest.mark.parametrize("_", [pytest.param(None, marks=postgres_only)])
def test_a_round_is_skipped_while_another_scheduler_holds_the_round_lock(pg_keyed, _):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [schedule.ROUND_LOCK])
            assert cursor.fetchone()[0] is True
        skipped = schedule.run_round(print)
        assert skipped.skipped and skipped.signed == [] and not Checkpoint.objects.exists()
        assert "another scheduler is signing; round skipped" in schedule.describe(skipped, 9)
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [schedule.ROUND_LOCK])
    finally:
        other.close()
    assert len(schedule.run_round(print).signed) == 2


# --- quancheng serve starts the scheduler beside gunicorn, or says why not -------------------


def child_commands(pid: int) -> list[str]:
    """The command lines of the process's children (Linux /proc)."""
    commands = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            raw = Path(f"/proc/{child}/cmdline").read_bytes()
            commands.append(raw.replace(b"\0", b" ").decode().strip())
    return commands


@pytest.mark.parametrize(
    ("extra", "argv", "message"),
    [
        (
            {},
            [],
            "Checkpoint scheduler: a checkpoint of every log that grew, every 3600 s.",
        ),
        (
            {"QUANCHENG_LEDGER_KEY_PASSPHRASE": ""},
            [],
            "Checkpoint scheduler not started: QUANCHENG_LEDGER_KEY_PASSPHRASE is not set.",
        ),
    ],
)
def test_serve_starts_the_scheduler_only_when_it_can(site, extra, argv, message):
    data, env = site
    env = {**env, "QUANCHENG_CHECKPOINT_INTERVAL": "3600", **extra}
    log = data / f"serve-{len(argv)}-{len(extra)}.log"
    command = [*SERVE, "--no-worker", *argv]
    with running(command, env, log, "/accounts/login/") as (_base, server):
        started = [c for c in child_commands(server.pid) if "checkpoint --every" in c]
        assert message in log.read_text()
        if message.startswith("Checkpoint scheduler:"):
            assert len(started) == 1 and started[0].endswith("checkpoint --every 3600")
        else:
            assert started == []


def test_the_other_reasons_serve_gives_for_no_scheduler(db, key_file, english):
    assert scheduler_off_reason(True, 3600) == (
        "--no-scheduler (run “quancheng checkpoint --every” yourself)."
    )
    assert scheduler_off_reason(False, 0) == "QUANCHENG_CHECKPOINT_INTERVAL is 0."
    assert scheduler_off_reason(False, 3600) == (
        f"there is no ledger key file at {key_file} (run “quancheng keys init”)."
    )
    call_command("keys", "init", stdout=io.StringIO())
    assert scheduler_off_reason(False, 3600) == ""
