"""``quancheng serve``: migrate, collect static files, and serve with gunicorn; with a
background task worker (``quancheng db_worker``) beside it unless ``--no-worker``, and the
checkpoint scheduler (``quancheng checkpoint --every``) unless ``--no-scheduler``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from quancheng.ledger import public as keys


class Command(BaseCommand):
    help = "Apply migrations and serve the web UI and API (gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--threads",
            type=int,
            default=64,
            help="requests each worker serves at once, slow ones included (docs/deployment.md)",
        )
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a background task worker (run quancheng db_worker separately)",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not sign checkpoints at QUANCHENG_CHECKPOINT_INTERVAL "
            "(run quancheng checkpoint --every separately)",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_worker"]:
            _start(
                supervised(
                    "task worker",
                    ["-m", "quancheng.cli", "db_worker", "--no-reload", "--queue-name", "*"],
                )
            )
        self._scheduler(bool(options["no_scheduler"]))
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
            str(options["threads"]),
            "--timeout",
            "0",
            "--access-logfile",
            "-",
            # gunicorn's control socket sits at one path in $HOME by default, shared by every
            # server on the machine (test servers too); Quancheng does not use it.
            "--no-control-socket",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server

    def _scheduler(self, off: bool) -> None:
        """Start the checkpoint scheduler, or say why it is not started."""
        interval = settings.QUANCHENG_CHECKPOINT_INTERVAL
        why = scheduler_off_reason(off, interval)
        if why:
            self.stdout.write(_("Checkpoint scheduler not started: %(why)s") % {"why": why})
            return
        _start(
            supervised(
                "checkpoint scheduler",
                ["-m", "quancheng.cli", "checkpoint", "--every", str(interval)],
            )
        )
        self.stdout.write(
            _("Checkpoint scheduler: a checkpoint of every log that grew, every %(s)s s.")
            % {"s": interval}
        )


def scheduler_off_reason(off: bool, interval: int) -> str:
    """Why ``serve`` starts no checkpoint scheduler, or "" when it starts one."""
    if off:
        return _("--no-scheduler (run “quancheng checkpoint --every” yourself).")
    if interval <= 0:
        return _("QUANCHENG_CHECKPOINT_INTERVAL is 0.")
    if not os.environ.get(keys.PASSPHRASE_VAR):
        return _("%(var)s is not set.") % {"var": keys.PASSPHRASE_VAR}
    if not keys.key_file().exists():
        return _("there is no ledger key file at %(path)s (run “quancheng keys init”).") % {
            "path": keys.key_file()
        }
    return ""


def supervised(name: str, python_args: list[str]) -> list[str]:
    """The command that runs ``python PYTHON_ARGS`` under the supervisor, which starts it
    again (with a growing pause, and a log line) each time it exits."""
    return [
        sys.executable,
        "-m",
        "quancheng.agencies.supervisor",
        name,
        "--",
        sys.executable,
        *python_args,
    ]


def _start(argv: list[str]) -> None:
    """Start a helper process (the supervised task worker, the checkpoint scheduler), ended
    by the kernel when the server ends (Linux parent-death signal)."""

    def die_with_parent() -> None:
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass

    subprocess.Popen(  # noqa: S603 - fixed arguments
        argv,
        preexec_fn=die_with_parent,  # noqa: PLW1509 - only sets the parent-death signal
    )
