"""``quancheng verify``: recompute the ledger, check every checkpoint; exit 0 only if all holds."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quancheng.ledger.verify import verify_ledger


class Command(BaseCommand):
    help = "Recompute every ledger leaf, tree and checkpoint signature; name what fails."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--quiet", action="store_true", help="print problems only")

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()

        def progress(origin: str, done: int, total: int) -> None:
            if not options["quiet"]:
                self.stderr.write(f"[{done}/{total}] {origin}")

        report = verify_ledger(progress)
        for problem in report.problems:
            self.stdout.write(problem.message)
        for code, count in sorted(report.more.items()):
            more = _("… and %(n)s more problems of kind “%(code)s”.")
            self.stdout.write(more % {"n": count, "code": code})
        summary = _(
            "%(facts)s facts in %(logs)s logs, %(checkpoints)s checkpoints, in %(s).1f s."
        ) % {
            "facts": report.facts,
            "logs": report.logs,
            "checkpoints": report.checkpoints,
            "s": time.perf_counter() - started,
        }
        if not report.ok:
            total = len(report.problems) + sum(report.more.values())
            raise CommandError(
                _("Verification FAILED: %(n)s problems. %(summary)s")
                % {"n": total, "summary": summary},
                returncode=1,
            )
        self.stdout.write(_("Verified: %(summary)s") % {"summary": summary})
