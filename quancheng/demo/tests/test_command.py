"""``quancheng demo``: the printed logins work, the refusals, and ``--serve``."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import translation

from conftest import SYSTEM
from quancheng.agencies.actions import create_agency
from quancheng.agencies.models import User
from quancheng.cases.models import Case
from quancheng.demo.seed import refusal
from quancheng.ledger.public import Actor
from tests.servers import free_port, running

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _debug(settings):
    # The suite also runs on PostgreSQL, where the demo wants DEBUG (or --force) to proceed.
    settings.DEBUG = True


@pytest.fixture(autouse=True)
def _own_keys(settings, tmp_path, monkeypatch):
    # The demo makes keys and sets the demo passphrases: keep both inside this test.
    settings.QUANCHENG_KEYS_DIR = tmp_path / "keys"
    settings.QUANCHENG_LEDGER_KEY_FILE = tmp_path / "ledger" / "signing-key.pem"
    monkeypatch.delenv("QUANCHENG_SIGNING_PASSPHRASE", raising=False)
    monkeypatch.delenv("QUANCHENG_LEDGER_KEY_PASSPHRASE", raising=False)


def run_demo(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("demo", *args, stdout=out)
    return out.getvalue()


def signed_in(username: str, password: str) -> Client:
    """A client signed in through the sign-in page (the way a person does, throttle included)."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, username
    return client


def login_rows(output: str) -> list[tuple[str, str]]:
    """(user name, password) from the printed table."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("admin "))
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        username, password = line.split()[:2]
        rows.append((username, password))
    return rows


@pytest.mark.django_db
def test_demo_makes_the_keys_so_documents_seal_and_checkpoints_sign(settings):
    from quancheng.documents.actions import seal_document
    from quancheng.ledger.models import Checkpoint

    run_demo("--pack", "anhui")
    assert (settings.QUANCHENG_KEYS_DIR / "ca" / "ca.cert.pem").exists()
    assert settings.QUANCHENG_LEDGER_KEY_FILE.exists()
    assert Checkpoint.objects.exists()
    head = User.objects.get(username="anhui-head")
    from quancheng.cases.models import RecordVersion

    version = (
        RecordVersion.objects.filter(
            record__case__agency=head.agency, record__case__closed_at__isnull=True
        )
        .exclude(doc_number="")
        .first()
    )
    document = seal_document(Actor(head, "web"), version)
    assert document.sha256


@pytest.mark.django_db
def test_printed_logins_sign_in():
    output = run_demo()
    rows = login_rows(output)
    assert len(rows) == User.objects.count()
    assert "/admin/login/" in output or "/accounts/login/" in output
    for username, password in rows:
        signed_in(username, password)
    admin = signed_in("admin", rows[0][1])
    assert admin.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_officer_and_supervisor_see_their_cases_through_the_api():
    rows = dict(login_rows(run_demo()))
    officer = signed_in("anhui-officer", rows["anhui-officer"])
    mine = officer.get("/api/v1/cases", {"has_errors": "true"}).json()
    assert mine["count"] == 5  # missing record, unsigned, major, overdue, interrupted
    assert {item["pack"] for item in mine["items"]} == {"anhui"}
    supervisor = signed_in("supervisor", rows["supervisor"])
    everything = supervisor.get("/api/v1/cases", {"page_size": 200}).json()
    assert everything["count"] == Case.objects.count()


@pytest.mark.django_db
def test_second_run_prints_the_same_logins():
    first = login_rows(run_demo())
    second_output = run_demo()
    assert login_rows(second_output) == first
    assert "0 cases made" in second_output


@pytest.mark.django_db
def test_refuses_a_database_with_an_agencys_own_data():
    create_agency(SYSTEM, code="real", name="真实机关", level="agency", pack_id="anhui")
    with pytest.raises(CommandError, match="not part of the demo"):
        run_demo()
    assert not User.objects.exists()
    assert "admin" in run_demo("--force")


@pytest.mark.django_db
def test_refuses_a_deployment_database_unless_debug_or_forced(settings):
    settings.DEBUG = False
    if connection.vendor == "sqlite":
        assert refusal() is None  # the README's `make run`: SQLite, DEBUG off
    else:
        assert "DATABASE_URL" in refusal()
        assert refusal(force=True) is None
        settings.DEBUG = True
        assert refusal() is None


@pytest.mark.django_db
def test_unknown_pack_is_refused():
    with pytest.raises(CommandError, match="no-such-pack"):
        run_demo("--pack", "no-such-pack")


def test_demo_serve_seeds_then_serves_on_the_given_port(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["QUANCHENG_DATA_DIR"] = str(tmp_path)
    port = free_port()
    command = ["demo", "--serve", "--pack", "anhui", "--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path / "out.log"
    with running(command, env, log, "/accounts/login/", port=port) as (base, _):
        assert base == f"http://127.0.0.1:{port}"
    output = log.read_text()
    assert "anhui-officer" in output
    assert f"http://127.0.0.1:{port}/" in output
    assert (tmp_path / "quancheng.sqlite3").exists()


def test_login_table_lines_up_chinese_columns():
    from quancheng.demo.management.commands.demo import table, width

    lines = table([("用户名", "机构"), ("admin", "示范省司法厅")])
    assert width(lines[0].split("机构")[0]) == width(lines[1].split("示范")[0])
