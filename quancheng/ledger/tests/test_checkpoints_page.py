"""The checkpoints page: administrators and supervisors, each log they may see with its latest
checkpoints and their timestamps, and the signed note to download."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.models import Checkpoint, SigningKey
from quancheng.ledger.tests.conftest import key_file  # noqa: F401 - fixture
from quancheng.ledger.tests.test_witness import client_post
from quancheng.ledger.witnesses import witnessing

pytestmark = pytest.mark.usefixtures("english")

A, B = "quancheng.local/agency/agency-a", "quancheng.local/agency/agency-b"
SYSTEM_LOG = "quancheng.local/system"


@pytest.fixture
def admin_b(world):
    return make_user("admin_b", world.b, ["administrator"])


@pytest.fixture
def signed(world, key_file, tsa, monkeypatch):  # noqa: F811 - the fixture
    """Two checkpoints of agency A (the second one timestamped), one of B, one unsigned fact."""
    call_command("keys", "init", stdout=io.StringIO())
    for n, agency in enumerate([world.a, world.b]):
        with transaction.atomic():
            append_fact(Actor.system(), "thing.made", ("thing", n), {"n": n}, agency)
    call_command("checkpoint", stdout=io.StringIO())
    with transaction.atomic():
        append_fact(Actor.system(), "thing.made", ("thing", 9), {"n": 9}, world.a)
    monkeypatch.setenv("QUANCHENG_TSA_URL", tsa.url)
    call_command("checkpoint", stdout=io.StringIO())
    with transaction.atomic():
        append_fact(Actor.system(), "thing.made", ("thing", 10), {"n": 10}, world.a)


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("checkpoints"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_supervisor_sees_every_agency_below_with_its_checkpoints(client, world, signed):
    page = page_of(client, world.supervisor)
    assert f"<code>{A}</code>" in page and f"<code>{B}</code>" in page
    assert f"<code>{SYSTEM_LOG}</code>" in page  # sizes and hashes only, as in the API
    old, new = Checkpoint.objects.filter(log__origin=A).order_by("id")
    for checkpoint in (old, new):
        root = base64.b64encode(bytes(checkpoint.root_hash)).decode()
        assert f"<td>{checkpoint.size}</td>" in page and f"<code>{root}</code>" in page
        assert reverse("checkpoint_note", args=[checkpoint.pk]) in page
    stamped = timezone.localtime(new.stamp.gen_time).strftime("%Y-%m-%d %H:%M:%S")
    assert stamped in page and not hasattr(old, "stamp")
    assert page.index(f"<td>{new.pk}</td>") < page.index(f"<td>{old.pk}</td>")  # newest first
    assert "1 not yet in a checkpoint" in page
    assert 'href="/checkpoints/"' in page  # the link in the top bar


def test_an_administrator_sees_their_agency_only(client, world, admin_b, signed):
    page = page_of(client, admin_b)
    assert f"<code>{B}</code>" in page and f"<code>{A}</code>" not in page
    a_checkpoint = Checkpoint.objects.filter(log__origin=A).first()
    client.force_login(admin_b)
    assert client.get(reverse("checkpoint_note", args=[a_checkpoint.pk])).status_code == 404


def test_the_note_downloads_exactly_as_signed(client, world, signed):
    checkpoint = Checkpoint.objects.filter(log__origin=A).last()
    client.force_login(world.supervisor)
    response = client.get(reverse("checkpoint_note", args=[checkpoint.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    expected = f'attachment; filename="quancheng.local_agency_agency-a-{checkpoint.size}.txt"'
    assert response["Content-Disposition"] == expected
    assert response.content.decode() == checkpoint.note
    text, _signatures = note.split(response.content.decode())
    assert note.parse_checkpoint(text).size == checkpoint.size


def test_officers_and_heads_get_403_and_no_link(client, world, signed):
    checkpoint = Checkpoint.objects.first()
    for user in (world.officer, world.head):
        client.force_login(user)
        assert client.get(reverse("checkpoints")).status_code == 403
        assert client.get(reverse("checkpoint_note", args=[checkpoint.pk])).status_code == 403
        assert b'href="/checkpoints/"' not in client.get(reverse("cases:list")).content


def test_the_page_costs_the_same_queries_for_more_logs(client, world, signed, admin_b):
    client.force_login(world.supervisor)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("checkpoints"))
    for n in range(3):
        with transaction.atomic():
            append_fact(Actor.system(), "thing.made", ("thing", n), {}, world.a1)
    call_command("checkpoint", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as more:
        page = client.get(reverse("checkpoints")).content.decode()
    assert "<code>quancheng.local/agency/agency-a-g1</code>" in page
    assert len(more) == len(few)


def test_a_cosigned_checkpoint_names_its_witness(client, world, signed, settings, tmp_path):
    settings.QUANCHENG_WITNESS_KEY_FILE = tmp_path / "witness.pem"
    out = io.StringIO()
    call_command("witness", "init", stdout=out)
    vkey = out.getvalue().split("Verifier key: ")[1].strip()
    call_command("witness", "add-log", A, SigningKey.objects.get().verifier_key, stdout=out)
    call_command("witnesses", "add", vkey.split("+")[0], "http://testserver/api/v1/witness", vkey,
                 stdout=out)  # fmt: skip
    latest = Checkpoint.objects.filter(log__origin=A).latest("id")
    [witness] = witnessing.online_witnesses()
    assert witnessing.submit(latest, witness, client_post) is not None
    html = page_of(client, world.supervisor)
    row = html.split(f"<td>{latest.pk}</td>")[1].split("</tr>")[0]
    assert '<span class="cosignature"' in row and vkey.split("+")[0] in row
    assert html.count('class="cosignature"') == 1
