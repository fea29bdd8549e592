"""Checking what a user submits against the pack, before anything is written.

Errors carry the path of the offending value (``fields.reason``) and a message in the
user's language, so the web form, the API and the CLI can all point at it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from quancheng import bounds
from quancheng.bounds import require_text
from quancheng.errors import ActionError
from quancheng.policies.choices import FieldType
from quancheng.policies.engine import is_blank
from quancheng.policies.schema import FieldDef, RecordKind


def clean_fields(kind: RecordKind, fields: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    """The record's fields, checked against its kind: no unknown field, each value of its
    type, and (when ``strict``) every required field present."""
    if not isinstance(fields, dict):
        raise ActionError(_("Fields must be an object."), "fields")
    known = {f.id: f for f in kind.fields}
    cleaned: dict[str, Any] = {}
    for key, value in fields.items():
        definition = known.get(key)
        if definition is None:
            raise ActionError(
                _("“%(kind)s” has no field “%(field)s”.") % {"kind": kind.label, "field": key},
                f"fields.{key}",
            )
        if is_blank(value):
            continue
        cleaned[key] = _clean_value(definition, value, f"fields.{key}")
    if strict:
        activities = kind.activities_from(cleaned)
        for definition in kind.fields:
            wanted = definition.required or bool(activities.intersection(definition.required_for))
            if wanted and definition.id not in cleaned:
                raise ActionError(
                    _("“%(field)s” is required.") % {"field": definition.label},
                    f"fields.{definition.id}",
                )
    return cleaned


def _clean_value(definition: FieldDef, value: Any, path: str) -> Any:
    kind = definition.type
    choice_ids = {c.id for c in definition.choices}
    if kind == FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        raise ActionError(_("Must be true or false."), path)
    if kind == FieldType.INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > bounds.BIGINT_MAX:
                raise ActionError(_("Must be at most %(n)s.") % {"n": bounds.BIGINT_MAX}, path)
            return value
        raise ActionError(_("Must be a whole number."), path)
    if kind == FieldType.CHOICE:
        if value in choice_ids:
            return value
        raise ActionError(_("“%(value)s” is not one of the choices.") % {"value": value}, path)
    if kind == FieldType.MULTICHOICE:
        if isinstance(value, list) and all(v in choice_ids for v in value):
            return [c.id for c in definition.choices if c.id in value]
        raise ActionError(_("Must be a list of the choices."), path)
    if kind == FieldType.OFFICERS:
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            for index, cert in enumerate(value):
                require_text(cert, f"{path}.{index}", 64)
            return [v.strip() for v in value]
        raise ActionError(_("Must be a list of certificate numbers."), path)
    if not isinstance(value, str):
        raise ActionError(_("Must be text."), path)
    require_text(value, path)
    if kind == FieldType.DATE:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ActionError(_("Must be a date such as 2026-03-01."), path) from None
        problem = bounds.date_problem(day)
        if problem:
            raise ActionError(problem, path)
    elif kind == FieldType.DATETIME:
        problem = bounds.parse_moment(value)[1]
        if problem:
            raise ActionError(problem, path)
    return value.strip() if kind != FieldType.LONGTEXT else value
