"""What the API accepts and returns. Inputs refuse unknown keys and NUL characters; times
must carry a zone and lie in the accepted range; text is bounded by its column
(``quancheng.bounds``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from quancheng import bounds
from quancheng.api.errors import QUANCHENG_ERROR
from quancheng.cases.choices import PartyKind, SignerRole
from quancheng.errors import ActionError
from quancheng.policies.choices import ActionType, StartMode

_LOST_PLUS = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(:?\d{2})?)$")


def _restore_plus(value: Any) -> Any:
    """``+08:00`` in an unencoded query string arrives as `` 08:00``; put the sign back."""
    if isinstance(value, str):
        return _LOST_PLUS.sub(r"\1+\2", value)
    return value


def _in_range(value: dt.datetime) -> dt.datetime:
    problem = bounds.moment_problem(value)
    if problem:
        raise PydanticCustomError(QUANCHENG_ERROR, problem)
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError(QUANCHENG_ERROR, bounds.nul_message())
    return value


def _within_max_text(value: str) -> str:
    problem = bounds.text_problem(value)
    if problem:
        raise PydanticCustomError(QUANCHENG_ERROR, problem)
    return value


MOMENT_DOC = (
    "RFC 3339 time with its offset (whole minutes, within ±14:00), "
    f"in the years {bounds.FIRST_YEAR}–{bounds.LAST_YEAR} (UTC)."
)
LONG_TEXT_DOC = f"At most QUANCHENG_MAX_TEXT characters (default {bounds.DEFAULT_MAX_TEXT:,})."


# Text that must say something; checked here so the error names the list item it is in.
# Bound its length with ``Field(max_length=…)`` where it is used.
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# Text of a TextField: bounded at run time by QUANCHENG_MAX_TEXT.
LongText = Annotated[str, AfterValidator(_within_max_text), Field(description=LONG_TEXT_DOC)]
NonBlankLongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    AfterValidator(_within_max_text),
    Field(description=LONG_TEXT_DOC),
]

# An aware datetime in RFC 3339 (``2026-03-02T09:00:00+08:00``) in the accepted range; a naive
# one is refused.
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_restore_plus),
    AfterValidator(_in_range),
    Field(description=MOMENT_DOC),
]

# A day in the accepted years.
Day = Annotated[
    dt.date,
    Field(
        ge=dt.date(bounds.FIRST_YEAR, 1, 1),
        le=dt.date(bounds.LAST_YEAR, 12, 31),
        description=f"A day in the years {bounds.FIRST_YEAR}–{bounds.LAST_YEAR}.",
    ),
]

# Text in a path or a query parameter (outside an ``In`` model): no NUL.
Word = Annotated[str, AfterValidator(_no_nul)]

# A database id (BigAutoField) in a query.
Id = Annotated[int, Field(ge=1, le=bounds.BIGINT_MAX)]

CERT = 64  # Officer.cert_no


class In(Schema):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        """No NUL character anywhere (PostgreSQL cannot store one); the error names where."""
        where = bounds.nul_path(data)
        if where is not None:
            raise ActionError(bounds.nul_message(), where)
        return data


# --- input -------------------------------------------------------------------------------


class PartyIn(In):
    kind: PartyKind
    name: NonBlank = Field(max_length=200)
    id_number: str = Field("", max_length=64)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=32)


Cert = Annotated[str, Field(max_length=CERT, description="Certificate number (执法证号).")]


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
