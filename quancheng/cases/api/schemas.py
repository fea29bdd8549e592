"""What the case and record endpoints accept and return (the types they are made of are
``quancheng.utilities.schemas``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from quancheng import bounds
from quancheng.cases.choices import PartyKind, SignerRole
from quancheng.policies.choices import ActionType, StartMode
from quancheng.utilities.schemas import (
    Cert,
    Day,
    In,
    LongText,
    Moment,
    NonBlank,
    NonBlankLongText,
    Out,
)

# --- input -------------------------------------------------------------------------------


class PartyIn(In):
    kind: PartyKind
    name: NonBlank = Field(max_length=200)
    id_number: str = Field("", max_length=64)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=32)


class CaseIn(In):
    number: str = Field(max_length=100, description="Case number (案号), unique in the agency.")
    title: str = Field(max_length=300)
    action_types: list[ActionType] = Field(description="At least one, within the pack's scope.")
    start_mode: StartMode
    opened_at: Moment
    is_major: bool = False
    confidential: bool = False
    officers: list[Cert] = Field(
        default_factory=list, description="Certificate numbers (执法证号)."
    )
    parties: list[PartyIn] = Field(default_factory=list)


class DocumentIn(In):
    """For record kinds that are documents (文书): number, issue date, seal."""

    number: str = Field("", max_length=100)
    issued_on: Day | None = None
    sealed: bool = False


class SignatureIn(In):
    role: SignerRole
    name: NonBlank = Field(max_length=200)
    signed_at: Moment
    officer: Cert | None = Field(None, description="Certificate number when an officer signs.")


class RefusalIn(In):
    """The party refused to sign; officers attest the refusal by signing it."""

    note: NonBlankLongText
    noted_at: Moment
    officers: list[Cert] = Field(default_factory=list, description="Certificate numbers.")


class RecordIn(In):
    kind: str = Field(max_length=64, description="A record kind id of the case's pack.")
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="Text values: at most QUANCHENG_MAX_TEXT characters; whole numbers: "
        f"within ±{bounds.BIGINT_MAX}; times as above.",
    )
    occurred_at: Moment
    document: DocumentIn | None = None
    signatures: list[SignatureIn] = Field(default_factory=list)
    refusals: list[RefusalIn] = Field(default_factory=list)


class VersionIn(In):
    """A correction: all the record's fields as they should read now, and why."""

    fields: dict[str, Any] = Field(default_factory=dict)
    occurred_at: Moment
    reason: LongText
    document: DocumentIn | None = None
    signatures: list[SignatureIn] = Field(default_factory=list)
    refusals: list[RefusalIn] = Field(default_factory=list)


class StageIn(In):
    stage: str = Field(max_length=64)


class EndIn(In):
    ended_at: Moment


class CaseQuery(In):
    stage: str | None = Field(None, max_length=64)
    action_type: str | None = Field(None, max_length=64)
    has_errors: bool | None = None
    overdue: bool | None = None
    closed: bool | None = None
    agency: str | None = Field(None, max_length=64, description="Agency code.")
    pack: str | None = Field(None, max_length=64)
    q: str | None = Field(None, max_length=300, description="Text in the case number or title.")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=200)


# --- output ------------------------------------------------------------------------------


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
