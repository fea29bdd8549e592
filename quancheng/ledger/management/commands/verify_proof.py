"""``quancheng verify-proof DIR [--lang zh|en]``: check a proof bundle; needs no database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import get_language

from quancheng.ledger import portable


class Command(BaseCommand):
    help = "Check a case's proof bundle (written by “quancheng proof case”) without a database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory")
        parser.add_argument("--lang", help="zh or en (default: the language of the CLI)")

    def handle(self, *args: object, **options: Any) -> None:
        argv = [options["directory"]]
        if options["lang"] is not None:
            argv += ["--lang", options["lang"]]  # checked by portable, like the bundle's copy
        language = portable.language_for(get_language())
        status = portable.main(argv, self.stdout, language)  # type: ignore[arg-type]
        if status:
            sys.exit(status)
