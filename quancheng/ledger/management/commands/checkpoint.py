"""``quancheng checkpoint``: sign a checkpoint of every log that grew since its last one."""

from __future__ import annotations

import base64

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quancheng.ledger.actions import sign_checkpoints
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.keys import KeyFileError


class Command(BaseCommand):
    help = "Sign checkpoints (C2SP tlog-checkpoint) of the ledger logs now."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--origin", action="append", help="only this log (repeatable)")
        parser.add_argument("--force", action="store_true", help="sign even if unchanged")

    def handle(self, *args: object, **options: object) -> None:
        try:
            signed = sign_checkpoints(
                Actor.system(Channel.CLI), origins=options["origin"], force=bool(options["force"])
            )
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None
        for checkpoint in signed:
            root = base64.b64encode(bytes(checkpoint.root_hash)).decode()
            self.stdout.write(f"{checkpoint.log.origin} {checkpoint.size} {root}")
        if not signed:
            self.stdout.write(_("No log grew since its last checkpoint."))
