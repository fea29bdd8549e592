"""``quancheng roles``: print who may do what (the table of ``agencies/roles.py``) as
Markdown, or write it to ``docs/roles.md`` with ``--write``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from quancheng.agencies.roles_doc import DOC_PATH, roles_markdown


class Command(BaseCommand):
    help = "Print the table of who may do what, or write it to docs/roles.md (--write)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help=f"write {DOC_PATH}")

    def handle(self, *args: Any, **options: Any) -> None:
        text = roles_markdown()
        if options["write"]:
            DOC_PATH.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
