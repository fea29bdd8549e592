"""``quancheng checkpoint``: sign a checkpoint of every log that grew since its last one;
with ``--every`` keep doing so at an interval until SIGTERM or SIGINT."""

from __future__ import annotations

import base64
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.ledger.actions import current_key, sign_checkpoints
from quancheng.ledger.checkpoints import schedule
from quancheng.ledger.checkpoints.keys import KeyFileError
from quancheng.ledger.checkpoints.timestamps import TimestampError
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Checkpoint
from quancheng.ledger.witnesses import witnessing


class Command(BaseCommand):
    help = "Sign checkpoints (C2SP tlog-checkpoint) of the ledger logs now."

    def add_arguments(self, parser: CommandParser) -> None:
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
        parser.add_argument(
            "--every",
            nargs="?",
            type=float,
            const=True,  # --every alone: the setting (argparse converts only str consts)
            metavar="SECONDS",
            help="keep signing at this interval (default QUANCHENG_CHECKPOINT_INTERVAL) "
            "until SIGTERM or SIGINT; one line per round on stderr",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["every"] is not None:
            if options["force"]:
                raise CommandError(_("--force cannot be used with --every."), returncode=2)
            self._every(
                options["every"],  # type: ignore[arg-type]
                options["origin"],  # type: ignore[arg-type]
                bool(options["require_timestamp"]),
            )
            return
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
            self._print(checkpoint)
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

    def _print(self, checkpoint: Checkpoint) -> None:
        root = base64.b64encode(bytes(checkpoint.root_hash)).decode()
        line = f"{checkpoint.log.origin} {checkpoint.size} {root}"
        if hasattr(checkpoint, "stamp"):
            line += " " + _("(timestamped %(time)s)") % {
                "time": checkpoint.stamp.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")
            }
        self.stdout.write(line)
        self.stdout.flush()

    def _every(
        self, seconds: float | bool, origins: list[str] | None, require_timestamp: bool
    ) -> None:
        """The scheduler: a round now, then one every ``seconds``, until a signal."""
        interval = settings.QUANCHENG_CHECKPOINT_INTERVAL if seconds is True else seconds
        if float(interval) <= 0:
            raise CommandError(
                _("The interval must be above 0 seconds (QUANCHENG_CHECKPOINT_INTERVAL 0 is off)."),
                returncode=2,
            )
        try:
            current_key()  # a missing key or passphrase will not mend itself: say so and stop
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None
        stop = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

        def report(line: str) -> None:
            self.stderr.write(line)
            self.stderr.flush()

        interval = float(interval)
        report(_("Signing checkpoints every %(s)s s.") % {"s": f"{interval:g}"})
        schedule.run_every(
            interval,
            stop,
            report,
            self._print,
            origins=origins,
            require_timestamp=require_timestamp,
        )
        report(_("Checkpoint scheduler stopped."))
