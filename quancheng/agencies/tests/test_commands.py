"""``quancheng agency`` and ``quancheng user``: what an administrator sets up an agency with."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quancheng.agencies.models import Agency, User
from quancheng.ledger.models import Fact


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_an_administrator_builds_an_agency_and_its_accounts(db, capsys, monkeypatch):
    call_command("agency", "add", "ah", "安徽省司法厅", "--level", "province", "--pack", "anhui")
    call_command(
        "agency", "add", "hf-scjg", "合肥市市场监督管理局",
        "--level", "agency", "--pack", "anhui", "--parent", "ah",
    )  # fmt: skip
    monkeypatch.setenv("NEW_PASSWORD", "a long secret")
    call_command(
        "user", "add", "wang", "--agency", "hf-scjg", "--name", "王强",
        "--roles", "officer,legal_reviewer", "--cert", "AH-123", "--password-env", "NEW_PASSWORD",
    )  # fmt: skip

    user = User.objects.get(username="wang")
    assert user.agency.code == "hf-scjg" and user.roles == ["officer", "legal_reviewer"]
    assert user.officer.cert_no == "AH-123" and user.check_password("a long secret")
    assert Agency.objects.get(code="hf-scjg").parent.code == "ah"
    kinds = list(Fact.objects.values_list("kind", flat=True))
    assert kinds == ["agency.created", "agency.created", "user.created"]
    assert set(Fact.objects.values_list("channel", flat=True)) == {"cli"}

    capsys.readouterr()
    call_command("agency", "list")
    assert capsys.readouterr().out.splitlines()[1].startswith("  hf-scjg")
    call_command("user", "list", "--agency", "hf-scjg")
    assert "wang  王强  hf-scjg  officer,legal_reviewer" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["agency", "add", "x", "X", "--level", "agency", "--pack", "nowhere"], "nowhere"),
        (["agency", "add", "x", "X", "--level", "agency", "--pack", "anhui", "--parent", "no"],
         "No agency with that code"),
        (["user", "add", "li", "--agency", "ah", "--name", "李", "--roles", "officer"],
         "certificate number"),
        (["user", "add", "li", "--agency", "ah", "--name", "李", "--roles", "boss"],
         "Unknown role"),
        (["user", "add", "li", "--agency", "ah", "--name", "李", "--roles", "head",
          "--password-env", "UNSET_VARIABLE"], "UNSET_VARIABLE"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_its_reason_and_writes_nothing(db, argv, message):
    call_command("agency", "add", "ah", "安徽省司法厅", "--level", "province", "--pack", "anhui")
    before = Fact.objects.count()
    with pytest.raises(CommandError, match=message) as refused:
        call_command(*argv)
    assert refused.value.returncode == 2
    assert Fact.objects.count() == before
    assert not User.objects.filter(username="li").exists()
    assert not Agency.objects.filter(code="x").exists()
