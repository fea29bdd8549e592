"""``quancheng process_media``: queue (or run) the metadata, thumbnail and proxy work for
stored originals — those never probed, or all of them with ``--reprobe``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from quancheng.media.models import Original
from quancheng.media.processing import process
from quancheng.media.tasks import process_original


class Command(BaseCommand):
    help = (
        "Queue the background processing (ffprobe metadata, thumbnail, browser-playable "
        "copy) of stored originals not yet probed; the worker (quancheng db_worker) runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sha256", nargs="*", help="only these originals (SHA-256 digests)")
        parser.add_argument(
            "--reprobe", action="store_true", help="probe again originals probed before"
        )
        parser.add_argument(
            "--now", action="store_true", help="do the work here instead of queueing it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        originals = Original.objects.filter(recordings__isnull=False).distinct()
        if options["sha256"]:
            originals = originals.filter(sha256__in=[s.lower() for s in options["sha256"]])
        if not options["reprobe"]:
            originals = originals.filter(media_infos__isnull=True)
        count = 0
        for original in originals.order_by("id").iterator():
            if options["now"]:
                outcome = process(original, reprobe=bool(options["reprobe"]))
                self.stdout.write(f"{original.sha256} {outcome.as_json()}")
            else:
                with transaction.atomic():
                    process_original.enqueue(original.pk, reprobe=bool(options["reprobe"]))
            count += 1
        verb = "processed" if options["now"] else "queued"
        self.stdout.write(f"{count} original(s) {verb}.")
