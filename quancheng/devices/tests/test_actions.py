"""The device register through its actions: who may do what, the status each event leaves,
loans closed by a return row, checks, and the ledger fact of each change."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from conftest import at, web
from quancheng.devices.actions import (
    check_device,
    lend_device,
    register_device,
    return_device,
    set_keeper,
)
from quancheng.devices.events import end_repair, report_fault, retire_device, start_repair
from quancheng.devices.models import Device, DeviceLoan
from quancheng.devices.queries import open_loan
from quancheng.errors import ActionError
from quancheng.ledger.models import Fact


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English; the site's language is Chinese.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def facts(device: Device) -> list[str]:
    return list(
        Fact.objects.filter(subject_type="device", subject_id=str(device.pk))
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_register_names_keeper_and_writes_a_fact(anhui):
    camera = anhui.camera
    assert camera.keeper == anhui.keeper
    assert facts(camera) == ["device.registered"]
    payload = Fact.objects.get(subject_type="device", subject_id=str(camera.pk)).payload
    assert payload["keeper"] == "a_keeper"


@pytest.mark.parametrize("who", ["officer", "head", "other_officer"])
def test_only_the_keeper_of_the_agency_registers(anhui, who):
    with pytest.raises(ActionError) as err:
        register_device(web(getattr(anhui, who)), anhui.agency, serial="X1", kind="camera")
    assert err.value.path == "device"
    assert not Device.objects.filter(serial="X1").exists()
    register_device(web(anhui.keeper), anhui.agency, serial="X1", kind="camera")


def test_keeper_must_hold_the_keeper_role(anhui):
    with pytest.raises(ActionError) as err:
        set_keeper(web(anhui.head), anhui.camera, anhui.officer)
    assert err.value.path == "keeper"
    with pytest.raises(ActionError) as err:
        register_device(
            web(anhui.keeper), anhui.agency, serial="X2", kind="camera", keeper=anhui.officer
        )
    assert err.value.path == "keeper"


def test_lend_and_return_are_two_rows(anhui):
    loan = lend_device(
        web(anhui.keeper), anhui.camera, anhui.officer.officer, lent_at=at("2026-03-02 08:00")
    )
    assert open_loan(anhui.camera) == loan
    with pytest.raises(ActionError) as err:
        lend_device(web(anhui.keeper), anhui.camera, anhui.officer2.officer)
    assert "already lent" in err.value.message
    with pytest.raises(ActionError) as err:
        return_device(web(anhui.keeper), anhui.camera, returned_at=at("2026-03-01 08:00"))
    assert err.value.path == "returned_at"
    back = return_device(web(anhui.keeper), anhui.camera, returned_at=at("2026-03-02 18:00"))
    assert back.loan == loan and open_loan(anhui.camera) is None
    # Back-dating a new loan into the returned one is refused.
    with pytest.raises(ActionError) as err:
        lend_device(
            web(anhui.keeper), anhui.camera, anhui.officer2.officer, lent_at=at("2026-03-02 12:00")
        )
    assert err.value.path == "lent_at"
    assert facts(anhui.camera)[-2:] == ["device.lent", "device.returned"]


def test_loans_cannot_be_edited(anhui):
    loan = lend_device(web(anhui.keeper), anhui.camera, anhui.officer.officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceLoan.objects.filter(pk=loan.pk).update(lent_at=at("2026-01-01 00:00"))


def test_officer_may_not_lend_but_may_check_and_report(anhui):
    with pytest.raises(ActionError):
        lend_device(web(anhui.officer), anhui.camera, anhui.officer.officer)
    check = check_device(
        web(anhui.officer), anhui.camera, battery_percent=90, free_storage_mb=20_000, ok=True
    )
    assert check.created_by == anhui.officer
    report_fault(web(anhui.officer), anhui.camera, "镜头起雾")
    with pytest.raises(ActionError):
        start_repair(web(anhui.officer), anhui.camera)
    with pytest.raises(ActionError):
        check_device(
            web(anhui.other_officer), anhui.camera, battery_percent=90, free_storage_mb=1, ok=True
        )


@pytest.mark.parametrize(
    ("battery", "storage", "path"),
    [(101, 10, "battery_percent"), (-1, 10, "battery_percent"), (50, -5, "free_storage_mb")],
)
def test_check_refuses_impossible_readings(anhui, battery, storage, path):
    with pytest.raises(ActionError) as err:
        check_device(
            web(anhui.officer),
            anhui.camera,
            battery_percent=battery,
            free_storage_mb=storage,
            ok=True,
        )
    assert err.value.path == path


def test_status_follows_repair_and_retirement(anhui):
    camera, keeper = anhui.camera, web(anhui.keeper)
    report_fault(web(anhui.officer), camera, "无法开机", occurred_at=at("2026-03-01 08:00"))
    start_repair(keeper, camera, occurred_at=at("2026-03-01 09:00"))
    camera.refresh_from_db()
    assert camera.status == "under_repair"
    with pytest.raises(ActionError):
        lend_device(keeper, camera, anhui.officer.officer)
    with pytest.raises(ActionError):
        check_device(web(anhui.officer), camera, battery_percent=9, free_storage_mb=1, ok=False)
    with pytest.raises(ActionError) as err:
        end_repair(keeper, camera, occurred_at=at("2026-03-01 08:30"))
    assert err.value.path == "occurred_at"
    end_repair(keeper, camera, occurred_at=at("2026-03-03 09:00"))
    camera.refresh_from_db()
    assert camera.status == "in_service"
    lend_device(keeper, camera, anhui.officer.officer, lent_at=at("2026-03-04 09:00"))
    with pytest.raises(ActionError) as err:
        retire_device(keeper, camera)
    assert "back" in err.value.message
    return_device(keeper, camera, returned_at=at("2026-03-04 18:00"))
    retire_device(keeper, camera, note="报废")
    camera.refresh_from_db()
    assert camera.status == "retired"
    with pytest.raises(ActionError):
        end_repair(keeper, camera)
    assert facts(camera) == [
        "device.registered",
        "device.fault",
        "device.repair_started",
        "device.repair_ended",
        "device.lent",
        "device.returned",
        "device.retired",
    ]


def test_fault_needs_a_description_and_times_need_a_zone(anhui):
    import datetime as dt

    with pytest.raises(ActionError) as err:
        report_fault(web(anhui.officer), anhui.camera, "  ")
    assert err.value.path == "note"
    with pytest.raises(ActionError) as err:
        start_repair(web(anhui.keeper), anhui.camera, occurred_at=dt.datetime(2026, 3, 1, 8))
    assert err.value.path == "occurred_at"


def test_lending_refuses_another_agencys_officer_and_the_future(anhui):
    import datetime as dt

    from django.utils import timezone

    with pytest.raises(ActionError) as err:
        lend_device(web(anhui.keeper), anhui.camera, anhui.other_officer.officer)
    assert err.value.path == "officer"
    with pytest.raises(ActionError) as err:
        lend_device(
            web(anhui.keeper),
            anhui.camera,
            anhui.officer.officer,
            lent_at=timezone.now() + dt.timedelta(hours=1),
        )
    assert err.value.path == "lent_at"
    assert not DeviceLoan.objects.exists()
    assert facts(anhui.camera) == ["device.registered"]
