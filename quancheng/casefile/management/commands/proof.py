"""``quancheng proof fact|consistency|case``: inclusion and consistency proofs, and a case's
portable proof bundle (docs/ledger.md, "Proofs")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.casefile.bundle import find_case, write_bundle
from quancheng.ledger import public as proofs
from quancheng.ledger import reconcile
from quancheng.ledger.public import Actor, Channel, Point, ProofError


class Command(BaseCommand):
    help = "Inclusion proof of a fact, consistency proof between checkpoints, case bundle."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        fact = sub.add_parser("fact", help="inclusion proof of a fact (JSON)")
        fact.add_argument("fact_id", type=int)
        fact.add_argument(
            "--checkpoint", type=int, help="against this checkpoint (default: the latest)"
        )
        cons = sub.add_parser("consistency", help="consistency proof between two checkpoints")
        cons.add_argument("first", type=int, help="checkpoint id (a tree size with --origin)")
        cons.add_argument("second", type=int, help="checkpoint id (a tree size with --origin)")
        cons.add_argument("--origin", help="FIRST and SECOND are tree sizes of this log")
        case = sub.add_parser("case", help="write a case's portable proof bundle")
        case.add_argument("case", help="case number or id")
        case.add_argument("--out", required=True, type=Path, help="directory to write")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            getattr(self, f"_{options['what']}")(options)
        except ProofError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _print(self, value: object) -> None:
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2))

    def _fact(self, options: dict[str, Any]) -> None:
        fact = proofs.fact_for(None, options["fact_id"])
        checkpoint = None
        if options["checkpoint"] is not None:
            checkpoint = proofs.checkpoint_for(None, options["checkpoint"])
        self._print(proofs.inclusion(fact, checkpoint))

    def _consistency(self, options: dict[str, Any]) -> None:
        if options["origin"]:
            log = proofs.log_for(None, options["origin"])
            old, new = Point(log, options["first"]), Point(log, options["second"])
        else:
            old = Point.of(proofs.checkpoint_for(None, options["first"]))
            new = Point.of(proofs.checkpoint_for(None, options["second"]))
        self._print(proofs.consistency(old, new))

    def _case(self, options: dict[str, Any]) -> None:
        case = find_case(options["case"])
        actor = Actor.system(Channel.CLI)
        written = write_bundle(case, options["out"], actor)
        reconcile.case_viewed(actor, case, "proof")
        self.stdout.write(
            _("Wrote %(n)s facts with their proofs to %(dir)s; check it with “%(cmd)s”.")
            % {
                "n": written.facts,
                "dir": written.directory,
                "cmd": f"python {written.directory / 'verify_proof.py'} {written.directory}",
            }
        )
