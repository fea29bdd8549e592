"""What goes on a document's page, gathered from the database into plain values.

The page text is the document's own wording, in Chinese as the regulations have documents
issued (the form words are in ``render.FORM``), whatever language the user reads the UI in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from quancheng.cases.models import RecordVersion
from quancheng.policies.choices import FieldType
from quancheng.policies.registry import get_pack
from quancheng.policies.schema import FieldDef, RecordKind


@dataclass(frozen=True)
class DocumentContent:
    agency_name: str
    title: str
    number: str
    case_number: str
    issued_on: dt.date
    parties: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)

    def all_text(self) -> str:
        parts = [
            self.agency_name,
            self.title,
            self.number,
            self.case_number,
            *self.parties,
            *self.officers,
            str(self.issued_on),
        ]
        parts += [text for row in self.rows for text in row]
        return "".join(parts)


def document_kind(version: RecordVersion) -> RecordKind | None:
    """The pack's kind of this version's record, if that kind is a document."""
    pack = get_pack(version.record.case.pack_id)
    kind = next((k for k in pack.record_kinds if k.id == version.record.kind), None)
    return kind if kind is not None and kind.document is not None else None


def show(definition: FieldDef, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    names = {c.id: c.label for c in definition.choices}
    if definition.type == FieldType.BOOLEAN:
        return "是" if value else "否"
    if definition.type == FieldType.CHOICE:
        return names.get(value, str(value))
    if isinstance(value, list):
        return "、".join(names.get(v, str(v)) for v in value)
    return str(value)


def content_of(version: RecordVersion, kind: RecordKind) -> DocumentContent:
    record = version.record
    case = record.case
    issued = version.doc_issued_on or timezone.localdate(version.occurred_at)
    return DocumentContent(
        agency_name=case.agency.name,
        title=kind.label,
        number=version.doc_number,
        case_number=case.number,
        issued_on=issued,
        parties=[p.name for p in case.parties.all()],
        rows=[(f.label, show(f, version.fields.get(f.id))) for f in kind.fields],
        officers=[str(o) for o in case.officers.all()],
    )
