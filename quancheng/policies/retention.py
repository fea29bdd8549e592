"""How long a recording must be kept, as its case's pack says.

Not a finding: the packs' retention rules say how long to keep, which the storage layer
needs when it sets a retention period (or S3 Object Lock) and the case page shows. The
order follows culture-tourism §19 ("other than what is filed with the case or must be kept
long-term, recordings are kept at least five years"):

1. a long-term trigger met by the case (culture-tourism §18, dalian §18) → kept long-term;
2. a recording used as evidence, where the pack files evidence with the case
   (culture-tourism §17, dalian §17) → kept as long as the case file;
3. otherwise the pack's minimum in years (culture-tourism §19), if it has one;
4. otherwise the pack gives no period (anhui, shanxi: only "not destroyed within the
   retention period").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from quancheng.policies.engine import index_for
from quancheng.policies.schema import Pack
from quancheng.policies.snapshot import CaseSnap, RecordingSnap

Basis = Literal["long_term", "case_file", "minimum_years", "unspecified"]


@dataclass(frozen=True, slots=True)
class Retention:
    basis: Basis
    minimum_years: int | None
    triggers: tuple[str, ...]
    citations: tuple[str, ...]

    @property
    def long_term(self) -> bool:
        return self.basis == "long_term"


def long_term_triggers(case: CaseSnap, pack: Pack) -> tuple[str, ...]:
    """Ids of the pack's long-term triggers that some record of the case meets."""
    index = index_for(pack)
    activities: set[str] = set()
    for record in case.records:
        activities.update(index.activities_of(record))
    return tuple(
        t.id for t in pack.retention.long_term_triggers if activities.intersection(t.activities)
    )


def retention_for(case: CaseSnap, recording: RecordingSnap, pack: Pack) -> Retention:
    """The retention that governs ``recording`` of ``case`` under ``pack``."""
    rules = pack.retention
    met = long_term_triggers(case, pack)
    if met:
        by_id = {t.id: t for t in rules.long_term_triggers}
        return Retention(
            "long_term", None, met, tuple(pack_cite(pack, by_id[t].citation) for t in met)
        )
    if rules.evidence_with_case_file and recording.record_refs:
        citation = pack_cite(pack, rules.evidence_with_case_file.citation)
        return Retention("case_file", None, (), (citation,))
    if rules.minimum_years:
        citations = (pack_cite(pack, rules.minimum_citation),) if rules.minimum_citation else ()
        return Retention("minimum_years", rules.minimum_years, (), citations)
    citations = (pack_cite(pack, rules.no_destruction.citation),) if rules.no_destruction else ()
    return Retention("unspecified", None, (), citations)


def pack_cite(pack: Pack, citation: str) -> str:
    return f"{pack.id} {citation}"
