"""Records each stage must hold, and the fields each record must carry."""

from __future__ import annotations

from django.utils.translation import gettext as _

from quancheng.policies.choices import Severity
from quancheng.policies.engine import Context, is_blank


def required_records(ctx: Context) -> None:
    """A required record kind missing from a stage the case has reached (anhui §7–§10).

    In the stage the case is in now, a missing record is a warning (still to be made); once
    the case has moved on or closed it is the requirement's own severity.
    """
    present = {r.kind for r in ctx.case.records}
    for req in ctx.pack.requirements:
        if present.intersection(req.kinds) or not ctx.holds(req.when):
            continue
        stage = ctx.index.kinds[req.kinds[0]].stage
        position = ctx.index.stage_order[stage]
        if position > ctx.reached_stage:
            continue
        pending = position == ctx.reached_stage and ctx.case.closed_at is None
        labels = "、".join(ctx.index.kind_label(k) for k in req.kinds)
        stage_label = ctx.index.stage_labels[stage]
        if pending:
            message = _("Still to be recorded in stage “%(stage)s”: %(kinds)s.")
        else:
            message = _("Stage “%(stage)s” lacks a required record: %(kinds)s.")
        ctx.add(
            f"record.required/{req.id}",
            req.citation,
            Severity.WARNING if pending else req.severity,
            message % {"stage": stage_label, "kinds": labels},
            f"stage:{stage}",
        )


def required_fields(ctx: Context) -> None:
    """A record whose current version leaves out a field its kind requires, always or for
    an activity the record shows (hebei §15: the reason for entrusted service)."""
    for record in ctx.case.records:
        kind = ctx.index.kinds.get(record.kind)
        if kind is None:
            continue
        wanted = ctx.index.required_fields[record.kind]
        conditional = ctx.index.conditional_fields[record.kind]
        if conditional:
            activities = ctx.record_activities[record.ref]
            wanted = wanted + [(f, label) for f, label, when in conditional if when & activities]
        for field_id, label in wanted:
            if not is_blank(record.current.fields.get(field_id)):
                continue
            definition = kind.field(field_id)
            ctx.add(
                f"record.field/{record.kind}.{field_id}",
                (definition.citation if definition and definition.citation else kind.citation),
                Severity.ERROR,
                _("“%(kind)s” lacks the required field “%(field)s”.")
                % {"kind": kind.label, "field": label},
                f"record:{record.ref}",
            )


RULES = (required_records, required_fields)
