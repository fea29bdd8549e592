"""What the API accepts and returns. Inputs refuse unknown keys; times must carry a zone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from quancheng.cases.choices import PartyKind, SignerRole
from quancheng.policies.choices import ActionType, StartMode

_LOST_PLUS = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(:?\d{2})?)$")


def _restore_plus(value: Any) -> Any:
    """``+08:00`` in an unencoded query string arrives as `` 08:00``; put the sign back."""
    if isinstance(value, str):
        return _LOST_PLUS.sub(r"\1+\2", value)
    return value


# Text that must say something; checked here so the error names the list item it is in.
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# An aware datetime in ISO 8601 (``2026-03-02T09:00:00+08:00``); a naive one is refused.
Moment = Annotated[AwareDatetime, BeforeValidator(_restore_plus)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- input -------------------------------------------------------------------------------


class PartyIn(In):
    kind: PartyKind
    name: NonBlank
    id_number: str = ""
    address: str = ""
    phone: str = ""


class CaseIn(In):
    number: str = Field(description="Case number (案号), unique in the agency.")
    title: str
    action_types: list[ActionType] = Field(description="At least one, within the pack's scope.")
    start_mode: StartMode
    opened_at: Moment
    is_major: bool = False
    confidential: bool = False
    officers: list[str] = Field(default_factory=list, description="Certificate numbers (执法证号).")
    parties: list[PartyIn] = Field(default_factory=list)


class DocumentIn(In):
    """For record kinds that are documents (文书): number, issue date, seal."""

    number: str = ""
    issued_on: dt.date | None = None
    sealed: bool = False


class SignatureIn(In):
    role: SignerRole
    name: NonBlank
    signed_at: Moment
    officer: str | None = Field(None, description="Certificate number when an officer signs.")


class RefusalIn(In):
    """The party refused to sign; officers attest the refusal by signing it."""

    note: NonBlank
    noted_at: Moment
    officers: list[str] = Field(default_factory=list, description="Certificate numbers.")


class RecordIn(In):
    kind: str = Field(description="A record kind id of the case's pack.")
    fields: dict[str, Any] = Field(default_factory=dict)
    occurred_at: Moment
    document: DocumentIn | None = None
    signatures: list[SignatureIn] = Field(default_factory=list)
    refusals: list[RefusalIn] = Field(default_factory=list)


class VersionIn(In):
    """A correction: all the record's fields as they should read now, and why."""

    fields: dict[str, Any] = Field(default_factory=dict)
    occurred_at: Moment
    reason: str
    document: DocumentIn | None = None
    signatures: list[SignatureIn] = Field(default_factory=list)
    refusals: list[RefusalIn] = Field(default_factory=list)


class StageIn(In):
    stage: str


class EndIn(In):
    ended_at: Moment


class CaseQuery(In):
    stage: str | None = None
    action_type: str | None = None
    has_errors: bool | None = None
    overdue: bool | None = None
    closed: bool | None = None
    agency: str | None = Field(None, description="Agency code.")
    pack: str | None = None
    q: str | None = Field(None, description="Text in the case number or title.")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=200)


# --- output ------------------------------------------------------------------------------


class Out(BaseModel):
    """An output validated by pydantic itself, from the plain dicts of ``api.render``: a
    ninja ``Schema`` wraps every object it validates in a resolver for ORM attributes, which
    costs more than the rest of a case list (the OpenAPI document is the same)."""

    model_config = ConfigDict(from_attributes=True)


class ComplianceOut(Out):
    errors: int
    warnings: int
    next_deadline_at: dt.datetime | None
    evaluated_at: dt.datetime


class CaseSummaryOut(Out):
    id: int
    number: str
    title: str
    agency: str
    agency_name: str
    pack: str
    stage: str
    action_types: list[str]
    start_mode: str
    is_major: bool
    confidential: bool
    opened_at: dt.datetime
    ended_at: dt.datetime | None
    closed_at: dt.datetime | None
    archived_at: dt.datetime | None
    compliance: ComplianceOut | None


class CasePageOut(Out):
    count: int
    page: int
    page_size: int
    items: list[CaseSummaryOut]


class PartyOut(Schema):
    id: int
    kind: str
    name: str
    id_number: str
    address: str
    phone: str


class OfficerOut(Schema):
    name: str
    cert_no: str


class StageOut(Schema):
    id: str
    label: str
    label_en: str | None
    current: bool


class CaseOut(CaseSummaryOut):
    stages: list[StageOut]
    parties: list[PartyOut]
    officers: list[OfficerOut]
    record_count: int


class DocumentOut(Schema):
    number: str
    issued_on: dt.date | None
    sealed: bool


class SignatureOut(Schema):
    id: int
    role: str
    name: str
    officer: str | None
    refusal: int | None
    signed_at: dt.datetime


class RefusalOut(Schema):
    id: int
    note: str
    noted_at: dt.datetime


class VersionOut(Schema):
    id: int
    number: int
    fields: dict[str, Any]
    occurred_at: dt.datetime
    corrects: int | None
    correction_reason: str
    document: DocumentOut
    signatures: list[SignatureOut]
    refusals: list[RefusalOut]
    created_at: dt.datetime
    created_by: str | None


class RecordSummaryOut(Schema):
    id: int
    case: int
    kind: str
    kind_label: str
    stage: str
    created_at: dt.datetime
    created_by: str | None
    version_count: int
    current: VersionOut


class RecordOut(RecordSummaryOut):
    versions: list[VersionOut] = Field(description="Every version, oldest first.")


class FindingOut(Schema):
    rule_id: str
    citation: str
    severity: str
    message: str
    subject: str
    due_at: dt.datetime | None


class FindingsOut(Schema):
    case: int
    at: dt.datetime
    errors: int
    warnings: int
    next_deadline_at: dt.datetime | None
    findings: list[FindingOut]


class PackSummaryOut(Schema):
    id: str
    title: str
    short_title: str
    in_force: dt.date | None
    action_types: list[str]


class AgencyOut(Schema):
    code: str
    name: str
    level: str
    pack: str


class MeOut(Schema):
    username: str
    full_name: str
    agency: AgencyOut | None
    roles: list[str]
    can_open_cases: bool
