"""``quancheng export CASE``: write a stored case as an exchange document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.agencies.models import User
from quancheng.casefile.exchange.export import export_case
from quancheng.casefile.exchange.parse import Problem
from quancheng.casefile.management.commands._exchange import refuse
from quancheng.cases.actions import record_case_viewed
from quancheng.cases.models import Case
from quancheng.ledger.public import Actor, Channel


class Command(BaseCommand):
    help = "Write a case (by number or id) as a case exchange JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="case number, or the case's numeric id")
        parser.add_argument("--out", help="file to write (default: standard output)")
        parser.add_argument("--agency", help="agency code, where a case number is used twice")
        parser.add_argument("--as", dest="username", help="read as this user (scope checked)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                refuse(self, options["case"], [Problem("--as", _("No such user."))])
        case = self._case(options["case"], options["agency"], user)
        with transaction.atomic():
            document = export_case(case)
            record_case_viewed(Actor(user, Channel.CLI), case, "export")
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _case(self, key: str, agency: str | None, user: User | None) -> Case:
        cases = Case.objects.select_related("agency")
        if user is not None:
            cases = cases.visible_to(user)
        if agency:
            cases = cases.filter(agency__code=agency)
        found = list(cases.filter(number=key))
        if not found and key.isdigit():
            found = list(cases.filter(pk=int(key)))
        if not found:
            refuse(self, key, [Problem("case", _("No such case."))])
        if len(found) > 1:
            refuse(
                self,
                key,
                [Problem("case", _("Several agencies use this case number; give --agency."))],
            )
        return found[0]
