"""The verification page: administrators only, a run queued as a task and run here (as the
worker would), its result and problems on the page, progress as JSON."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from conftest import SYSTEM, make_user, tamper
from quancheng.agencies.actions import create_user
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Checkpoint, Fact, Log, VerificationRun
from quancheng.ledger.tasks import run_verification
from quancheng.ledger.tests.conftest import key_file  # noqa: F401 - fixture
from quancheng.ledger.verification.runs import ScopedProblems, scoped_problems
from quancheng.ledger.verification.verify import Report

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def admin(personas):
    return personas["administrator"]


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
    # progress counts facts, and the tables compared with them
    assert run.started_by == admin
    assert run.done == run.total == run.summary["facts"] + run.summary["tables"]
    fact = Fact.objects.get(kind="ledger.verified")
    assert fact.actor == admin and fact.channel == "task"
    assert fact.payload["ok"] is True and fact.payload["problems"] == {}
    page = client.get(reverse("verification")).content.decode()
    assert '<span class="badge ok">All holds</span>' in page
    assert "<dt>By</dt><dd>a_admin</dd>" in page
    mine = Fact.objects.filter(log__agency__path__startswith=admin.agency.path).count()
    assert f"In the logs you see: {mine} facts in" in page


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


def test_a_row_changed_behind_the_application_is_listed_on_the_page(client, world, admin, signed):
    # the user table has no trigger: an UPDATE behind the application, writing no fact
    type(world.officer).objects.filter(pk=world.officer.pk).update(full_name="冒名顶替")
    client.force_login(admin)
    run = start_and_run(client)
    assert run.ok is False
    [problem] = [p for p in run.problems if p["code"] == "row"]
    assert problem["log"] == "quancheng.local/agency/agency-a"
    assert problem["mismatch"] == {
        "table": "agencies_user",
        "id": str(world.officer.pk),
        "field": "full_name",
        "ledger": "officer",
        "row": "冒名顶替",
        "kind": "changed",
    }
    page = client.get(reverse("verification")).content.decode()
    assert escape(problem["message"]) in page
    assert "<h3>Rows that disagree with the ledger</h3>" in page
    assert (
        f"<tr><td><code>agencies_user</code></td><td>{world.officer.pk}</td>"
        "<td><code>full_name</code></td><td>changed</td><td><code>&quot;officer&quot;</code>"
        "</td><td><code>&quot;冒名顶替&quot;</code></td></tr>"
    ) in page
    # an administrator of another agency is not shown the row
    other = make_user("admin-b", world.b, ["administrator"])
    client.force_login(other)
    page = client.get(reverse("verification")).content.decode()
    assert "agencies_user" not in page


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
        SYSTEM, None, username="root", password=None, full_name="root", roles=[],
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


# --- each administrator sees the problems of their own agencies ------------------------------

A_LOG, B_LOG = "quancheng.local/agency/agency-a", "quancheng.local/agency/agency-b"


@pytest.fixture
def admins(world, personas):
    """Agency A's administrator, one of agency B, and a superuser."""
    return (
        personas["administrator"],
        make_user("admin_b", world.b, ["administrator"]),
        create_user(
            SYSTEM, None, username="root", password=None, full_name="root", roles=[],
            is_superuser=True,
        ),
    )  # fmt: skip


def tamper_payload(fact: Fact) -> str:
    tamper("ledger_fact", "UPDATE ledger_fact SET payload = %s WHERE id = %s", ['{"n":9}', fact.pk])
    return f"Fact #{fact.pk} (log {fact.log.origin}, seq {fact.seq}): payload changed"


def test_an_administrator_sees_only_the_problems_of_their_agencies(client, world, admins, signed):
    admin_a, admin_b, root = admins
    with transaction.atomic():
        append_fact(Actor.system(), "thing.made", ("thing", 2), {"n": 2}, world.b)
    call_command("checkpoint", stdout=io.StringIO(), stderr=io.StringIO())
    in_a = tamper_payload(Fact.objects.get(kind="thing.made", agency=world.a))
    in_b = tamper_payload(Fact.objects.get(kind="thing.made", agency=world.b))
    in_system = tamper_payload(Fact.objects.get(kind="ledger.key_created"))
    client.force_login(admin_a)
    run = start_and_run(client)
    logs = [p["log"] for p in run.problems]
    assert {A_LOG, B_LOG, "quancheng.local/system"} <= set(logs)
    total = run.summary["problem_count"]

    def page_for(user) -> str:
        client.force_login(user)
        return client.get(reverse("verification")).content.decode()

    for user, mine, log in ((admin_a, in_a, A_LOG), (admin_b, in_b, B_LOG)):
        page = page_for(user)
        shown = sum(1 for p in run.problems if p["log"] == log)
        others = [m for m in (in_a, in_b, in_system) if m != mine]
        assert mine in page and not any(m in page for m in others)
        assert f"{shown} problem" in page and shown < total
        assert f"{total - shown} problems outside your agencies are not shown" in page
        assert f"(and {total - shown} not shown)" in page  # the history
    page = page_for(root)
    assert all(m in page for m in (in_a, in_b, in_system))
    assert "not shown" not in page and f"{total} problems</span>" in page


