"""Cross-references inside a policy pack, checked on the whole pack once it is parsed.

Every id a pack refers to (a record kind's stage, a requirement's kinds, a choice field
named as a kind's activity field) must exist in it, and every activity a rule waits for
must be one some record kind can produce, else the rule could never fire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quancheng.policies.choices import FieldType

if TYPE_CHECKING:
    from quancheng.policies.schema import Pack, RecordKind, Requirement

Loc = tuple[int | str, ...]
"""The key path of a value inside a pack: ``("record_kinds", 3, "stage")``."""


class PackReferenceError(ValueError):
    """A reference inside a pack to something the pack does not have; ``loc`` is the key
    path of the offending value (``("record_kinds", 3, "stage")``)."""

    def __init__(self, message: str, loc: tuple[int | str, ...]) -> None:
        super().__init__(message)
        self.loc = loc


def check_cross_references(pack: Pack) -> None:
    """Every id a pack refers to must exist in it, and every activity a scenario or trigger
    waits for must be one some record kind can produce (else the rule could never fire)."""
    stage_ids, kind_ids = _check_unique_ids(pack)
    produced: set[str] = set()
    for k, kind in enumerate(pack.record_kinds):
        _check_record_kind(kind, stage_ids, ("record_kinds", k))
        produced.update(kind.produced_activities())
    stage_of = {k.id: k.stage for k in pack.record_kinds}
    for r, req in enumerate(pack.requirements):
        _check_requirement(req, kind_ids, stage_of, produced, ("requirements", r))
    _check_awaited_activities(pack, produced)


def _check_unique_ids(pack: Pack) -> tuple[set[str], set[str]]:
    """No stage, record kind, requirement or scenario id appears twice; returns the stage
    ids and the record kind ids."""
    stage_ids = _unique([s.id for s in pack.stages], "stage", ("stages",))
    kind_ids = _unique([k.id for k in pack.record_kinds], "record kind", ("record_kinds",))
    _unique([r.id for r in pack.requirements], "requirement", ("requirements",))
    _unique([s.id for s in pack.audio_visual.scenarios], "scenario", ("audio_visual", "scenarios"))
    return stage_ids, kind_ids


def _check_record_kind(kind: RecordKind, stage_ids: set[str], at: Loc) -> None:
    """One record kind: a known stage, unique field ids, an activity field that is one of
    its choice fields, activity flags that are boolean fields, and its own activities."""
    if kind.stage not in stage_ids:
        raise PackReferenceError(
            f"record kind {kind.id!r}: unknown stage {kind.stage!r}", (*at, "stage")
        )
    _unique([f.id for f in kind.fields], f"field of {kind.id}", (*at, "fields"))
    if kind.activity_field:
        field = kind.field(kind.activity_field)
        if field is None or field.type not in (FieldType.CHOICE, FieldType.MULTICHOICE):
            raise PackReferenceError(
                f"record kind {kind.id!r}: activity_field {kind.activity_field!r} "
                "must name one of its choice fields",
                (*at, "activity_field"),
            )
    for flag in kind.activity_flags:
        field = kind.field(flag)
        if field is None or field.type != FieldType.BOOLEAN:
            raise PackReferenceError(
                f"record kind {kind.id!r}: activity flag {flag!r} must name a boolean field",
                (*at, "activity_flags", flag),
            )
    _check_own_activities(kind, at)


def _check_requirement(
    req: Requirement, kind_ids: set[str], stage_of: dict[str, str], produced: set[str], at: Loc
) -> None:
    """One requirement: known record kinds, all of one stage, and activities in its
    condition that some record kind produces."""
    for i, kind_id in enumerate(req.kinds):
        if kind_id not in kind_ids:
            raise PackReferenceError(
                f"requirement {req.id!r}: unknown record kind {kind_id!r}", (*at, "kinds", i)
            )
    if len({stage_of[k] for k in req.kinds}) > 1:
        raise PackReferenceError(
            f"requirement {req.id!r}: its kinds must belong to one stage", (*at, "kinds")
        )
    _known_activities(req.when.activities or (), produced, f"requirement {req.id!r}", (*at, "when"))


def _check_awaited_activities(pack: Pack, produced: set[str]) -> None:
    """The activities scenarios, long-term triggers and informing the party wait for are
    ones some record kind produces."""
    for i, scenario in enumerate(pack.audio_visual.scenarios):
        at: Loc = ("audio_visual", "scenarios", i, "activities")
        _known_activities(scenario.activities, produced, f"scenario {scenario.id!r}", at)
    for i, trigger in enumerate(pack.retention.long_term_triggers):
        at = ("retention", "long_term_triggers", i, "activities")
        _known_activities(trigger.activities, produced, f"long-term trigger {trigger.id!r}", at)
    if pack.audio_visual.inform_party:
        at = ("audio_visual", "inform_party", "activities")
        _known_activities(pack.audio_visual.inform_party.activities, produced, "inform_party", at)


def _check_own_activities(kind: RecordKind, at: tuple[int | str, ...]) -> None:
    """Conditional fields and signers wait for activities the kind itself can show."""
    own = kind.produced_activities()
    waits = [
        (f"field {f.id!r}", (*at, "fields", i, "required_for"), a)
        for i, f in enumerate(kind.fields)
        for a in f.required_for
    ]
    waits += [
        (f"signers[{i}]", (*at, "signers", i), a)
        for i, r in enumerate(kind.signers)
        for a in (*(r.when or ()), *r.unless)
    ]
    for where, loc, activity in waits:
        if activity not in own:
            raise PackReferenceError(
                f"record kind {kind.id!r}: {where}: the kind never shows activity {activity!r}",
                loc,
            )


def _unique(ids: list[str], what: str, loc: tuple[int | str, ...]) -> set[str]:
    """The ids as a set; a PackReferenceError at the second occurrence of any."""
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            raise PackReferenceError(f"{what} id {item!r} appears twice", (*loc, i, "id"))
        seen.add(item)
    return seen


def _known_activities(
    activities: tuple[str, ...], produced: set[str], where: str, loc: tuple[int | str, ...]
) -> None:
    """Each activity is one some record kind produces, else a PackReferenceError."""
    for activity in activities:
        if activity not in produced:
            raise PackReferenceError(f"{where}: no record kind produces activity {activity!r}", loc)
