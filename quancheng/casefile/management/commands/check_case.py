"""``quancheng check FILE``: evaluate a case exchange file without the database."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from quancheng.bounds import parse_moment
from quancheng.casefile.exchange.parse import InvalidCaseFile, Problem, parse_document
from quancheng.casefile.management.commands._exchange import read, refuse
from quancheng.cases.compliance import gap_tolerance
from quancheng.policies.engine import evaluate
from quancheng.policies.workdays import WorkCalendar


class Command(BaseCommand):
    help = (
        "Evaluate a case exchange file against its policy pack and print the findings as JSON. "
        "Exit 0: no error finding; 1: at least one error finding; 2: invalid input."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="case exchange JSON file, or - for standard input")
        parser.add_argument("--pack", help="evaluate under this pack instead of the file's")
        parser.add_argument(
            "--at", help="moment of evaluation with timezone, e.g. 2026-03-02T09:00:00+08:00"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="refuse (exit 2) a record without its required fields, as import does",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        at = self._moment(name, options["at"])
        document = read(self, name)
        try:
            parsed = parse_document(document, pack_id=options["pack"], strict=options["strict"])
        except InvalidCaseFile as exc:
            refuse(self, name, exc.problems)
        # The calendar of chinese-calendar alone: years loaded into a database are not
        # consulted, so the answer depends only on the file.
        result = evaluate(parsed.snapshot, parsed.pack, at, WorkCalendar(), gap_tolerance())
        report = {
            "case": parsed.snapshot.number,
            "pack": parsed.pack.id,
            "at": at.isoformat(),
            "errors": result.errors,
            "warnings": result.warnings,
            "next_deadline_at": (
                result.next_deadline_at.isoformat() if result.next_deadline_at else None
            ),
            "findings": [f.as_dict() for f in result.findings],
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if result.errors:
            raise SystemExit(1)

    def _moment(self, name: str, text: str | None) -> dt.datetime:
        if text is None:
            return timezone.localtime()
        moment, problem = parse_moment(text)
        if moment is None:
            refuse(self, name, [Problem("--at", problem or "")])
        return moment
