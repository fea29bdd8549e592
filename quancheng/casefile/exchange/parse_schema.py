"""The structural pass over a case exchange document (the JSON Schema), and what every pass
reports with: ``Problem``, ``InvalidCaseFile`` and paths into the document.

``check_structure`` reports every place where a document does not have the shape
``case-exchange.schema.json`` describes; the later checks in ``parse.py`` report theirs the
same way, naming paths such as ``records[3].versions[0].fields.reason``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).with_name("case-exchange.schema.json")


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidCaseFile(Exception):
    """The document cannot be used; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def format_path(parts: Any) -> str:
    """``["records", 3, "fields", "reason"]`` → ``records[3].fields.reason``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def join(prefix: str, path: str) -> str:
    """An action's path (``fields.reason``, ``officers.0``) below a document path."""
    path = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)
    if not path:
        return prefix
    if not prefix:
        return path
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _schema_problem(error: ValidationError) -> list[Problem]:
    parts = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        return [
            Problem(format_path([*parts, key]), _("Required, but missing."))
            for key in error.validator_value
            if key not in error.instance
        ]
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [
            Problem(format_path([*parts, key]), _("Unknown key."))
            for key in error.instance
            if key not in allowed
        ]
    path = format_path(parts)
    if kind == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return [Problem(path, _("Must be of type %(t)s.") % {"t": " or ".join(names)})]
    if kind == "enum":
        values = ", ".join(json.dumps(v, ensure_ascii=False) for v in error.validator_value)
        return [Problem(path, _("Must be one of: %(v)s.") % {"v": values})]
    if kind == "const":
        value = json.dumps(error.validator_value, ensure_ascii=False)
        return [Problem(path, _("Must be %(v)s.") % {"v": value})]
    if kind in ("minLength", "minItems") or (kind == "pattern" and error.validator_value == r"\S"):
        return [Problem(path, _("Must not be empty."))]
    if kind == "maxLength":
        return [
            Problem(path, _("Too long: at most %(n)d characters.") % {"n": error.validator_value})
        ]
    if kind == "uniqueItems":
        return [Problem(path, _("Must not list an item twice."))]
    if kind == "pattern":
        return [
            Problem(
                path, _("Does not have the expected form (%(p)s).") % {"p": error.validator_value}
            )
        ]
    return [Problem(path, error.message)]


def _position(error: ValidationError) -> list[tuple[int, int | str]]:
    """Document order for paths: list positions as numbers (``records[2]`` before ``[10]``)."""
    return [(0, p) if isinstance(p, int) else (1, p) for p in error.absolute_path]


def check_structure(document: Any) -> None:
    """Raise ``InvalidCaseFile`` with every structural problem the JSON Schema finds."""
    problems: list[Problem] = []
    for error in sorted(_validator().iter_errors(document), key=_position):
        problems.extend(_schema_problem(error))
    if problems:
        raise InvalidCaseFile(problems)
