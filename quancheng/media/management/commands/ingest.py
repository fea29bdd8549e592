"""``quancheng ingest DIR --device SERIAL --officer CERT_NO [--case NUMBER]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel
from quancheng.media.ingest import ingest_directory, resolve


class Command(BaseCommand):
    help = (
        "Import everything a body camera's dock station copied into DIR (video, audio, photos "
        "and the camera's metadata files) as originals and recordings of the device and "
        "officer. Running it again imports nothing new; a killed run is completed by a rerun. "
        "Exit 0: all imported or skipped; 1: some files failed; 2: invalid arguments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="the folder the dock station copied into")
        parser.add_argument("--device", required=True, help="serial number of the device")
        parser.add_argument(
            "--officer", required=True, help="enforcement certificate number of the officer"
        )
        parser.add_argument("--case", help="number of the case the recordings belong to")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(_("%(dir)s is not a directory.") % {"dir": directory}, returncode=2)
        try:
            target = resolve(options["device"], options["officer"], options["case"])
        except ActionError as exc:
            raise CommandError(exc.message, returncode=2) from None
        bar = tqdm(
            total=0,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=self.stderr._out,  # the raw stream: the bar redraws its line with \r
            disable=options["no_progress"],
            desc=_("Importing"),
        )

        def set_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        with bar:
            summary = ingest_directory(
                directory,
                target,
                Actor.system(Channel.CLI),
                progress=bar.update,
                on_total=set_total,
            )
        out = self.stdout
        out.write(
            _("Imported %(imported)d, skipped %(skipped)d, failed %(failed)d.")
            % {
                "imported": len(summary.imported),
                "skipped": len(summary.skipped),
                "failed": len(summary.failed),
            }
        )
        for name, reason in summary.skipped:
            line = _("skipped %(name)s: %(reason)s") % {"name": name, "reason": reason}
            out.write("  " + line)
        for name, reason in summary.failed:
            # repr() shows control characters in a refused name instead of sending them
            line = _("FAILED %(name)s: %(reason)s") % {"name": repr(name)[1:-1], "reason": reason}
            out.write("  " + line)
        if summary.failed:
            raise CommandError(_("Some files were not imported (see above)."), returncode=1)
