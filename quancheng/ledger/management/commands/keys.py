"""``quancheng keys init|rotate|show``: the key that signs ledger checkpoints."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.agencies.models import Agency
from quancheng.ledger.actions import current_key, init_key, rotate_key
from quancheng.ledger.checkpoints import keys
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.models import SigningKey


class Command(BaseCommand):
    help = "Create, rotate or show the ledger's checkpoint signing key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init", "rotate", "show"])
        parser.add_argument(
            "--algorithm",
            choices=["ed25519", "sm2"],
            help="init: the new key's algorithm (default sm2 when QUANCHENG_GUOMI is on, else "
            "ed25519); rotate: the new key's (default: the current key's)",
        )
        parser.add_argument(
            "--agency",
            metavar="CODE",
            help="the agency's own key, which signs its log (default: the installation's key)",
        )

    def handle(self, *args: object, **options: object) -> None:
        actor = Actor.system(Channel.CLI)
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(
                    _("No agency has the code %(code)s.") % {"code": options["agency"]}
                )
        path = keys.key_file(agency.code if agency else None)
        try:
            if options["action"] == "init":
                row = init_key(actor, options["algorithm"], agency)  # type: ignore[arg-type]
                self.stdout.write(_("Created %(path)s.") % {"path": path})
            elif options["action"] == "rotate":
                row = rotate_key(
                    actor,
                    timestamp_failed=self.stderr.write,
                    algorithm=options["algorithm"],  # type: ignore[arg-type]
                    agency=agency,
                )
                self.stdout.write(_("Rotated the key in %(path)s.") % {"path": path})
            else:
                vkey = current_key(agency).verifier_key
                row = SigningKey.objects.get(verifier_key=vkey)
        except keys.KeyFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("Verifier key: %(vkey)s") % {"vkey": row.verifier_key})
