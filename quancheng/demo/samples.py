"""Plausible Chinese sample values for demo records, chosen by field type and common field ids.

These are illustrations, not rules: any field a pack defines gets a value of its type, and
the tables below only make the commonest fields read naturally.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from quancheng.policies.choices import FieldType, ScenarioMode
from quancheng.policies.schema import FieldDef, Pack, RecordKind

# A friendlier agency name and case-number prefix for the bundled packs; any other pack gets
# a generic name from its short title.
AGENCY_NAMES: dict[str, tuple[str, str]] = {
    "anhui": ("新城区市场监督管理局", "新市监"),
    "hebei-street": ("新城区城东街道办事处", "城东街"),
    "culture-tourism": ("新城区文化广电和旅游局", "新文旅"),
    "shanxi": ("新城区综合行政执法局", "新综执"),
    "dalian-ftz": ("自贸试验区综合监管执法局", "自贸执"),
}

PLACE = "新城区人民路88号"

_TEXT: dict[str, str] = {
    "place": PLACE,
    "institution": "示范市产品质量监督检验所",
    "sample": "散装白酒",
    "quantity": "2瓶，每瓶500毫升",
    "basis": "《中华人民共和国行政处罚法》第五十五条",
    "legal_basis": "《中华人民共和国行政处罚法》第五十五条",
    "document_name": "行政处罚决定书",
    "disposal": "依法拍卖，所得款项上缴国库",
    "source": "当事人提供",
    "unit": "执法一组",
}

_LONGTEXT: dict[str, str] = {
    "inquiry.content": "问：你店是否取得营业执照？答：尚未取得。问：经营多久了？答：两个月。",
    "application.content": "申请办理食品经营许可。",
    "decision_document.content": "责令当事人立即改正违法行为，并处罚款人民币五千元。",
    "reason": "群众投诉反映当事人未取得营业执照从事经营活动，经初步核实，需立案调查。",
    "findings": "现场检查发现当事人经营场所内陈列待售商品若干，当事人未能出示营业执照。",
    "facts": "当事人自本年起未取得营业执照从事食品经营活动，违法所得八百元。",
    "evidence": "现场检查笔录、询问笔录、现场照片及执法记录仪视频。",
    "discretion": "当事人系初次违法，积极配合调查，依裁量基准从轻处罚。",
    "proposal": "建议责令改正，并处罚款人民币五千元。",
    "opinion": "事实清楚，证据确凿，适用依据正确，程序合法，同意。",
    "conclusion": "经集体讨论，同意承办机构的处理意见。",
    "items": "营业执照申请材料、食品经营许可申请书",
    "target": "当事人经营场所内的散装白酒20瓶",
    "description": "当事人进货单据复印件3页",
    "details": "当事人已于期限内缴纳罚款。",
}


@dataclass(frozen=True)
class SampleContext:
    """What the sample values refer to: the case's people and the day of the record."""

    party: str
    officer_certs: tuple[str, ...]
    people: dict[str, str]  # role -> full name
    day: dt.date
    moment: dt.datetime


def triggering_activities(pack: Pack) -> frozenset[str]:
    """Activities that would oblige more of a case: a mandatory or unsuitable recording
    scenario, or a conditional requirement. Demo records avoid them unless asked."""
    found: set[str] = set()
    for scenario in pack.audio_visual.scenarios:
        if scenario.mode != ScenarioMode.DISCRETIONARY:
            found.update(scenario.activities)
    for req in pack.requirements:
        found.update(req.when.activities or ())
    return frozenset(found)


def sample_fields(kind: RecordKind, pack: Pack, ctx: SampleContext) -> dict[str, Any]:
    """A value for every field of ``kind`` (optional ones too, except activity flags)."""
    avoid = triggering_activities(pack)
    values: dict[str, Any] = {}
    for field in kind.fields:
        value = _value(field, kind, avoid, ctx)
        if value is not None:
            values[field.id] = value
    return values


def _value(field: FieldDef, kind: RecordKind, avoid: frozenset[str], ctx: SampleContext) -> Any:
    t = field.type
    if t == FieldType.BOOLEAN:
        # An activity flag set would add obligations; a required yes/no reads best as "yes".
        return False if field.id in kind.activity_flags else field.required
    if t == FieldType.INTEGER:
        return 1
    if t in (FieldType.CHOICE, FieldType.MULTICHOICE):
        ids = [c.id for c in field.choices]
        if field.id == kind.activity_field:
            ids = [i for i in ids if i not in avoid] or ids[:1]
        return ids[0] if t == FieldType.CHOICE else ids
    if t == FieldType.OFFICERS:
        return list(ctx.officer_certs)
    if t == FieldType.DATE:
        return ctx.day.isoformat()
    if t == FieldType.DATETIME:
        return ctx.moment.isoformat()
    return _text(field, kind, ctx)


def _text(field: FieldDef, kind: RecordKind, ctx: SampleContext) -> str:
    people = ctx.people
    by_id = {
        "applicant": ctx.party,
        "interviewee": ctx.party,
        "recipient": ctx.party,
        "shown_to": ctx.party,
        "reviewer": people.get("legal_reviewer", ""),
        "approver": people.get("head", ""),
        "participants": "、".join(people.values()),
        "file_number": f"{ctx.day.year}-WS-{ctx.day:%m%d}",
    }
    value = by_id.get(field.id)
    if value:
        return value
    if field.type == FieldType.LONGTEXT:
        value = _LONGTEXT.get(f"{kind.id}.{field.id}") or _LONGTEXT.get(field.id)
        return value or f"{field.label}：经核实，情况属实。（演示数据）"
    return _TEXT.get(field.id) or f"演示{field.label}"
