"""``quancheng agency``: add an agency to the hierarchy, or list it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.agencies.actions import create_agency
from quancheng.agencies.choices import AgencyLevel
from quancheng.agencies.models import Agency
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel


class Command(BaseCommand):
    help = "Add an agency (province, city, district, enforcement agency or work group), or list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an agency")
        add.add_argument("code", help="short unique code, e.g. hf-scjg")
        add.add_argument("name", help="full name, e.g. 合肥市市场监督管理局")
        add.add_argument("--level", required=True, choices=AgencyLevel.values)
        add.add_argument("--pack", required=True, help="policy pack id, e.g. anhui")
        add.add_argument("--parent", help="code of the agency above it")
        sub.add_parser("list", help="list the hierarchy")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
            return
        parent = None
        if options["parent"]:
            parent = Agency.objects.filter(code=options["parent"]).first()
            if parent is None:
                raise CommandError(_("No agency with that code."), returncode=2)
        try:
            agency = create_agency(
                Actor.system(Channel.CLI),
                code=options["code"],
                name=options["name"],
                level=options["level"],
                pack_id=options["pack"],
                parent=parent,
            )
        except ActionError as exc:
            raise CommandError(f"{exc.path}: {exc}", returncode=2) from exc
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(problems, returncode=2) from exc
        self.stdout.write(
            _("Added %(agency)s (%(code)s).") % {"agency": agency, "code": agency.code}
        )

    def _list(self) -> None:
        for agency in Agency.objects.order_by("path"):
            depth = agency.path.count("/") - 2
            self.stdout.write(
                f"{'  ' * max(depth, 0)}{agency.code}  {agency.name}  "
                f"[{agency.get_level_display()}, {agency.pack_id}]"
            )
