"""Passwords obey ``AUTH_PASSWORD_VALIDATORS`` wherever one is set: ``create_user``,
``quancheng user add``, ``quancheng user password`` (the web page: web/tests)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import SYSTEM
from quancheng.agencies.accounts import check_new_password
from quancheng.agencies.actions import create_agency, create_user
from quancheng.agencies.models import User
from quancheng.demo.people import DEMO_PASSWORD
from quancheng.errors import ActionError
from quancheng.ledger.models import Fact


@pytest.fixture
def agency(db):
    return create_agency(SYSTEM, code="ah", name="安徽省司法厅", level="province", pack_id="anhui")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("a", "too short"),
        ("12345678901234", "entirely numeric"),
        ("password123456", "too common"),
        ("wangqiang-2026", "too similar to the username"),
    ],
)
def test_create_user_refuses_a_weak_password_and_writes_nothing(agency, english, password, reason):
    before = Fact.objects.count()
    with pytest.raises(ActionError, match=reason) as refused:
        create_user(
            SYSTEM, agency, username="wangqiang", password=password, full_name="王强", roles=[]
        )
    assert refused.value.path == "password"
    assert not User.objects.filter(username="wangqiang").exists()
    assert Fact.objects.count() == before


def test_the_refusal_is_in_chinese_by_default(agency):
    with pytest.raises(ActionError, match="密码太短：至少需要 12 个字符"):
        create_user(SYSTEM, agency, username="li", password="a", full_name="李", roles=[])


def test_the_demo_password_and_the_personas_pass():
    check_new_password(DEMO_PASSWORD, User(username="anhui-officer", full_name="王建国"))


def test_user_add_refuses_a_with_exit_2_and_the_reason(agency, english, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "a")
    with pytest.raises(CommandError, match="at least 12 characters") as refused:
        call_command(
            "user", "add", "li", "--agency", "ah", "--name", "李", "--roles", "head",
            "--password-env", "NEW_PASSWORD",
        )  # fmt: skip
    assert refused.value.returncode == 2
    assert not User.objects.filter(username="li").exists()


def test_user_password_sets_a_valid_password_as_a_ledger_fact(agency, english, monkeypatch):
    user = create_user(SYSTEM, agency, username="li", password=None, full_name="李", roles=[])
    monkeypatch.setenv("NEW_PASSWORD", "a")
    with pytest.raises(CommandError, match="too short") as refused:
        call_command("user", "password", "li", "--password-env", "NEW_PASSWORD")
    assert refused.value.returncode == 2
    assert not Fact.objects.filter(kind="user.password_changed").exists()

    monkeypatch.setenv("NEW_PASSWORD", "a much longer secret")
    call_command("user", "password", "li", "--password-env", "NEW_PASSWORD")
    user.refresh_from_db()
    assert user.check_password("a much longer secret")
    fact = Fact.objects.get(kind="user.password_changed")
    assert fact.subject_id == str(user.pk) and fact.channel == "cli"
    assert fact.payload == {"username": "li", "by_self": False}
    assert user.password not in json.dumps(fact.payload)


def test_user_password_names_an_unknown_account(db, english):
    with pytest.raises(CommandError, match="No account") as refused:
        call_command("user", "password", "nobody", "--password-env", "X")
    assert refused.value.returncode == 2


def test_only_the_user_changes_their_own_password(world):
    from quancheng.agencies.accounts import change_password
    from quancheng.agencies.roles import NotAllowed
    from quancheng.ledger.context import Actor

    with pytest.raises(NotAllowed):
        change_password(Actor(world.head, "web"), world.officer, "a long new secret")
    world.officer.refresh_from_db()
    assert not world.officer.check_password("a long new secret")
