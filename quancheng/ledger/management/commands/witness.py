"""``quancheng witness init|show|add-log|logs``: this installation as a witness of other
installations' logs (C2SP tlog-witness)."""

from __future__ import annotations

import base64

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.ledger.checkpoints.keys import KeyFileError
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.models import WitnessedLog
from quancheng.ledger.witnesses import witness


class Command(BaseCommand):
    help = "Act as a witness: create its key, show it, add a log to witness, list the logs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="create the witness key file")
        sub.add_parser("show", help="print the witness's verifier key")
        add = sub.add_parser("add-log", help="witness a log signed by a key")
        add.add_argument("origin")
        add.add_argument("verifier_key", help="the log's checkpoint verifier key")
        sub.add_parser("logs", help="the logs witnessed and the size held")
        held = sub.add_parser(
            "held",
            help="the latest checkpoint held of a log, with this witness's cosignature, as a "
            "signed note (for `quancheng verify --against` at the log's installation)",
        )
        held.add_argument("origin")

    def handle(self, *args: object, **options: object) -> None:
        actor = Actor.system(Channel.CLI)
        action = options["action"]
        try:
            if action == "init":
                row = witness.init_key(actor)
                self.stdout.write(_("Created %(path)s.") % {"path": witness.key_file()})
                self.stdout.write(_("Verifier key: %(vkey)s") % {"vkey": row.verifier_key})
            elif action == "show":
                vkey = witness.current_signer().verifier_key
                self.stdout.write(_("Verifier key: %(vkey)s") % {"vkey": vkey})
            elif action == "add-log":
                witness.add_log(actor, str(options["origin"]), str(options["verifier_key"]))
                self.stdout.write(_("Witnessing %(origin)s.") % {"origin": options["origin"]})
            elif action == "held":
                self.stdout.write(witness.held_note(str(options["origin"])), ending="")
            else:
                self._logs()
        except (KeyFileError, ValueError) as exc:
            raise CommandError(str(exc)) from None

    def _logs(self) -> None:
        for log in WitnessedLog.objects.order_by("id"):
            last = witness.held(log)
            if last is None:
                self.stdout.write(f"{log.origin} 0")
            else:
                root = base64.b64encode(bytes(last.root_hash)).decode()
                self.stdout.write(f"{log.origin} {last.size} {root}")
