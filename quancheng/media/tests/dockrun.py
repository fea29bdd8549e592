"""Run in a separate process by test_ingest_killed: ``setup`` makes an agency, officer and
camera in a fresh database."""

from __future__ import annotations

import sys

import django


def main(command: str) -> None:
    django.setup()
    from django.core.management import call_command

    if command == "setup":
        from quancheng.agencies.actions import create_agency, create_user
        from quancheng.devices.actions import register_device
        from quancheng.ledger.context import Actor

        call_command("migrate", verbosity=0)
        system = Actor.system()
        agency = create_agency(system, code="dock", name="甲局", level="agency", pack_id="anhui")
        create_user(
            system, agency, username="o", password=None, full_name="王", roles=["officer"],
            cert_no="AH-1",
        )  # fmt: skip
        register_device(system, agency, serial="CAM-K", kind="body_camera")


if __name__ == "__main__":
    main(sys.argv[1])
