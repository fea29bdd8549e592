"""Loading the demo data once, and refusing to where demo accounts would be a hole."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.agencies.models import Agency
from quancheng.cases.compliance import deferred_refresh
from quancheng.cases.models import Case
from quancheng.demo.build import CaseBuilder
from quancheng.demo.cases import CaseSpec, Plan, case_specs
from quancheng.demo.people import CODE_PREFIX, Directory, Login, Staff
from quancheng.errors import ActionError
from quancheng.policies.registry import all_packs
from quancheng.policies.workdays import default_calendar


@dataclass
class SeedReport:
    logins: list[Login]
    staff: list[Staff]
    built: list[tuple[Case, CaseSpec]] = field(default_factory=list)
    existing: int = 0


def refusal(force: bool = False) -> str | None:
    """Why demo data must not go into this database, or None when it may.

    The demo's accounts share a published password. A deployment (DEBUG off, a real database
    server) or a database that already holds an agency's own data must not get them by
    accident; ``--force`` says it is meant. Asked before migrating, so a refused database is
    left untouched.
    """
    if force:
        return None
    if not settings.DEBUG and connection.vendor != "sqlite":
        return _(
            "Refusing to load demo data: DEBUG is off and DATABASE_URL points at a database "
            "server, which looks like a deployment. Demo accounts share a published password. "
            "Use --force if this database is only for trying Quancheng out."
        )
    migrated = Agency._meta.db_table in connection.introspection.table_names()
    if migrated and Agency.objects.exclude(code__startswith=CODE_PREFIX).exists():
        return _(
            "Refusing to load demo data: this database already holds agencies that are not "
            "part of the demo, and demo accounts share a published password. Use another "
            "QUANCHENG_DATA_DIR (or --force if that is really meant)."
        )
    return None


def seed(pack_ids: list[str] | None = None) -> SeedReport:
    """Make whatever part of the demo is missing; what exists is left as it is."""
    packs = all_packs()
    chosen = [packs[p] for p in (pack_ids or sorted(packs))]
    if not chosen:
        raise ActionError(_("No policy pack is installed."), "packs")
    now = timezone.now()
    calendar = default_calendar()
    with transaction.atomic(), deferred_refresh():
        directory = Directory()
        district = directory.hierarchy(chosen[0].id)
        report = SeedReport(directory.logins, [])
        for pack in chosen:
            index = sorted(packs).index(pack.id)
            staff = directory.staff(district, pack, index)
            report.staff.append(staff)
            for spec in case_specs(Plan(staff, now, calendar)):
                if Case.objects.filter(agency=staff.agency, title=spec.title).exists():
                    report.existing += 1
                    continue
                case = CaseBuilder(staff, spec, calendar).build()
                report.built.append((case, spec))
    return report
