"""``quancheng serve``: migrate, collect static files, and serve with gunicorn."""

from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Apply migrations and serve the web UI and API (gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Quancheng: http://{options['bind']}/")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "quancheng.wsgi:application",
            "--bind",
            str(options["bind"]),
            "--workers",
            str(options["workers"]),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "0",
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