def test_an_administrator_is_shown_the_counts_of_their_logs_only(client, world, admins, signed):
    admin_a, _, root = admins
    with transaction.atomic():
        for n in range(5):
            append_fact(Actor.system(), "thing.made", ("thing", n), {"n": n}, world.b)
    call_command("checkpoint", stdout=io.StringIO(), stderr=io.StringIO())
    client.force_login(root)
    run = start_and_run(client)
    by_log = run.summary["by_log"]
    assert by_log[B_LOG]["facts"] == Fact.objects.filter(log__origin=B_LOG).count()
    assert sum(c["facts"] for c in by_log.values()) == run.summary["facts"]
    assert sum(c["logs"] for c in by_log.values()) == run.summary["logs"]
    everything = (
        f"{run.summary['facts']} facts in {run.summary['logs']} logs, "
        f"{run.summary['checkpoints']} checkpoints"
    )
    assert everything in client.get(reverse("verification")).content.decode()

    client.force_login(admin_a)
    page = client.get(reverse("verification")).content.decode()
    logs = Log.objects.filter(agency__path__startswith=world.a.path)
    facts = Fact.objects.filter(log__in=logs, pk__lte=run_fact_before(run)).count()
    checkpoints = Checkpoint.objects.filter(log__in=logs).count()
    assert (
        f"In the logs you see: {facts} facts in {logs.count()} logs, {checkpoints} checkpoints"
        in page
    )
    assert everything not in page


def run_fact_before(run: VerificationRun) -> int:
    """The last fact a run could have checked (those after it were appended later)."""
    return Fact.objects.get(kind="ledger.verified", subject_id=str(run.pk)).pk


def test_problems_of_other_agencies_only_say_none_in_yours(client, world, admins, signed):
    tamper_payload(Fact.objects.get(kind="thing.made", agency=world.a))
    client.force_login(admins[1])
    start_and_run(client)
    page = client.get(reverse("verification")).content.decode()
    assert "No problem in the logs you see" in page
    assert "problems outside your agencies are not shown" in page
    assert "payload changed" not in page


def test_a_run_stored_before_problems_named_their_log_shows_nothing_to_an_agency():
    old = VerificationRun(
        ok=False,
        problems=[{"code": "changed", "message": "Fact #1 …"}],
        summary={"problem_count": 3, "more": {"changed": 2}},
    )
    assert scoped_problems(old, {A_LOG}) == ScopedProblems([], {}, 0, 3)
    everything = scoped_problems(old, None)
    assert (everything.count, everything.hidden, everything.more) == (3, 0, {"changed": 2})


def test_a_problem_names_its_log_or_none():
    report = Report()
    report.add(A_LOG, "changed", "a")
    report.add("keys", "key", "k")
    report.add("files", "original", "o")
    report.add("files", "document", "d", log=B_LOG)
    assert [p.log for p in report.problems] == [A_LOG, None, None, B_LOG]
    for _ in range(25):
        report.add(B_LOG, "missing", "m")
    assert report.more_by_log == {(B_LOG, "missing"): 5}


def test_an_administrator_gets_proofs_of_their_agencies_only(client, world, admins, signed):
    admin_a, admin_b, root = admins
    fact = Fact.objects.get(kind="thing.made", agency=world.a)
    key_fact = Fact.objects.get(kind="ledger.key_created")
    url = f"/api/v1/ledger/facts/{fact.pk}/proof"
    key_url = f"/api/v1/ledger/facts/{key_fact.pk}/proof"
    statuses = {}
    for user in admins:
        client.force_login(user)
        statuses[user.username] = (client.get(url).status_code, client.get(key_url).status_code)
    assert statuses == {"a_admin": (200, 404), "admin_b": (404, 404), "root": (200, 200)}
