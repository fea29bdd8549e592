"""Prepares the database the OpenAPI fuzz test serves: migrations, a city with a supervisor
over an agency with an officer (both with API tokens), a body camera, and a case with a
record, all made through the actions. Prints the ids and tokens as JSON. Run as a script
with the server's environment."""

from __future__ import annotations

import datetime as dt
import json

import django


def seed() -> dict[str, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from quancheng.agencies.actions import create_agency, create_user
    from quancheng.api.actions import create_token
    from quancheng.cases.actions import add_record, open_case
    from quancheng.devices.actions import register_device
    from quancheng.ledger.context import Actor

    call_command("migrate", interactive=False, verbosity=0)
    system = Actor.system()
    city = create_agency(system, code="city", name="市司法局", level="city", pack_id="anhui")
    agency = create_agency(
        system, code="agency-a", name="甲市场监管局", level="agency", pack_id="anhui", parent=city
    )
    officer = create_user(
        system,
        agency,
        username="officer",
        password="fuzz-password-7",
        full_name="李执法",
        roles=["officer", "device_keeper"],
        cert_no="AH-0001",
    )
    supervisor = create_user(
        system, city, username="supervisor", password=None, full_name="王监督", roles=["supervisor"]
    )
    register_device(system, agency, serial="DSJ-001", kind="body_camera")
    case = open_case(
        Actor(officer, "api"),
        agency,
        number="皖测罚〔2026〕1号",
        title="无照经营",
        action_types=["penalty"],
        start_mode="ex_officio",
        opened_at=timezone.now() - dt.timedelta(days=1),
        officers=[officer.officer],
    )
    record = add_record(
        Actor(officer, "api"),
        case,
        "ex_officio_start",
        {"source": "inspection", "reason": "现场检查发现无照经营。"},
        timezone.now() - dt.timedelta(hours=20),
        strict=False,
    )
    return {
        "case": case.pk,
        "record": record.pk,
        "serial": "DSJ-001",
        "officer": create_token(system, officer, "fuzz")[1],
        "supervisor": create_token(system, supervisor, "fuzz")[1],
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed()))  # noqa: T201
