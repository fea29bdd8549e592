"""The "Upload a recording" page: who sees it, and what it offers (the upload itself is
the browser test in tests/e2e/test_upload.py and the tus tests in quancheng/uploads)."""

from __future__ import annotations

import pytest
from django.test import Client

from quancheng.devices.actions import register_device
from quancheng.ledger.public import Actor

pytestmark = pytest.mark.django_db


def page(user, case):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client.get(f"/cases/{case.pk}/recordings/upload/")


def test_officer_gets_the_form_with_devices_officers_and_scenarios(world, new_case):
    register_device(Actor.system(), world.a, serial="DSJ-A-7", kind="body_camera")
    register_device(Actor.system(), world.b, serial="DSJ-B-7", kind="body_camera")
    case = new_case()
    response = page(world.officer, case)
    assert response.status_code == 200
    html = response.content.decode()
    for element in (
        'id="upload-form"',
        'id="upload-file"',
        'id="upload-device"',
        'id="upload-started-at"',
        'id="upload-ended-at"',
        'id="upload-start"',
        'id="upload-progress"',
        'id="upload-status"',
        "web/tus-upload.js",
    ):
        assert element in html
    assert 'data-endpoint="/api/v1/uploads/"' in html
    assert f'data-case="{case.pk}"' in html
    assert 'data-utc-offset="+08:00"' in html
    assert "DSJ-A-7" in html and "DSJ-B-7" not in html
    assert 'value="AH-0001" checked' in html  # the uploader is ticked
    assert 'value="AH-9001"' not in html  # an officer of agency B is not offered
    assert 'value="liberty_life_property"' in html


def test_the_case_page_links_to_it(world, new_case):
    case = new_case()
    client = Client()
    client.force_login(world.officer)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/recordings/upload/"' in html


def test_supervisor_is_refused_and_other_agency_sees_nothing(world, new_case):
    case = new_case()
    assert page(world.supervisor, case).status_code == 403
    assert page(world.other_officer, case).status_code == 404
