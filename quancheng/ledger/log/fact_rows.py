"""The row of a new fact, as ``quancheng.ledger.actions`` appends it: its columns with the
leaf hash and field digests computed here, or (PostgreSQL) the columns and the leaf template
the database completes under the log's lock."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from quancheng.ledger.context import Actor
from quancheng.ledger.log import leaf
from quancheng.ledger.log.logs import Head

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency


def head_values(
    actor: Actor,
    kind: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    agency: Agency | None,
) -> tuple[dict[str, Any], Callable[[str | None], leaf.Template]]:
    """PostgreSQL: the entry is written here but for ``created_at``, ``prev`` and ``seq``; the
    database fills them in under the log's lock, hashes and inserts (one round trip). The
    fact's columns and ``template_for(agency code)``, as ``logs.append_at_head`` takes them."""
    payload = jsonable(payload)

    def template_for(agency_code: str | None) -> leaf.Template:
        return leaf.template(
            agency=agency_code,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            payload=payload,
            actor=actor.label,
            channel=actor.channel,
            remote_addr=actor.remote_addr,
        )

    return _columns(actor, kind, subject_type, subject_id, payload, agency), template_for


def _columns(
    actor: Actor,
    kind: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    agency: Agency | None,
) -> dict[str, Any]:
    """The columns a fact takes from its append, whoever computes its place in the log."""
    return {
        "agency_id": agency.pk if agency else None,
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "payload": payload,
        "actor_id": actor.user.pk if actor.user else None,
        "actor_label": actor.label,
        "channel": actor.channel,
        "remote_addr": actor.remote_addr or None,
    }


def leaf_values(
    actor: Actor,
    kind: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    agency: Agency | None,
    head: Head,
    seq: int,
    prev: bytes | None,
) -> dict[str, Any]:
    """The columns of a fact at ``seq`` of the log, its leaf hash and field digests."""
    payload = jsonable(payload)
    created_at = timezone.now()
    data = leaf.entry(
        agency=head.agency_code,
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
    leaf_hash, digests = leaf.hash_and_digests(data)
    return {
        "log_id": head.log_id,
        "seq": seq,
        **_columns(actor, kind, subject_type, subject_id, payload, agency),
        "created_at": created_at,
        "prev_leaf": prev,
        "leaf_hash": leaf_hash,
        "field_digests": digests,
    }


def jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the ledger stores it: through Django's JSON encoder and back."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False))
