"""Record contents as people read them: labels instead of ids, and what a correction
changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.cases.models import RecordVersion
from quancheng.policies.choices import FieldType
from quancheng.policies.labels import label
from quancheng.policies.schema import FieldDef, RecordKind


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def show_value(definition: FieldDef | None, value: Any) -> str:
    """A stored field value as text for people."""
    if value is None or value == "" or value == []:
        return "—"
    if definition is None:
        return str(value)
    names = {c.id: label(c) for c in definition.choices}
    if definition.type == FieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if definition.type == FieldType.CHOICE:
        return names.get(value, str(value))
    if isinstance(value, list):
        return "、".join(names.get(v, str(v)) for v in value)
    return str(value)


def version_rows(kind: RecordKind, version: RecordVersion) -> list[Row]:
    """The version's fields in the order the pack lists them, then document details."""
    rows = [Row(label(f), show_value(f, version.fields.get(f.id))) for f in kind.fields]
    if kind.document is not None:
        rows += [
            Row(_("Document number"), version.doc_number or "—"),
            Row(_("Issue date"), str(version.doc_issued_on or "—")),
            Row(_("Sealed"), _("Yes") if version.doc_sealed else _("No")),
        ]
    return rows


def version_changes(kind: RecordKind, before: RecordVersion, after: RecordVersion) -> list[Change]:
    """What ``after`` changed relative to ``before``."""
    old = {r.label: r.value for r in version_rows(kind, before)}
    changes = [
        Change(r.label, old.get(r.label, "—"), r.value)
        for r in version_rows(kind, after)
        if old.get(r.label, "—") != r.value
    ]
    if _local(before) != _local(after):
        changes.insert(0, Change(_("Occurred"), _local(before), _local(after)))
    return changes


def _local(version: RecordVersion) -> str:
    return timezone.localtime(version.occurred_at).strftime("%Y-%m-%d %H:%M")
