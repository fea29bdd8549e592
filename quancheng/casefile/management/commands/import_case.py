"""``quancheng import FILE``: create a case from an exchange file, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from quancheng.agencies.models import Agency, User
from quancheng.casefile.exchange.load import import_case
from quancheng.casefile.exchange.parse import InvalidCaseFile, Problem
from quancheng.casefile.management.commands._exchange import read, refuse
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel


class Command(BaseCommand):
    help = "Import a case exchange file into an agency. Exit 2 and nothing written on any problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="case exchange JSON file, or - for standard input")
        parser.add_argument("--agency", help="code of the agency to import into")
        parser.add_argument(
            "--as",
            dest="username",
            help="act as this user (their roles are checked); default: the system",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        user = None
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                refuse(self, name, [Problem("--as", _("No such user."))])
        agency = self._agency(name, options["agency"], user)
        document = read(self, name)
        try:
            case = import_case(Actor(user, Channel.IMPORT), agency, document)
        except InvalidCaseFile as exc:
            refuse(self, name, exc.problems)
        except ActionError as exc:
            refuse(self, name, [Problem(exc.path, exc.message)])
        self.stdout.write(
            _("Imported case %(number)s (id %(id)d) into %(agency)s.")
            % {"number": case.number, "id": case.pk, "agency": agency.code}
        )

    def _agency(self, name: str, code: str | None, user: User | None) -> Agency:
        if code:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                refuse(self, name, [Problem("--agency", _("No agency with that code."))])
            return agency
        if user is not None and user.agency is not None:
            return user.agency.enforcement_agency
        return refuse(self, name, [Problem("--agency", _("Say which agency to import into."))])
