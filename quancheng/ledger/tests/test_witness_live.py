"""Two installations: a supervising one runs ``quancheng serve`` as a witness over its own
SQLite database and data directory; this test process is the installation whose logs it
witnesses, submitting over HTTP as ``quancheng checkpoint`` does."""

from __future__ import annotations

import io
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from conftest import tamper
from quancheng.ledger.actions import append_fact, sign_checkpoints
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Checkpoint, Cosignature, Log, SigningKey
from quancheng.ledger.tests.conftest import PASSPHRASE
from quancheng.ledger.witnesses import witnessing
from tests.servers import SERVE, running, server_env

A = "quancheng.local/agency/agency-a"
W = "supervisor.example/witness"


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "quancheng.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def checkpoint(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("checkpoint", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def grow(world, n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            append_fact(Actor.system(), "test.event", ("thing", i % 3), {"i": i}, world.a)


@pytest.fixture
def supervisor(tmp_path, world, key_file):
    """The witness installation, serving, with agency A's log of this one to witness."""
    call_command("keys", "init", stdout=io.StringIO())
    data = tmp_path / "supervisor"
    data.mkdir()
    env = server_env(
        data,
        QUANCHENG_LEDGER_ORIGIN="supervisor.example",
        QUANCHENG_LANGUAGE="en",
        QUANCHENG_LEDGER_KEY_PASSPHRASE=PASSPHRASE,
    )
    cli(env, "migrate", "--verbosity", "0")
    vkey = cli(env, "witness", "init").split("Verifier key: ")[1].strip()
    cli(env, "witness", "add-log", A, SigningKey.objects.get().verifier_key)
    with running(SERVE, env, data / "server.log", "/accounts/login/") as (base, _server):
        call_command("witnesses", "add", W, f"{base}/api/v1/witness", vkey, stdout=io.StringIO())
        yield base, env


def test_another_installation_cosigns_resyncs_and_refuses_a_fork(supervisor, world):
    """One server for the three parts (starting one costs more than the rest)."""
    base, env = supervisor
    grow(world, 5)
    out, err = checkpoint()
    assert f"{A} 11 cosigned by {W}" in out
    # the system log is not witnessed there: 404, reported, the checkpoint stands
    assert "HTTP 404" in err and "quancheng.local/system" in err
    assert [c.checkpoint.size for c in Cosignature.objects.all()] == [11]

    # 409: a checkpoint reached the witness by another road (a mirror, a run whose answer was
    # lost); we hold no cosignature for it, so our next submission starts from 11, not 14
    grow(world, 3)
    [second] = sign_checkpoints(Actor.system(), origins=[A])  # signed, not submitted
    body = witnessing.request_for(second, 11).body.encode()
    post = urllib.request.Request(f"{base}/api/v1/witness/add-checkpoint", data=body)  # noqa: S310
    with urllib.request.urlopen(post, timeout=10) as answer:  # noqa: S310 - our own server
        assert answer.read().startswith(f"\u2014 {W} ".encode())
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(post, timeout=10)  # noqa: S310 - the same again: 11 is not 14
    assert refused.value.code == 409
    assert refused.value.headers.get_content_type() == "text/x.tlog.size"
    assert refused.value.read() == b"14\n"
    grow(world, 6)
    out, err = checkpoint("--origin", A)
    assert f"{A} 20 cosigned by {W}" in out and not err
    assert [c.checkpoint.size for c in Cosignature.objects.order_by("id")] == [11, 20]

    # 422: the log rewrites a fact the witness saw and signs on; the witness refuses
    fact = Log.objects.get(origin=A).facts.get(seq=17)
    tamper(
        "ledger_fact", "UPDATE ledger_fact SET leaf_hash = %s WHERE id = %s", [bytes(32), fact.pk]
    )
    grow(world, 2)
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "checkpoint", "--origin", A, "--require-witness", stdout=io.StringIO(), stderr=err
        )
    assert exc.value.returncode == 3
    assert f"Witness {W} refused checkpoint" in err.getvalue() and "HTTP 422" in err.getvalue()
    forked = Checkpoint.objects.filter(log__origin=A).latest("id")
    assert forked.size == 22 and not forked.cosignatures.exists()
    assert cli(env, "witness", "logs").split()[:2] == [A, "20"]
