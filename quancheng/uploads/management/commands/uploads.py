"""``quancheng uploads expire`` (run it periodically, e.g. hourly from cron or a systemd
timer) and ``quancheng uploads list``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.ledger.public import Actor, Channel
from quancheng.uploads.actions import expire_uploads, remove_stray_parts
from quancheng.uploads.models import UNFINISHED, Upload


class Command(BaseCommand):
    help = "Expire unfinished uploads past their time (removing their part files), or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("expire", help="expire unfinished uploads past their expiry time")
        listing = sub.add_parser("list", help="list unfinished uploads")
        listing.add_argument("--all", action="store_true", help="finished ones too")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "expire":
            expired = expire_uploads(Actor.system(Channel.CLI))
            for upload in expired:
                self.stdout.write(
                    f"{upload.key}\t{upload.offset}/{upload.length}\t"
                    f"{upload.metadata.get('filename', '')}"
                )
            stray = remove_stray_parts()
            for part in stray:
                self.stdout.write(f"{part.name}\t(no upload)")
            self.stderr.write(
                _("%(n)s unfinished upload(s) expired, %(s)s stray part file(s) removed.")
                % {"n": len(expired), "s": len(stray)}
            )
            return
        uploads = Upload.objects.select_related("owner", "case").order_by("created_at")
        if not options["all"]:
            uploads = uploads.filter(state__in=UNFINISHED)
        now = timezone.now()
        for u in uploads:
            late = " (past expiry)" if u.is_unfinished and u.expires_at < now else ""
            self.stdout.write(
                f"{u.key}\t{u.state}{late}\t{u.offset}/{u.length}\t{u.owner.username}\t"
                f"{u.case.number}\t{u.metadata.get('filename', '')}"
            )
