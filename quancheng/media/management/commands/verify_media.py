"""``quancheng verify_media [--full]``: is every original where it should be, unchanged?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quancheng.media.models import Original
from quancheng.media.verify import verify


class Command(BaseCommand):
    help = (
        "Check the media store against the database: each original present and of its size "
        "(with --full, re-hashed and compared with its SHA-256), and no stored file without "
        "its row. Exit 0: all in order; 1: problems (listed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="re-hash every original (reads all bytes)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify(full=options["full"]))
        for problem in problems:
            self.stdout.write(f"{problem.key}: {problem.message}")
        self.stdout.write(
            _("%(count)d originals checked, %(problems)d problems.")
            % {"count": Original.objects.count(), "problems": len(problems)}
        )
        if problems:
            raise CommandError(_("The media store has problems (see above)."), returncode=1)
