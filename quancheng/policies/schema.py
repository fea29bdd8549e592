"""The structure of a policy pack, validated when the pack is loaded.

A pack is one regulation written down as data: which records each stage needs, which
audio-visual scenarios are mandatory, the deadlines and their units, the interruption and
signature rules, retention. Every rule carries the article it comes from (``citation``),
written as in POLICIES.md: ``§7(1)``. Where a regulation is silent the pack leaves the key
out, and the engine checks nothing there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from quancheng.policies.choices import (
    ActionType,
    DeadlineUnit,
    DelayReason,
    FieldType,
    Role,
    ScenarioMode,
    Severity,
    SignerRole,
    StartMode,
)
from quancheng.policies.references import check_cross_references

_CITATION = re.compile(r"^§\d+(\(\d+\))*(,\s*§\d+(\(\d+\))*)*$")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


def _citation(value: str) -> str:
    if not _CITATION.match(value):
        raise ValueError(f"citation {value!r} must look like '§7' or '§7(1)'")
    return value


def _ident(value: str) -> str:
    if not _IDENT.match(value):
        raise ValueError(f"identifier {value!r} must be lower_snake_case")
    return value


Citation = Annotated[str, AfterValidator(_citation)]
Ident = Annotated[str, AfterValidator(_ident)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labelled(Strict):
    label: str
    label_en: str | None = None


class Choice(Labelled):
    id: Ident


class FieldDef(Labelled):
    """A structured field a record kind carries."""

    id: Ident
    type: FieldType
    required: bool = False
    # Required only when the record shows one of these activities of its own kind
    # (hebei §15: the reason is recorded when service is entrusted to another body).
    required_for: tuple[Ident, ...] = ()
    choices: tuple[Choice, ...] = ()
    citation: Citation | None = None
    help: str | None = None

    @model_validator(mode="after")
    def _choices_for_choice_types(self) -> FieldDef:
        wants = self.type in (FieldType.CHOICE, FieldType.MULTICHOICE)
        if wants and not self.choices:
            raise ValueError(f"field {self.id!r} of type {self.type} needs choices")
        if not wants and self.choices:
            raise ValueError(f"field {self.id!r} of type {self.type} cannot have choices")
        if self.required and self.required_for:
            raise ValueError(f"field {self.id!r} is required always or for activities, not both")
        return self


class DocumentRule(Strict):
    """A record kind that is a document (文书) issued to or signed by people."""

    number_required: bool = True
    issue_date_required: bool = True
    seal_required: bool = True
    citation: Citation


class SignerRule(Strict):
    """Who must sign a record of a kind, beyond the party (hebei §15: the server and the
    recipient sign a service receipt; a witness too when it is left at the address).

    ``when``: only for records showing one of these activities; ``unless``: not for those.
    """

    role: SignerRole
    min_count: int = Field(default=1, ge=1)
    when: tuple[Ident, ...] | None = None
    unless: tuple[Ident, ...] = ()
    citation: Citation


class RecordKind(Labelled):
    """A kind of record, belonging to one stage, with the fields the regulation names."""

    id: Ident
    stage: Ident
    citation: Citation
    fields: tuple[FieldDef, ...] = ()
    document: DocumentRule | None = None
    involves_party: bool = False
    activities: tuple[Ident, ...] = ()
    activity_field: Ident | None = None
    activity_flags: dict[Ident, Ident] = Field(default_factory=dict)
    author_roles: tuple[Role, ...] = (Role.OFFICER,)
    signers: tuple[SignerRule, ...] = ()

    def field(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def activities_from(self, fields: Mapping[str, Any]) -> frozenset[str]:
        """The activities a record of this kind with these field values shows."""
        found = set(self.activities)
        if self.activity_field:
            value = fields.get(self.activity_field)
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
        for flag, activity in self.activity_flags.items():
            if fields.get(flag) is True:
                found.add(activity)
        return frozenset(found)

    def produced_activities(self) -> set[str]:
        """Every activity a record of this kind can show."""
        produced = set(self.activities) | set(self.activity_flags.values())
        field = self.field(self.activity_field) if self.activity_field else None
        if field is not None:
            produced.update(c.id for c in field.choices)
        return produced


class Stage(Labelled):
    id: Ident
    citation: Citation
    open_after_close: bool = False


class Condition(Strict):
    """When a requirement applies. Every key given must hold; list keys mean any-of."""

    action_types: tuple[ActionType, ...] | None = None
    start_mode: StartMode | None = None
    major: bool | None = None
    activities: tuple[Ident, ...] | None = None


class Requirement(Strict):
    """At least one record of one of ``kinds`` must exist once the case reaches its stage."""

    id: Annotated[str, AfterValidator(lambda v: v if re.match(r"^[a-z0-9_.]+$", v) else _bad_id(v))]
    kinds: tuple[Ident, ...] = Field(min_length=1)
    when: Condition = Condition()
    severity: Severity = Severity.ERROR
    citation: Citation


def _bad_id(value: str) -> str:
    raise ValueError(f"requirement id {value!r} must be lower case with dots")


class Scenario(Labelled):
    """An audio-visual scenario: the activities that make recording mandatory, optional or
    unsuitable."""

    id: Ident
    mode: ScenarioMode
    activities: tuple[Ident, ...] = Field(min_length=1)
    citation: Citation
    unless_capability: Ident | None = None


class Deadline(Strict):
    amount: int = Field(gt=0)
    unit: DeadlineUnit
    citation: Citation


class UploadExtension(Strict):
    """Remote, continuous or water work: the period runs again from the return (anhui §17)."""

    reasons: tuple[DelayReason, ...] = Field(min_length=1)
    deadline: Deadline


class InterruptionRule(Strict):
    allowed: bool = True
    spoken_reason_on_resume: bool = True
    written_statement_if_not_resumed: bool = True
    min_statement_signers: int = Field(default=0, ge=0)
    citation: Citation


class CitedRule(Strict):
    citation: Citation


class InformPartyRule(Strict):
    activities: tuple[Ident, ...] = ()
    citation: Citation


class LabelRule(Strict):
    """Labels a stored recording must carry (dalian §16, hebei §25)."""

    fields: tuple[
        Literal[
            "case_number",
            "production_method",
            "started_at",
            "maker",
            "device",
            "officers",
            "party",
            "case_title",
            "place",
            "name",
            "ended_at",
            "uploaded_at",
            "scenario",
            "records",
        ],
        ...,
    ] = Field(min_length=1)
    citation: Citation


class AudioVisualRules(Strict):
    scenarios: tuple[Scenario, ...] = ()
    upload_deadline: Deadline | None = None
    upload_extension: UploadExtension | None = None
    interruption: InterruptionRule | None = None
    opening_statement: CitedRule | None = None
    device_check: CitedRule | None = None
    inform_party: InformPartyRule | None = None
    labels: LabelRule | None = None
    evidence_note: CitedRule | None = None
    # The device register: a recording made with a device under repair, retired, or not
    # lent to its officers is a finding (hebei §22, §24; anhui §13).
    device_register: CitedRule | None = None


class ArchiveRules(Strict):
    deadline: Deadline | None = None
    citation: Citation | None = None


class LongTermTrigger(Labelled):
    id: Ident
    activities: tuple[Ident, ...] = Field(min_length=1)
    citation: Citation


class RetentionRules(Strict):
    minimum_years: int | None = Field(default=None, gt=0)
    minimum_citation: Citation | None = None
    evidence_with_case_file: CitedRule | None = None
    long_term_triggers: tuple[LongTermTrigger, ...] = ()
    no_destruction: CitedRule | None = None


class RefusalRule(Strict):
    min_officer_signatures: int = Field(ge=1)
    citation: Citation


class SignatureRules(Strict):
    party_signs: CitedRule | None = None
    refusal: RefusalRule | None = None
    correction_confirmation: CitedRule | None = None


class DisclosureRules(Strict):
    approver_role: Role | None = None
    citation: Citation | None = None
    retrieving_authorities: tuple[str, ...] = ()


class ScopeRule(Strict):
    action_types: tuple[ActionType, ...] = Field(min_length=1)
    citation: Citation


class Pack(Strict):
    """One regulation as data. See POLICIES.md for the five side by side."""

    id: Annotated[
        str, AfterValidator(lambda v: v if re.match(r"^[a-z][a-z0-9-]*$", v) else _bad_id(v))
    ]
    title: str
    short_title: str
    source_file: str
    in_force: dt.date | None = None
    scope: ScopeRule
    stages: tuple[Stage, ...] = Field(min_length=1)
    record_kinds: tuple[RecordKind, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    audio_visual: AudioVisualRules = AudioVisualRules()
    archive: ArchiveRules = ArchiveRules()
    retention: RetentionRules = RetentionRules()
    signatures: SignatureRules = SignatureRules()
    disclosure: DisclosureRules = DisclosureRules()

    @model_validator(mode="after")
    def _cross_references(self) -> Pack:
        check_cross_references(self)
        return self
