"""``quancheng witnesses add|list``: the witnesses this installation's checkpoints go to."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Witness
from quancheng.ledger.witnesses.witnessing import add_witness


class Command(BaseCommand):
    help = "Configure the witnesses that cosign this installation's checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a witness")
        add.add_argument("name")
        add.add_argument("url", help="its submission URL prefix, or - for exchange by file")
        add.add_argument("verifier_key", help="its cosignature verifier key")
        sub.add_parser("list", help="the witnesses configured")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "add":
            url = str(options["url"])
            try:
                add_witness(
                    Actor.system(Channel.CLI),
                    str(options["name"]),
                    "" if url == "-" else url,
                    str(options["verifier_key"]),
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(_("Added witness %(name)s.") % {"name": options["name"]})
            return
        for row in Witness.objects.order_by("id"):
            self.stdout.write(f"{row.name} {row.url or '-'} {row.verifier_key}")
