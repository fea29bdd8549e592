"""What the exchange commands share: reading the file, reporting invalid input."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand

from quancheng.casefile.exchange.parse import InvalidCaseFile, Problem
from quancheng.casefile.exchange.read import max_bytes, read_document

INVALID = 2


def read(command: BaseCommand, name: str) -> dict[str, Any]:
    """The document in file ``name`` (``-`` for standard input)."""
    try:
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)  # a text stream in tests has none
            if stream is None:
                return read_document("-", sys.stdin.read(max_bytes() + 1))
            return read_document("-", stream=stream)
        return read_document(name)
    except InvalidCaseFile as exc:
        refuse(command, name, exc.problems)


def refuse(command: BaseCommand, name: str, problems: list[Problem]) -> NoReturn:
    """Every problem on stderr, one a line, then exit 2."""
    for problem in problems:
        command.stderr.write(f"{name}: {problem}")
    raise SystemExit(INVALID)
