"""Fixtures for the device register: agency A (anhui) with its keeper from ``personas`` and a
camera, and a culture-tourism agency with its own officers, keeper and camera."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from conftest import SYSTEM, at, make_user, web
from quancheng.agencies.actions import create_agency
from quancheng.cases.actions import open_case
from quancheng.devices.actions import register_device
from quancheng.media.actions import RecordingInput, add_recording_metadata


@pytest.fixture
def anhui(world, personas):
    keeper = personas["keeper"]
    camera = register_device(
        web(keeper), world.a, serial="AH-BC-01", kind="body_camera", keeper=keeper
    )
    return SimpleNamespace(
        agency=world.a,
        officer=world.officer,
        officer2=world.officer2,
        head=world.head,
        keeper=keeper,
        camera=camera,
        other_officer=world.other_officer,
    )


@pytest.fixture
def culture(world):
    agency = create_agency(
        SYSTEM,
        code="wl",
        name="文旅执法支队",
        level="agency",
        pack_id="culture-tourism",
        parent=world.city,
    )
    keeper = make_user("wl-keeper", agency, ["device_keeper"])
    return SimpleNamespace(
        agency=agency,
        officer=make_user("wl-officer", agency, ["officer"], "WL-0001"),
        officer2=make_user("wl-officer2", agency, ["officer"], "WL-0002"),
        keeper=keeper,
        camera=register_device(web(keeper), agency, serial="WL-BC-01", kind="body_camera"),
    )


_numbers = itertools.count(1)


def case_in(bureau, number="", opened="2026-03-02 09:00"):
    number = number or f"n{next(_numbers)}"
    return open_case(
        web(bureau.officer),
        bureau.agency,
        number=f"{bureau.agency.code}〔2026〕{number}号",
        title="检查",
        action_types=["inspection"] if bureau.agency.pack_id != "anhui" else ["penalty"],
        start_mode="ex_officio",
        opened_at=at(opened),
        officers=[bureau.officer.officer],
    )


def record(bureau, case, start="2026-03-02 10:00", end="2026-03-02 10:30", **kwargs):
    values = {
        "device": bureau.camera,
        "started_at": at(start),
        "ended_at": at(end),
        "officers": [bureau.officer.officer],
        "uploaded_at": at(end) + (at(end) - at(start)),
        "place": "某路1号",
        "production_method": "执法记录仪",
        "maker": "张三",
        "file_name": "a.mp4",
        "opening_statement": True,
        "device_checked": True,
        "party_informed": True,
    }
    values.update(kwargs)
    return add_recording_metadata(web(bureau.officer), case, RecordingInput(**values))
