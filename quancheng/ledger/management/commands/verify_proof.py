"""``quancheng verify-proof DIR``: check a proof bundle; needs no database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from quancheng.ledger import portable


class Command(BaseCommand):
    help = "Check a case's proof bundle (written by “quancheng proof case”) without a database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory")

    def handle(self, *args: object, **options: Any) -> None:
        status = portable.main([options["directory"]], self.stdout)  # type: ignore[arg-type]
        if status:
            sys.exit(status)
