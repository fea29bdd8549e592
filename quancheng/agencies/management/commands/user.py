"""``quancheng user``: add an account with its roles (an officer with the 执法证号), or list."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.agencies.actions import create_user
from quancheng.agencies.choices import Role
from quancheng.agencies.models import Agency, User
from quancheng.cases.validation import ActionError
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor


class Command(BaseCommand):
    help = "Add an account with its roles, or list the accounts of an agency."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an account")
        add.add_argument("username")
        add.add_argument("--agency", help="code of the user's agency (not for an administrator)")
        add.add_argument("--name", required=True, help="full name")
        add.add_argument(
            "--roles",
            required=True,
            help="comma-separated: " + ", ".join(Role.values),
        )
        add.add_argument("--cert", default="", help="执法证号 (required for an officer)")
        add.add_argument("--superuser", action="store_true", help="an administrator account")
        add.add_argument(
            "--password-env",
            metavar="VAR",
            help="read the password from this environment variable (else it is asked for)",
        )
        listing = sub.add_parser("list", help="list accounts")
        listing.add_argument("--agency", help="only this agency's")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(options["agency"])
            return
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(_("No agency with that code."), returncode=2)
        try:
            user = create_user(
                Actor.system(Channel.CLI),
                agency,
                username=options["username"],
                password=self._password(options["password_env"]),
                full_name=options["name"],
                roles=[r.strip() for r in options["roles"].split(",") if r.strip()],
                cert_no=options["cert"],
                is_superuser=options["superuser"],
            )
        except ActionError as exc:
            raise CommandError(f"{exc.path}: {exc}", returncode=2) from exc
        self.stdout.write(_("Added account %(user)s.") % {"user": user.username})

    def _password(self, variable: str | None) -> str | None:
        if variable:
            value = os.environ.get(variable, "")
            if not value:
                raise CommandError(
                    _("The environment variable %(v)s is empty.") % {"v": variable}, returncode=2
                )
            return value
        if not sys.stdin.isatty():
            return None  # no way to ask: the account cannot sign in until a password is set
        first = getpass.getpass(_("Password: "))
        if first != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The passwords differ."), returncode=2)
        return first or None

    def _list(self, code: str | None) -> None:
        users = User.objects.select_related("agency").order_by("agency__path", "username")
        if code:
            users = users.filter(agency__code=code)
        for user in users:
            agency = user.agency.code if user.agency else "-"
            self.stdout.write(
                f"{user.username}  {user.full_name}  {agency}  {','.join(user.roles)}"
            )
