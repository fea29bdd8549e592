"""``quancheng user``: add an account with its roles (an officer with the 执法证号), list them,
set a password, or lift a sign-in lock."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.agencies.accounts import change_password, unlock
from quancheng.agencies.actions import create_user
from quancheng.agencies.choices import Role
from quancheng.agencies.models import Agency, User
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel


class Command(BaseCommand):
    help = (
        "Add an account with its roles, list the accounts of an agency, set an account's "
        "password, or lift a sign-in lock."
    )

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
        password = sub.add_parser("password", help="set an account's password")
        password.add_argument("username")
        password.add_argument(
            "--password-env",
            metavar="VAR",
            help="read the password from this environment variable (else it is asked for)",
        )
        unlock = sub.add_parser(
            "unlock", help="lift the sign-in lock on an account, an address, or both"
        )
        unlock.add_argument("username", nargs="?", help="the locked account")
        unlock.add_argument("--ip", metavar="ADDR", help="the locked address")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(options["agency"])
            return
        if options["action"] in ("password", "unlock"):
            try:
                getattr(self, "_" + options["action"])(options)
            except ActionError as exc:
                raise CommandError(str(exc), returncode=2) from exc
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
                password=self._new_password(options["password_env"]),
                full_name=options["name"],
                roles=[r.strip() for r in options["roles"].split(",") if r.strip()],
                cert_no=options["cert"],
                is_superuser=options["superuser"],
            )
        except ActionError as exc:
            raise CommandError(str(exc), returncode=2) from exc  # "path: message"
        self.stdout.write(_("Added account %(user)s.") % {"user": user.username})

    def _unlock(self, options: dict[str, Any]) -> None:
        forgotten = unlock(
            Actor.system(Channel.CLI), username=options["username"], ip_address=options["ip"]
        )
        who = " ".join(x for x in (options["username"], options["ip"]) if x)
        self.stdout.write(
            _("Unlocked %(who)s (%(n)d failed sign-ins forgotten).") % {"who": who, "n": forgotten}
        )

    def _password(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No account with that user name."), returncode=2)
        password = self._new_password(options["password_env"])
        if password is None:
            raise CommandError(_("No password given."), returncode=2)
        change_password(Actor.system(Channel.CLI), user, password)
        self.stdout.write(_("Password of %(user)s changed.") % {"user": user.username})

    def _new_password(self, variable: str | None) -> str | None:
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
