"""RFC 3161 timestamps on checkpoints, against the real local TSA (``tests/tsa.py``)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from conftest import tamper
from quancheng.ledger.actions import append_fact
from quancheng.ledger.checkpoints.timestamps import check_token
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Checkpoint, CheckpointTimestamp
from quancheng.ledger.tests.test_verify import verify
from tests.tsa import DOWN_TSA_URL

A = "quancheng.local/agency/agency-a"


@pytest.fixture
def signed(world, key_file):
    call_command("keys", "init", stdout=io.StringIO())
    with transaction.atomic():
        append_fact(Actor.system(), "thing.made", ("thing", 1), {"n": 1}, world.a)


@pytest.fixture
def tsa_env(tsa, monkeypatch):
    monkeypatch.setenv("QUANCHENG_TSA_URL", tsa.url)
    monkeypatch.setenv("QUANCHENG_TSA_ROOTS", str(tsa.root_pem))
    return tsa


def checkpoint(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("checkpoint", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_new_checkpoint_is_stamped_and_verifies(signed, tsa_env):
    before = tsa_env.requests
    out, err = checkpoint()
    assert err == ""
    assert "(timestamped " in out
    # one request per log (the world's agencies and the system log)
    stamps = list(CheckpointTimestamp.objects.select_related("checkpoint"))
    assert len(stamps) == Checkpoint.objects.count() == tsa_env.requests - before >= 2
    for stamp in stamps:
        check = check_token(bytes(stamp.token), stamp.checkpoint.note)
        assert check.problem == ""
        assert check.gen_time == stamp.gen_time
    ok, lines = verify()
    assert ok, lines


@pytest.mark.parametrize("mode", ["garbage", "error", "down"])
def test_a_failing_tsa_leaves_the_checkpoint_signed_unstamped(signed, tsa_env, monkeypatch, mode):
    if mode == "down":
        monkeypatch.setenv("QUANCHENG_TSA_URL", DOWN_TSA_URL)
    else:
        tsa_env.mode = mode
    out, err = checkpoint()
    assert Checkpoint.objects.filter(log__origin=A).count() == 1
    assert CheckpointTimestamp.objects.count() == 0
    assert f"Checkpoint of {A} signed without a timestamp: The time-stamping authority at" in err
    expected = {
        "garbage": "the reply is not an RFC 3161 timestamp response",
        "error": "HTTP 500",
        "down": "Connection refused",
    }[mode]
    assert expected in err
    assert verify()[0]


@pytest.mark.parametrize("mode", ["garbage", "error", "down"])
def test_require_timestamp_fails_with_nothing_written(signed, tsa_env, monkeypatch, mode):
    if mode == "down":
        monkeypatch.setenv("QUANCHENG_TSA_URL", DOWN_TSA_URL)
    else:
        tsa_env.mode = mode
    with pytest.raises(CommandError) as failed:
        checkpoint("--require-timestamp")
    assert failed.value.returncode == 2
    assert str(failed.value).startswith("No checkpoint was written: The time-stamping authority")
    assert Checkpoint.objects.count() == 0
    assert CheckpointTimestamp.objects.count() == 0


def test_require_timestamp_without_a_tsa_configured(signed, monkeypatch):
    monkeypatch.delenv("QUANCHENG_TSA_URL", raising=False)
    with pytest.raises(CommandError) as failed:
        checkpoint("--require-timestamp")
    assert failed.value.returncode == 2
    assert "set QUANCHENG_TSA_URL" in str(failed.value)
    assert Checkpoint.objects.count() == 0


def test_timestamp_rows_are_append_only(signed, tsa_env):
    checkpoint()
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckpointTimestamp.objects.all().delete()


def _swap_tokens() -> tuple[CheckpointTimestamp, CheckpointTimestamp]:
    first, second = CheckpointTimestamp.objects.order_by("id")[:2]
    tamper(
        "ledger_checkpointtimestamp",
        "UPDATE ledger_checkpointtimestamp SET token = %s WHERE id = %s",
        [bytes(second.token), first.pk],
    )
    return first, second


def test_verify_names_a_token_swapped_from_another_checkpoint(signed, tsa_env):
    checkpoint()
    first, _second = _swap_tokens()
    ok, lines = verify()
    assert not ok
    origin = first.checkpoint.log.origin
    assert (
        f"Checkpoint #{first.checkpoint_id} of log {origin}: its timestamp token "
        f"#{first.pk} is forged or belongs to something else: it stamps other data, not this "
        "checkpoint."
    ) in lines


def test_verify_names_a_forged_token_signature(signed, tsa_env):
    checkpoint()
    stamp = CheckpointTimestamp.objects.order_by("id").first()
    token = bytearray(bytes(stamp.token))
    token[-5] ^= 0xFF  # inside the signature value at the end of the SignerInfo
    tamper(
        "ledger_checkpointtimestamp",
        "UPDATE ledger_checkpointtimestamp SET token = %s WHERE id = %s",
        [bytes(token), stamp.pk],
    )
    ok, lines = verify()
    assert not ok
    [line] = [line for line in lines if f"timestamp token #{stamp.pk}" in line]
    assert "is forged or belongs to something else: its signature does not hold" in line


def test_verify_names_a_token_from_an_untrusted_tsa(signed, tsa_env, monkeypatch, tmp_path):
    checkpoint()
    from tests.tsa import _make_certs

    other = tmp_path / "other"
    other.mkdir()
    _make_certs(other)
    monkeypatch.setenv("QUANCHENG_TSA_ROOTS", str(other / "root.pem"))
    ok, lines = verify()
    assert not ok
    assert sum("its signature does not hold under the trusted TSA roots" in x for x in lines) == (
        CheckpointTimestamp.objects.count()
    )


def test_a_rewritten_note_no_longer_matches_its_token(signed, tsa_env):
    checkpoint()
    stamp = CheckpointTimestamp.objects.select_related("checkpoint").order_by("id").last()
    tamper(
        "ledger_checkpoint",
        "UPDATE ledger_checkpoint SET note = note || %s WHERE id = %s",
        ["— mallory AAAA\n", stamp.checkpoint_id],
    )
    ok, lines = verify()
    assert not ok
    assert any(f"its timestamp token #{stamp.pk} is forged" in line for line in lines)


def test_verify_without_roots_says_the_tokens_cannot_be_checked(signed, tsa_env, monkeypatch):
    checkpoint()
    monkeypatch.delenv("QUANCHENG_TSA_ROOTS")
    ok, lines = verify()
    assert not ok
    assert any("cannot be checked: set QUANCHENG_TSA_ROOTS" in line for line in lines)


def test_openssl_replies_are_re_encoded_to_strict_der(tsa):
    """openssl writes the certificate SET unsorted; rfc3161-client refuses it as is. The
    re-encoding sorts only that set: the signer info (what the signature covers) is kept."""
    from asn1crypto import tsp
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

    from quancheng.ledger.checkpoints.timestamps import _strict_der

    request = TimestampRequestBuilder().data(b"note\n").hash_algorithm(HashAlgorithm.SHA256).build()
    reply = tsa.reply(request.as_bytes())
    with pytest.raises(ValueError, match="InvalidSetOrdering"):
        decode_timestamp_response(reply)
    strict = _strict_der(reply)
    assert decode_timestamp_response(strict).tst_info.nonce == request.nonce

    def signer_infos(data: bytes) -> bytes:
        return tsp.TimeStampResp.load(data)["time_stamp_token"]["content"]["signer_infos"].dump()

    assert signer_infos(strict) == signer_infos(reply)
    assert _strict_der(b"<html>") == b"<html>"  # garbage is left for the parser to refuse


def test_the_checkpoint_of_a_key_rotation_is_stamped(signed, tsa_env, monkeypatch):
    call_command("keys", "rotate", stdout=io.StringIO(), stderr=io.StringIO())
    rotation = Checkpoint.objects.filter(log__origin="quancheng.local/system").latest("id")
    assert (
        rotation.stamp.token
        and check_token(bytes(rotation.stamp.token), rotation.note).problem == ""
    )
    monkeypatch.setenv("QUANCHENG_TSA_URL", DOWN_TSA_URL)
    err = io.StringIO()
    call_command("keys", "rotate", stdout=io.StringIO(), stderr=err)
    second = Checkpoint.objects.filter(log__origin="quancheng.local/system").latest("id")
    assert second.pk != rotation.pk and not CheckpointTimestamp.objects.filter(checkpoint=second)
    assert "Checkpoint of quancheng.local/system signed without a timestamp" in err.getvalue()
    assert verify()[0]


def test_verify_names_a_changed_time_beside_the_token(signed, tsa_env):
    checkpoint()
    stamp = CheckpointTimestamp.objects.order_by("id").first()
    earlier = stamp.gen_time - dt.timedelta(days=30)
    tamper(
        "ledger_checkpointtimestamp",
        "UPDATE ledger_checkpointtimestamp SET gen_time = %s WHERE id = %s",
        [earlier, stamp.pk],
    )
    ok, lines = verify()
    assert not ok
    origin = stamp.checkpoint.log.origin
    assert (
        f"Checkpoint #{stamp.checkpoint_id} of log {origin}: the time recorded beside timestamp "
        f"token #{stamp.pk} ({earlier:%Y-%m-%dT%H:%M:%SZ}) is not the time in the token "
        f"({stamp.gen_time:%Y-%m-%dT%H:%M:%SZ}): the row was changed."
    ) in lines
