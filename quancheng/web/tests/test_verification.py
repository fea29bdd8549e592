"""The verification page: administrators only, a run queued as a task and run here (as the
worker would), its result and problems on the page, progress as JSON."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import SYSTEM
from quancheng.agencies.actions import create_user
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Fact, VerificationRun
from quancheng.ledger.tasks import run_verification
from quancheng.ledger.tests.conftest import key_file  # noqa: F401 - fixture
from quancheng.ledger.tests.test_verify import tamper

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def admin(world):
    return create_user(
        SYSTEM, world.a, username="admin", password="pw-admin", full_name="管理员",
        roles=["administrator"],
    )  # fmt: skip


@pytest.fixture
def signed(world, key_file):  # noqa: F811 - the fixture
    call_command("keys", "init", stdout=io.StringIO())
    with transaction.atomic():
        append_fact(Actor.system(), "thing.made", ("thing", 1), {"n": 1}, world.a)
    call_command("checkpoint", stdout=io.StringIO(), stderr=io.StringIO())


def start_and_run(client) -> VerificationRun:
    response = client.post(reverse("verification_start"))
    assert response.status_code == 302
    run = VerificationRun.objects.get()
    assert run.state == "queued" and run.finished_at is None
    queued = DBTaskResult.objects.ready().get()
    assert queued.args_kwargs["args"] == [run.pk]
    run_verification.call(run.pk)  # what the worker does with the queued task
    run.refresh_from_db()
    return run


def test_others_get_403(client, world):
    for user in (world.officer, world.head, world.supervisor):
        client.force_login(user)
        assert client.get(reverse("verification")).status_code == 403
        assert client.post(reverse("verification_start")).status_code == 403
        assert b'href="/verification/"' not in client.get(reverse("cases:list")).content
    assert not VerificationRun.objects.exists()


def test_an_administrator_sees_the_link_and_starts_a_run(client, admin, signed):
    client.force_login(admin)
    assert b'href="/verification/"' in client.get(reverse("cases:list")).content
    run = start_and_run(client)
    assert run.state == "done" and run.ok is True and run.problems == []
    assert run.started_by == admin and run.done == run.total == run.summary["facts"]
    fact = Fact.objects.get(kind="ledger.verified")
    assert fact.actor == admin and fact.channel == "task"
    assert fact.payload["ok"] is True and fact.payload["problems"] == {}
    page = client.get(reverse("verification")).content.decode()
    assert '<span class="badge ok">All holds</span>' in page
    assert "<dt>By</dt><dd>管理员</dd>" in page
    assert f"{run.summary['facts']} facts in" in page


def test_a_tampered_fact_shows_on_the_page(client, admin, signed):
    fact = Fact.objects.get(kind="thing.made")
    tamper("ledger_fact", "UPDATE ledger_fact SET payload = %s WHERE id = %s", ['{"n":2}', fact.pk])
    client.force_login(admin)
    run = start_and_run(client)
    assert run.ok is False
    message = (
        f"Fact #{fact.pk} (log quancheng.local/agency/agency-a, seq {fact.seq}): payload "
        "changed since it was appended."
    )
    assert message in [p["message"] for p in run.problems]
    page = client.get(reverse("verification")).content.decode()
    assert message in page
    assert "problems</span>" in page or "problem</span>" in page
    recorded = Fact.objects.get(kind="ledger.verified")
    assert recorded.payload["ok"] is False and recorded.payload["problems"]["changed"] >= 1


def test_progress_json_and_one_run_at_a_time(client, admin, signed):
    client.force_login(admin)
    client.post(reverse("verification_start"))
    client.post(reverse("verification_start"))
    run = VerificationRun.objects.get()
    url = reverse("verification_progress", args=[run.pk])
    assert client.get(url).json() == {
        "id": run.pk, "state": "queued", "state_label": "Queued", "phase": "", "done": 0,
        "total": 0, "finished": False, "ok": None,
    }  # fmt: skip
    page = client.get(reverse("verification")).content.decode()
    assert f'data-url="{url}"' in page and "verification.js" in page
    run_verification.call(run.pk)
    data = client.get(url).json()
    assert data["finished"] is True and data["state"] == "done" and data["done"] == data["total"]


def test_a_finished_run_cannot_be_rewritten(client, admin, signed):
    client.force_login(admin)
    run = start_and_run(client)
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationRun.objects.filter(pk=run.pk).update(ok=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationRun.objects.filter(pk=run.pk).delete()
    # while it runs, progress may be written
    pending = VerificationRun.objects.create(started_by=admin)
    VerificationRun.objects.filter(pk=pending.pk).update(done=5, finished_at=timezone.now())
    pending.refresh_from_db()
    assert pending.done == 5


def test_a_superuser_may_run_one(client, world, signed):
    root = create_user(
        SYSTEM, None, username="root", password="pw", full_name="root", roles=[],
        is_superuser=True,
    )  # fmt: skip
    client.force_login(root)
    assert client.get(reverse("verification")).status_code == 200
    assert start_and_run(client).ok is True


def test_a_run_whose_worker_died_gives_way_to_a_new_one(client, admin, signed):
    import datetime as dt

    dead = VerificationRun.objects.create(
        started_by=admin, state="running", updated_at=timezone.now() - dt.timedelta(minutes=11)
    )
    client.force_login(admin)
    client.post(reverse("verification_start"))
    dead.refresh_from_db()
    assert dead.state == "failed" and dead.finished_at is not None
    assert dead.error == "No progress for 10 minutes: the worker running it stopped."
    new = VerificationRun.objects.exclude(pk=dead.pk).get()
    assert new.state == "queued"
    page = client.get(reverse("verification")).content.decode()
    assert "Could not run" in page and "the worker running it stopped" in page
