"""``quancheng verify``: recompute the ledger, check every checkpoint and timestamp, compare
every row a fact describes with the facts, re-hash every stored file; exit 0 only if all
holds."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quancheng.ledger.verification.held import read_held
from quancheng.ledger.verification.runs import as_json, run
from quancheng.ledger.verification.verify import Report

PHASES = {
    "facts": gettext_lazy("facts"),
    "rows": gettext_lazy("rows"),
    "originals": gettext_lazy("originals"),
    "documents": gettext_lazy("document PDFs"),
}


class Command(BaseCommand):
    help = (
        "Recompute every ledger leaf, tree, checkpoint signature and timestamp, compare the "
        "rows users see with the facts about them, and re-hash every stored original and "
        "document PDF; name what fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print problems only")
        parser.add_argument(
            "--json", action="store_true", help="print a machine-readable report on stdout"
        )
        parser.add_argument(
            "--against",
            action="append",
            type=Path,
            default=[],
            metavar="FILE",
            help="a checkpoint note held elsewhere (by a witness: `quancheng witness held`, a "
            "court, a proof bundle); the log must still agree with it (repeatable)",
        )

    def handle(self, *args: object, **options: Any) -> None:
        try:
            held = [read_held(path) for path in options["against"]]
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        started = time.perf_counter()
        with self._progress(quiet=options["quiet"] or options["json"]) as tick:
            report = run(tick, held)
        seconds = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps(as_json(report, seconds), ensure_ascii=False, indent=2))
            if not report.ok:
                raise CommandError(_("Verification FAILED."), returncode=1)
            return
        self._print(report, seconds)

    def _progress(self, *, quiet: bool) -> Any:
        """A tqdm bar on stderr when it is a terminal; a line per phase otherwise."""
        command = self

        class Progress:
            bar: Any = None
            phase = ""

            def __enter__(self) -> Any:
                return None if quiet else self.tick

            def tick(self, phase: str, done: int, total: int) -> None:
                if _tty(command.stderr):
                    if self.bar is None:
                        from tqdm import tqdm

                        self.bar = tqdm(total=total, unit="", file=command.stderr._out, leave=False)
                    self.bar.total = total
                    self.bar.set_description(str(PHASES.get(phase, phase)))
                    self.bar.update(done - self.bar.n)
                elif phase != self.phase:
                    command.stderr.write(_("Checking %(what)s …") % {"what": PHASES[phase]})
                self.phase = phase

            def __exit__(self, *exc: object) -> None:
                if self.bar is not None:
                    self.bar.close()

        return Progress()

    def _print(self, report: Report, seconds: float) -> None:
        for problem in report.problems:
            self.stdout.write(problem.message)
        for code, count in sorted(report.more.items()):
            more = _("… and %(n)s more problems of kind “%(code)s”.")
            self.stdout.write(more % {"n": count, "code": code})
        summary = _(
            "%(facts)s facts in %(logs)s logs, %(checkpoints)s checkpoints (%(timestamps)s "
            "timestamped), %(originals)s originals, %(documents)s document PDFs, in %(s).1f s."
        ) % {
            "facts": report.facts,
            "logs": report.logs,
            "checkpoints": report.checkpoints,
            "timestamps": report.timestamps,
            "originals": report.originals,
            "documents": report.documents,
            "s": seconds,
        }
        if report.tables:
            summary += " " + _(
                "The rows of %(tables)s tables were compared with the facts about them."
            ) % {"tables": report.tables}
        if report.cosignatures or report.witnessed:
            summary += " " + _(
                "%(cosignatures)s cosignatures by witnesses; %(witnessed)s checkpoints cosigned "
                "as a witness."
            ) % {"cosignatures": report.cosignatures, "witnessed": report.witnessed}
        if report.held:
            summary += " " + _("Checked against %(n)s checkpoints held elsewhere.") % {
                "n": report.held
            }
        if not report.ok:
            total = len(report.problems) + sum(report.more.values())
            raise CommandError(
                _("Verification FAILED: %(n)s problems. %(summary)s")
                % {"n": total, "summary": summary},
                returncode=1,
            )
        self.stdout.write(_("Verified: %(summary)s") % {"summary": summary})


def _tty(stream: Any) -> bool:
    out = getattr(stream, "_out", stream)
    return bool(getattr(out, "isatty", lambda: False)())
