"""Prepares the database of the live tus test: migrations, an agency, an officer with an API
token, a body camera and a case, all made through the actions. Prints what the test needs
as JSON. Run as a script with the server's environment."""

from __future__ import annotations

import datetime as dt
import json

import django


def seed() -> dict[str, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from quancheng.agencies.actions import create_agency, create_user
    from quancheng.api.actions import create_token
    from quancheng.cases.actions import open_case
    from quancheng.devices.actions import register_device
    from quancheng.ledger.context import Actor

    call_command("migrate", interactive=False, verbosity=0)
    system = Actor.system()
    agency = create_agency(
        system, code="tus-agency", name="断点续传市场监管局", level="agency", pack_id="anhui"
    )
    officer = create_user(
        system,
        agency,
        username="tus-officer",
        password="tus-password-7",
        full_name="李执法",
        roles=["officer"],
        cert_no="TUS-0001",
    )
    register_device(system, agency, serial="TUS-CAM-1", kind="body_camera")
    case = open_case(
        Actor(officer, "web"),
        agency,
        number="皖续罚〔2026〕1号",
        title="无照经营",
        action_types=["penalty"],
        start_mode="ex_officio",
        opened_at=timezone.now() - dt.timedelta(days=1),
        officers=[officer.officer],
    )
    return {
        "case": case.pk,
        "token": create_token(system, officer, "live tus test")[1],
        "username": "tus-officer",
        "password": "tus-password-7",
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed()))  # noqa: T201
