"""Sign-in throttling and the sign-in facts: 5 wrong passwords for an account, or 30 from an
address, lock it for 15 minutes; ``quancheng user unlock`` lifts it; every sign-in, failure,
lockout and unlock is a fact in the ledger. The clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from quancheng.agencies.accounts import name_digest
from quancheng.ledger.models import Fact

HERE, THERE = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def sign_in(username: str, password: str, address: str = HERE, client: Client | None = None):
    client = client or Client(REMOTE_ADDR=address)
    return client.post(reverse("login"), {"username": username, "password": password})


def is_locked_out(response) -> bool:
    return response.status_code == 429


def facts(kind: str):
    return Fact.objects.filter(kind=kind).select_related("log").order_by("id")


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(world, clock):
    for _ in range(4):
        assert sign_in("officer", "wrong").status_code == 200  # the form again, with its error
    locking = sign_in("officer", "wrong")
    assert is_locked_out(locking)
    assert "登录已锁定" in locking.content.decode()
    assert "15 分钟内拒绝登录" in locking.content.decode()

    # the right password, from another address too, is refused while the lock lasts
    clock.shift(dt.timedelta(minutes=10))
    assert is_locked_out(sign_in("officer", PASSWORD))
    assert is_locked_out(sign_in("officer", PASSWORD, THERE))
    clock.shift(dt.timedelta(minutes=4, seconds=59))  # refused attempts did not prolong it
    assert is_locked_out(sign_in("officer", PASSWORD))
    # other accounts from the same address are not locked
    assert sign_in("officer2", PASSWORD).status_code == 302

    clock.shift(dt.timedelta(seconds=2))
    assert sign_in("officer", PASSWORD).status_code == 302

    failed = list(facts("user.sign_in_failed"))
    assert [f.payload["refused"] for f in failed] == [False] * 5 + [True] * 3
    assert {f.subject_id for f in failed} == {str(world.officer.pk)}
    assert {f.payload["username"] for f in failed} == {"officer"}
    assert {f.log.agency for f in failed} == {world.a}
    assert {f.remote_addr for f in failed} == {HERE, THERE}
    assert all(f.actor is None for f in failed)
    (lock,) = facts("user.locked_out")
    assert lock.payload == {
        "username": "officer",
        "ip_address": HERE,
        "locked": ["username"],
        "minutes": 15,
    }
    assert lock.log.agency == world.a and lock.subject_id == str(world.officer.pk)
    signed_in = facts("user.signed_in").filter(subject_id=str(world.officer.pk)).get()
    assert signed_in.actor == world.officer and signed_in.remote_addr == HERE


def test_a_successful_sign_in_forgets_the_accounts_failures(world, clock):
    for _ in range(4):
        sign_in("officer", "wrong")
    assert sign_in("officer", PASSWORD).status_code == 302
    for _ in range(4):
        assert sign_in("officer", "wrong").status_code == 200
    assert sign_in("officer", PASSWORD).status_code == 302


def test_thirty_failures_from_one_address_lock_the_address(world, clock):
    names = [f"guess{n}" for n in range(26)] + ["officer2"] * 4  # none reaches 5 alone
    for n, name in enumerate(names, 1):
        response = sign_in(name, "wrong")
        assert is_locked_out(response) == (n == 30), n
    assert is_locked_out(sign_in("officer", PASSWORD))  # any account, from this address
    assert sign_in("officer", PASSWORD, THERE).status_code == 302  # elsewhere it works

    (lock,) = facts("user.locked_out")
    assert lock.payload == {
        "username": None,
        "ip_address": HERE,
        "locked": ["ip_address"],
        "minutes": 15,
    }
    assert (lock.subject_type, lock.subject_id) == ("address", HERE)
    assert lock.log.agency is None  # the system log

    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert sign_in("officer", PASSWORD).status_code == 302


def test_a_name_that_is_no_account_is_not_written_to_the_ledger(world):
    typed = "my-secret-password-typed-as-a-name"
    for _ in range(5):
        sign_in(typed, "wrong")
    assert is_locked_out(sign_in(typed, "wrong"))  # a lock does not tell which names exist
    digest = name_digest(typed)
    fact = facts("user.sign_in_failed").first()
    assert fact.payload == {"username": None, "name_digest": digest, "refused": False}
    assert (fact.subject_type, fact.subject_id, fact.log.agency) == ("account_name", digest, None)
    lock = facts("user.locked_out").get()
    assert lock.payload["name_digest"] == digest and lock.payload["locked"] == ["username"]
    assert not any(typed in json.dumps(f.payload) for f in Fact.objects.all())


def test_an_administrator_unlocks_an_account(world, clock, english, capsys):
    for _ in range(5):
        sign_in("officer", "wrong")
    assert is_locked_out(sign_in("officer", PASSWORD))

    call_command("user", "unlock", "officer")
    assert "Unlocked officer (5 failed sign-ins forgotten)." in capsys.readouterr().out
    assert sign_in("officer", PASSWORD).status_code == 302
    unlocked = facts("user.unlocked").get()
    assert unlocked.payload == {
        "username": "officer",
        "ip_address": None,
        "failures_forgotten": 5,
    }
    assert unlocked.channel == "cli" and unlocked.log.agency == world.a


def test_an_administrator_unlocks_an_address(world, clock, english):
    for n in range(30):
        sign_in(f"guess{n}", "wrong")
    assert is_locked_out(sign_in("officer", PASSWORD))
    call_command("user", "unlock", "--ip", HERE)
    assert sign_in("officer", PASSWORD).status_code == 302
    unlocked = facts("user.unlocked").get()
    assert unlocked.payload["ip_address"] == HERE and unlocked.payload["failures_forgotten"] == 30
    assert (unlocked.subject_type, unlocked.subject_id) == ("address", HERE)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["user", "unlock"], "Name an account or an address"),
        (["user", "unlock", "nobody"], "No account with that user name"),
        (["user", "unlock", "--ip", "not-an-address"], "Not an IP address"),
    ],
)
def test_unlock_refuses_what_names_nothing(world, english, argv, message):
    with pytest.raises(CommandError, match=message) as refused:
        call_command(*argv)
    assert refused.value.returncode == 2
    assert not Fact.objects.filter(kind="user.unlocked").exists()


def test_a_proxy_header_names_the_client_when_configured(world, settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {THERE}")
    for _ in range(5):
        sign_in(f"guess-{_}", "wrong", client=proxy)
    assert {f.remote_addr for f in facts("user.sign_in_failed")} == {THERE}
