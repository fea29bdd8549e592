"""The web forms refuse what every input refuses (quancheng.bounds): a time outside the
years 1970–2100, a free storage beyond its column. A form error, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quancheng.cases.models import Case
from quancheng.devices.actions import register_device
from quancheng.devices.models import DeviceCheck
from quancheng.ledger.public import Actor


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("opened_at", ["0001-01-01T00:00", "9999-12-31T23:59", "1900-03-02T09:00"])
def test_case_opened_out_of_range_is_a_form_error(client, world, opened_at):
    client.force_login(world.officer)
    data = {
        "number": "皖甲罚〔2026〕98号",
        "title": "销售过期食品",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": opened_at,
        "start-ex_officio_start-fields__source": "complaint",
        "start-ex_officio_start-fields__reason": "消费者投诉",
        "parties-TOTAL_FORMS": "0",
        "parties-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("cases:open"), data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Must be a time in the years 1970 to 2100 (UTC)." in response.content.decode()
    assert not Case.objects.filter(number="皖甲罚〔2026〕98号").exists()


def test_free_storage_beyond_its_column_is_refused(client, world):
    camera = register_device(Actor.system(), world.a, serial="DSJ-7", kind="body_camera")
    client.force_login(world.officer)
    client.post(
        reverse("devices:act", args=[camera.serial, "check"]),
        {"check-battery_percent": 50, "check-free_storage_mb": 2**31, "check-checked_at": ""},
        follow=True,
    )
    assert not DeviceCheck.objects.exists()


@pytest.mark.parametrize("q", ["无" * 301, "无照\x00经营"])
def test_case_list_search_too_long_or_with_nul_is_a_form_error(client, world, new_case, q):
    new_case()
    client.force_login(world.officer)
    response = client.get(reverse("cases:list"), {"q": q})
    assert response.status_code == 200
    assert response.context["form"].errors["q"]
