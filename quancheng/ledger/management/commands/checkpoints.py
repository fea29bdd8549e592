"""``quancheng checkpoints export|import``: witnessing by file (docs/ledger.md, "Witnesses").

Log side: ``export --witness NAME --out FILE`` writes the add-checkpoint requests;
``import REPLYFILE`` checks and stores the cosignatures. Witness side: ``import FILE --out
REPLYFILE`` checks and cosigns the requests and writes the answers."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.ledger.checkpoints.keys import KeyFileError
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.witnesses import files as witness_files


def _write(path: str, data: dict) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")


class Command(BaseCommand):
    help = "Exchange checkpoints and cosignatures with a witness by file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the requests for a witness")
        export.add_argument("--witness", required=True, help="the witness's name")
        export.add_argument("--out", required=True, help="the file to write")
        imp = sub.add_parser("import", help="read a request file (witness) or reply file")
        imp.add_argument("file")
        imp.add_argument("--out", help="witness side: where to write the reply file")

    def handle(self, *args: object, **options: object) -> None:
        try:
            if options["action"] == "export":
                data = witness_files.export_requests(str(options["witness"]))
                _write(str(options["out"]), data)
                self.stdout.write(
                    _("%(n)s checkpoint(s) written to %(out)s.")
                    % {"n": len(data["requests"]), "out": options["out"]}
                )
                return
            self._import(str(options["file"]), options["out"])  # type: ignore[arg-type]
        except (witness_files.FileError, KeyFileError, OSError) as exc:
            raise CommandError(str(exc)) from None

    def _import(self, path: str, out: str | None) -> None:
        text = Path(path).read_text("utf-8")
        if witness_files.load(text)["format"] == witness_files.REQUESTS and not out:
            raise CommandError(_("A request file is answered into a reply file: give --out."))
        outcome = witness_files.import_file(Actor.system(Channel.CLI), text)
        for line in outcome.lines:
            self.stdout.write(line)
        for line in outcome.errors:
            self.stderr.write(line)
        if outcome.replies is not None and out:
            _write(out, outcome.replies)
            self.stdout.write(_("Replies written to %(out)s.") % {"out": out})
        if outcome.errors:
            raise CommandError(_("Not every checkpoint was cosigned."), returncode=1)
