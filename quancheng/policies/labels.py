"""Pack labels in the user's language: packs are written in Chinese, with an optional
``label_en`` that English pages show instead."""

from __future__ import annotations

from django.utils.translation import get_language

from quancheng.policies.choices import ActionType
from quancheng.policies.schema import Labelled, Pack


def label(item: Labelled) -> str:
    """The item's label, in English when English is active and the pack gives one."""
    if item.label_en and (get_language() or "").startswith("en"):
        return item.label_en
    return item.label


def stage_label(pack: Pack, stage_id: str) -> str:
    stage = next((s for s in pack.stages if s.id == stage_id), None)
    return label(stage) if stage else stage_id


def kind_label(pack: Pack, kind_id: str) -> str:
    kind = next((k for k in pack.record_kinds if k.id == kind_id), None)
    return label(kind) if kind else kind_id


def action_type_labels(action_types: list[str]) -> list[str]:
    return [str(ActionType(a).label) if a in ActionType.values else a for a in action_types]
