"""Prepares the database a browser test serves: migrations, then an agency and an officer
made through the actions. Run as a script with the server's environment."""

from __future__ import annotations

import django


def seed() -> None:
    from django.core.management import call_command

    from quancheng.agencies.actions import create_agency, create_user
    from quancheng.ledger.context import Actor

    call_command("migrate", interactive=False, verbosity=0)
    system = Actor.system()
    agency = create_agency(
        system, code="e2e-agency", name="端到端市场监管局", level="agency", pack_id="anhui"
    )
    create_user(
        system,
        agency,
        username="e2e-officer",
        password="e2e-password-7",
        full_name="王执法",
        roles=["officer"],
        cert_no="E2E-0001",
    )
    create_user(
        system,
        agency,
        username="e2e-admin",
        password="e2e-password-8",
        full_name="赵管理",
        roles=["administrator"],
    )


if __name__ == "__main__":
    django.setup()
    seed()
