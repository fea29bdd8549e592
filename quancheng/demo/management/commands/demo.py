"""``quancheng demo [--serve]``: load the demo data, print the logins, and optionally serve."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from quancheng.agencies.choices import Role
from quancheng.demo.keys import prepare_keys, sign_checkpoint, use_demo_passphrases
from quancheng.demo.people import DEMO_PASSWORD
from quancheng.demo.seed import SeedReport, refusal, seed
from quancheng.errors import ActionError
from quancheng.policies.registry import all_packs


class Command(BaseCommand):
    help = (
        "Load demo data (agencies for every installed policy pack, accounts for every role, "
        "devices and cases in typical states), print the demo logins, and with --serve start "
        "the server. Running it again creates nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--serve", action="store_true", help="start the server afterwards")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on")
        parser.add_argument(
            "--pack", action="append", dest="packs", help="only this pack (repeatable)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="load demo accounts even where the database looks like a deployment",
        )

    def handle(self, *args: object, **options: object) -> None:
        packs: list[str] | None = options["packs"] or None  # type: ignore[assignment]
        unknown = [p for p in packs or [] if p not in all_packs()]
        if unknown:
            raise CommandError(_("Unknown policy pack “%(pack)s”.") % {"pack": unknown[0]})
        reason = refusal(bool(options["force"]))
        if reason:
            raise CommandError(reason)
        call_command("migrate", interactive=False, verbosity=0)
        use_demo_passphrases()
        try:
            report = seed(packs)
            prepare_keys(report.staff)
            sign_checkpoint()
        except ActionError as exc:
            raise CommandError(str(exc)) from exc
        host, port = str(options["host"]), int(options["port"])  # type: ignore[call-overload]
        address = f"[{host}]" if ":" in host else host
        self.print_report(report, f"http://{address}:{port}")
        if address not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(
                _("Note: only host names in QUANCHENG_ALLOWED_HOSTS are served (now: %(hosts)s).")
                % {"hosts": ", ".join(settings.ALLOWED_HOSTS)}
            )
        if options["serve"]:
            self.stdout.flush()
            call_command("serve", bind=f"{address}:{port}", no_migrate=True)

    def print_report(self, report: SeedReport, base_url: str) -> None:
        counts = {"agencies": len(report.staff), "made": len(report.built), "kept": report.existing}
        self.stdout.write(
            _("Demo data: %(agencies)d enforcement agencies; %(made)d cases made, %(kept)d kept.")
            % counts
        )
        header = (_("User name"), _("Password"), _("Role"), _("Agency"))
        rows = [
            (login.username, DEMO_PASSWORD, roles_label(login.roles), login.agency)
            for login in report.logins
        ]
        self.stdout.write("")
        for line in table([header, *rows]):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(_("Sign in at %(url)s") % {"url": base_url + sign_in_path()})
        officer = next((x.username for x in report.logins if Role.OFFICER in x.roles), "")
        if officer and serves("/api/v1/docs"):
            self.stdout.write(
                _("API: %(url)s (a token: quancheng token create %(user)s)")
                % {"url": base_url + "/api/v1/docs", "user": officer}
            )
        self.stdout.write(
            _("These accounts share a published password: for trying Quancheng out only.")
        )


def roles_label(roles: list[str]) -> str:
    return "、".join(str(Role(r).label) for r in roles)


def serves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def sign_in_path() -> str:
    """The web UI's sign-in page, or the admin's while the UI has none."""
    for name in ("login", "admin:login"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines
