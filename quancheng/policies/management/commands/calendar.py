"""``quancheng calendar``: load a year of the PRC working-day calendar, or show one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel
from quancheng.policies.actions import load_calendar_year
from quancheng.policies.calendars import describe_year, read_calendar_file


class Command(BaseCommand):
    help = (
        "Load a year of the working-day calendar (holidays and swapped working days) that "
        "chinese-calendar does not know yet, or show what the calendar knows of a year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="load FILE (JSON or YAML: year, holidays, workdays, source)"
        )
        load.add_argument("file", type=Path)
        show = sub.add_parser("show", help="show whether YEAR is covered and its special days")
        show.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "load":
                self._load(options["file"])
            else:
                self._show(options["year"])
        except ActionError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _load(self, path: Path) -> None:
        data = read_calendar_file(path)
        row = load_calendar_year(Actor.system(Channel.CLI), data)
        self.stdout.write(
            _("Loaded %(year)d: holidays %(holidays)d, swapped working days %(workdays)d.")
            % {"year": row.year, "holidays": len(row.holidays), "workdays": len(row.workdays)}
        )

    def _show(self, year: int) -> None:
        info = describe_year(year)
        if not info.covered:
            self.stdout.write(
                _(
                    "%(year)d: not covered. Deadlines in working days that reach it are reported, "
                    "not computed; load it with: quancheng calendar load FILE"
                )
                % {"year": year}
            )
            return
        if info.row is not None:
            origin = _("loaded %(when)s from %(source)s") % {
                "when": timezone.localtime(info.row.loaded_at).strftime("%Y-%m-%d %H:%M"),
                "source": info.row.source or _("(no source given)"),
            }
        else:
            origin = info.origin
        self.stdout.write(_("%(year)d: covered (%(origin)s)") % {"year": year, "origin": origin})
        for label, days in (
            (_("holidays"), info.holidays),
            (_("swapped working days"), info.workdays),
        ):
            listed = ", ".join(d.isoformat() for d in days) or "-"
            self.stdout.write(f"  {label} ({len(days)}): {listed}")
