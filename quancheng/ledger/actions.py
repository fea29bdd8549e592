"""The single entry point through which every write and every access reaches the ledger."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from quancheng.ledger import leaf
from quancheng.ledger.context import Actor
from quancheng.ledger.logs import lock_log
from quancheng.ledger.models import Fact

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency

_NEXT_SQL = (
    "SELECT (SELECT MAX(seq) FROM ledger_fact WHERE log_id = %s),"
    " (SELECT leaf_hash FROM ledger_fact WHERE subject_type = %s AND subject_id = %s"
    " AND log_id = %s ORDER BY seq DESC LIMIT 1)"
)


def append_fact(
    actor: Actor,
    kind: str,
    subject: tuple[str, object],
    payload: dict[str, Any],
    agency: Agency | None,
) -> Fact:
    """Append one fact. Must run inside the transaction of the change it describes.

    The fact becomes the next leaf of its agency's log (the system log when ``agency`` is
    None): the log is locked until the transaction ends, so the leaf's position is final.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_fact must run inside the action's transaction")
    subject_type, subject_id = subject[0], str(subject[1])
    payload = _jsonable(payload)
    log = lock_log(agency)
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [log.pk, subject_type, subject_id, log.pk])
        last_seq, prev = cursor.fetchone()
    seq = 0 if last_seq is None else last_seq + 1
    prev = bytes(prev) if prev is not None else None
    created_at = timezone.now()
    data = leaf.entry(
        agency=log.agency_code,
        seq=seq,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        actor=actor.label,
        channel=actor.channel,
        remote_addr=actor.remote_addr,
        created_at=created_at,
        prev=prev,
    )
    return Fact.objects.create(
        log=log,
        seq=seq,
        agency=agency,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        actor=actor.user,
        actor_label=actor.label,
        channel=actor.channel,
        remote_addr=actor.remote_addr,
        created_at=created_at,
        prev_leaf=prev,
        leaf_hash=leaf.hash_entry(data),
        field_digests=leaf.field_digests(data),
    )


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False))
