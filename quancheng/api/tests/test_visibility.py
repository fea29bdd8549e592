"""Who sees what: only a supervisor reads below their own agency. An upper-level account
without that role (a city archivist) reads nothing of the agencies below — no case, record,
recording, device, due recording or ledger proof — and an officer look-up by certificate
number answers only within the caller's agency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from conftest import SYSTEM
from quancheng.agencies.permissions import visible_agencies
from quancheng.cases.actions import add_record
from quancheng.cases.models import Case
from quancheng.devices.actions import register_device
from quancheng.ledger.models import Fact
from quancheng.media.actions import RecordingInput, add_recording_metadata


@pytest.fixture
def scene(world, personas, new_case, api):
    for user in personas.values():
        api.token(user)
    case = new_case()
    record = add_record(
        SYSTEM, case, "proposed_decision", {"unit": "一科", "content": "罚款"}, timezone.now()
    )
    camera = register_device(SYSTEM, world.a, serial="AH-V-1", kind="body_camera")
    ended = timezone.now() - dt.timedelta(days=10)
    recording = add_recording_metadata(
        SYSTEM,
        case,
        RecordingInput(
            device=camera,
            started_at=ended - dt.timedelta(hours=1),
            ended_at=ended,
            officers=[world.officer.officer],
        ),
    )
    fact = Fact.objects.filter(kind="record.added", subject_id=str(record.pk)).get()
    return case, record, recording, fact


def test_only_a_supervisor_reads_below_their_agency(world, personas):
    city_archivist = personas["city_archivist"]
    assert set(visible_agencies(world.supervisor)) >= {world.a, world.b, world.a1}
    assert set(visible_agencies(city_archivist)) == {world.city}
    assert set(visible_agencies(world.officer)) == {world.a, world.a1}
    assert set(visible_agencies(world.group_officer)) == {world.a, world.a1}


def test_a_city_archivist_reads_nothing_of_the_agencies_below(world, personas, scene, api):
    case, record, recording, fact = scene
    who = personas["city_archivist"]
    assert not Case.objects.visible_to(who).exists()
    assert api.get(who, "/cases").json()["count"] == 0
    for path in (
        f"/cases/{case.pk}",
        f"/cases/{case.pk}/records",
        f"/cases/{case.pk}/records/{record.pk}",
        f"/cases/{case.pk}/findings",
        "/devices/AH-V-1",
        f"/ledger/facts/{fact.pk}/proof",
    ):
        assert api.get(who, path).status_code == 404, path
    assert api.get(who, "/devices").json() == []
    assert api.get(who, "/recordings/due").json() == []
    web = Client()
    web.force_login(who)
    for url in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/records/{record.pk}/",
        f"/cases/{case.pk}/recordings/{recording.pk}/original/",
        f"/cases/{case.pk}/recordings/{recording.pk}/play/",
        "/devices/AH-V-1/",
    ):
        assert web.get(url).status_code == 404, url
    assert "AH-V-1" not in web.get("/devices/").content.decode()
    assert case.number not in web.get("/cases/").content.decode()


def test_the_supervisor_still_reads_below(world, scene, api):
    case, record, _recording, fact = scene
    assert api.get(world.supervisor, f"/cases/{case.pk}").status_code == 200
    assert api.get(world.supervisor, "/devices/AH-V-1").status_code == 200
    assert api.get(world.supervisor, f"/ledger/facts/{fact.pk}/proof").status_code in (200, 409)
    assert len(api.get(world.supervisor, "/recordings/due").json()) >= 1


def test_an_officer_of_another_agency_is_as_unknown_as_a_made_up_one(world, personas, api):
    keeper = personas["keeper"]
    api.token(keeper)
    register_device(SYSTEM, world.a, serial="AH-V-2", kind="body_camera")
    other = api.post(keeper, "/devices/AH-V-2/loans", {"officer": "AH-9001"})  # agency B's
    made_up = api.post(keeper, "/devices/AH-V-2/loans", {"officer": "AH-9999"})
    assert other.status_code == made_up.status_code == 422
    assert other.json()["detail"].replace("AH-9001", "N") == made_up.json()["detail"].replace(
        "AH-9999", "N"
    )
    assert "another agency" not in other.json()["detail"]
