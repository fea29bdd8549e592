"""``quancheng checkpoint``: sign a checkpoint of every log that grew since its last one."""

from __future__ import annotations

import base64

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quancheng.ledger import witnessing
from quancheng.ledger.actions import sign_checkpoints
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.keys import KeyFileError
from quancheng.ledger.timestamps import TimestampError


class Command(BaseCommand):
    help = "Sign checkpoints (C2SP tlog-checkpoint) of the ledger logs now."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--origin", action="append", help="only this log (repeatable)")
        parser.add_argument("--force", action="store_true", help="sign even if unchanged")
        parser.add_argument(
            "--require-timestamp",
            action="store_true",
            help="fail (exit 2, nothing written) unless the TSA stamps every checkpoint",
        )
        parser.add_argument(
            "--require-witness",
            action="store_true",
            help="exit 3 unless every witness cosigned every new checkpoint (they stand)",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            signed = sign_checkpoints(
                Actor.system(Channel.CLI),
                origins=options["origin"],  # type: ignore[arg-type]
                force=bool(options["force"]),
                require_timestamp=bool(options["require_timestamp"]),
                timestamp_failed=lambda message: self.stderr.write(message),
            )
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None
        except TimestampError as exc:
            raise CommandError(
                _("No checkpoint was written: %(e)s") % {"e": exc}, returncode=2
            ) from None
        for checkpoint in signed:
            root = base64.b64encode(bytes(checkpoint.root_hash)).decode()
            stamped = hasattr(checkpoint, "stamp")
            line = f"{checkpoint.log.origin} {checkpoint.size} {root}"
            if stamped:
                line += " " + _("(timestamped %(time)s)") % {
                    "time": checkpoint.stamp.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")
                }
            self.stdout.write(line)
        if not signed:
            self.stdout.write(_("No log grew since its last checkpoint."))
        self._witness(signed, bool(options["require_witness"]))

    def _witness(self, signed: list, required: bool) -> None:
        """Send the new checkpoints to the witnesses configured with a URL."""
        failures: list[str] = []
        if required and not witnessing.online_witnesses().exists():
            failures.append(_("No witness with a URL is configured: “quancheng witnesses add”."))
        if witnessing.online_witnesses().exists():
            stored = witnessing.submit_all(signed, failed=failures.append)
            for row in stored:
                self.stdout.write(
                    _("%(log)s %(size)s cosigned by %(witness)s")
                    % {
                        "log": row.checkpoint.log.origin,
                        "size": row.checkpoint.size,
                        "witness": row.witness.name,
                    }
                )
        for message in failures:
            self.stderr.write(message)
        if required and failures:
            raise CommandError(
                _("Not every checkpoint was cosigned; the checkpoints stand."), returncode=3
            )
