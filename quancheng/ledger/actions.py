"""The single entry point through which every write and every access reaches the ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from quancheng.ledger.context import Actor
from quancheng.ledger.models import Fact

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency


def append_fact(
    actor: Actor,
    kind: str,
    subject: tuple[str, object],
    payload: dict[str, Any],
    agency: Agency | None,
) -> Fact:
    """Append one fact. Must run inside the transaction of the change it describes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_fact must run inside the action's transaction")
    subject_type, subject_id = subject
    return Fact.objects.create(
        agency=agency,
        kind=kind,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=_jsonable(payload),
        actor=actor.user,
        actor_label=actor.label,
        channel=actor.channel,
        remote_addr=actor.remote_addr,
    )


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False))
