"""The device pages and the due list through the test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import at
from quancheng.devices.actions import register_device
from quancheng.devices.models import Device, DeviceCheck
from quancheng.ledger.public import Actor
from quancheng.media.actions import RecordingInput, add_recording_metadata


@pytest.fixture
def keeper(personas):
    return personas["keeper"]


@pytest.fixture
def camera(world, keeper):
    return register_device(Actor(keeper, "web"), world.a, serial="AH-W1", kind="body_camera")


def test_keeper_registers_through_the_form(client, world, keeper):
    client.force_login(keeper)
    page = client.get(reverse("devices:list"))
    assert reverse("devices:register") in page.content.decode()
    done = client.post(
        reverse("devices:register"),
        {
            "serial": "AH-W2",
            "kind": "camera",
            "capabilities": ["night_vision"],
            "keeper": keeper.pk,
        },
    )
    assert done.status_code == 302
    device = Device.objects.get(serial="AH-W2")
    assert device.keeper == keeper and device.capabilities == ["night_vision"]
    again = client.post(reverse("devices:register"), {"serial": "AH-W2", "kind": "camera"})
    assert again.status_code == 200 and "AH-W2" in again.content.decode()


def test_officer_cannot_register_but_can_check(client, world, camera):
    client.force_login(world.officer)
    assert client.get(reverse("devices:register")).status_code == 403
    page = client.get(reverse("devices:detail", args=[camera.serial])).content.decode()
    assert "'lend'" not in page and "/lend/" not in page
    assert "/check/" in page
    client.post(
        reverse("devices:act", args=[camera.serial, "check"]),
        {
            "check-battery_percent": 88,
            "check-free_storage_mb": 4000,
            "check-ok": "on",
            "check-checked_at": "2026-03-02T08:00",
        },
    )
    check = DeviceCheck.objects.get(device=camera)
    assert check.ok and check.checked_at == at("2026-03-02 08:00")
    refused = client.post(
        reverse("devices:act", args=[camera.serial, "lend"]),
        {"lend-officer": world.officer.officer.pk, "lend-lent_at": "2026-03-02T08:00"},
    )
    assert refused.status_code == 403  # only the keeper lends (agencies/roles.py)
    assert not camera.loans.exists()


def test_keeper_lends_repairs_and_the_history_shows_it(client, world, keeper, camera):
    client.force_login(keeper)
    client.post(
        reverse("devices:act", args=[camera.serial, "lend"]),
        {"lend-officer": world.officer.officer.pk, "lend-lent_at": "2026-03-02T08:00"},
    )
    client.post(
        reverse("devices:act", args=[camera.serial, "return"]),
        {"return-returned_at": "2026-03-02T18:00"},
    )
    client.post(
        reverse("devices:act", args=[camera.serial, "event"]),
        {"event-kind": "repair_started", "event-occurred_at": "2026-03-03T09:00"},
    )
    camera.refresh_from_db()
    assert camera.status == "under_repair"
    page = client.get(reverse("devices:detail", args=[camera.serial])).content.decode()
    assert page.count("<tr class=") == 3
    assert "2026-03-02 08:00" in page and "2026-03-03 09:00" in page


def test_other_agency_gets_404(client, world, camera):
    client.force_login(world.other_officer)
    assert client.get(reverse("devices:detail", args=[camera.serial])).status_code == 404
    assert "AH-W1" not in client.get(reverse("devices:list")).content.decode()


def test_due_list_page_filters(client, world, new_case, camera):
    case = new_case(opened_at=at("2026-03-01 09:00"))
    add_recording_metadata(
        Actor(world.officer, "web"),
        case,
        RecordingInput(
            device=camera,
            started_at=at("2026-03-02 10:00"),
            ended_at=at("2026-03-02 10:30"),
            officers=[world.officer.officer],
            uploaded_at=at("2026-03-04 10:00"),
        ),
    )
    client.force_login(world.officer)
    page = client.get(reverse("recordings_due")).content.decode()
    assert case.number in page and "anhui §17" in page
    empty = client.get(reverse("recordings_due"), {"state": "due_soon"}).content.decode()
    assert case.number not in empty


def test_refused_check_writes_nothing_and_says_why(client, world, camera):
    client.force_login(world.officer)
    page = client.post(
        reverse("devices:act", args=[camera.serial, "check"]),
        {"check-battery_percent": 150, "check-free_storage_mb": 1, "check-checked_at": ""},
        follow=True,
    )
    assert not DeviceCheck.objects.exists()
    assert [m.level_tag for m in page.context["messages"]] == ["error", "error"]
