"""``quancheng serve``: migrate, collect static files, and serve with gunicorn; with a
background task worker (``quancheng db_worker``) beside it unless ``--no-worker``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Apply migrations and serve the web UI and API (gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a background task worker (run quancheng db_worker separately)",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_worker"]:
            _start_worker()
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


def _start_worker() -> None:
    """One ``quancheng db_worker`` for the background tasks (thumbnails, playable copies),
    ended by the kernel when the server ends (Linux parent-death signal)."""

    def die_with_parent() -> None:
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass

    subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "quancheng.cli", "db_worker", "--no-reload", "--queue-name", "*"],
        preexec_fn=die_with_parent,  # noqa: PLW1509 - only sets the parent-death signal
    )
