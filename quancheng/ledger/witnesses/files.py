"""Witnessing offline, by file: the same ``add-checkpoint`` bodies and answers as over HTTP,
carried in a JSON file (docs/ledger.md, "Witnesses").

A request file (log side → witness)::

    {"format": "quancheng-witness-requests/1", "witness": "<witness name>",
     "requests": [{"origin": "...", "body": "old 12\\n…\\n\\n<signed checkpoint note>"}]}

A reply file (witness → log side)::

    {"format": "quancheng-witness-replies/1", "witness": "<witness name>",
     "replies": [{"origin": "...", "note": "<the checkpoint note sent>",
                  "status": 200, "body": "— <witness> <cosignature>\\n"}]}

``status`` and ``body`` are what the HTTP endpoint would have answered (409: the size the
witness holds). Nothing in a file is trusted: the witness checks every request as it checks
a POST, and the log side checks every cosignature against the witness key it configured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from quancheng.ledger.context import Actor
from quancheng.ledger.models import Checkpoint, Log, Witness
from quancheng.ledger.proving.proofs import latest_checkpoint
from quancheng.ledger.witnesses import protocol as witness_protocol
from quancheng.ledger.witnesses import witness, witnessing

REQUESTS = "quancheng-witness-requests/1"
REPLIES = "quancheng-witness-replies/1"


class FileError(ValueError):
    """Not a witness file, or one for another witness."""


@dataclass
class Outcome:
    """What importing a file did: lines to print, and whether something failed."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    replies: dict[str, Any] | None = None  # the reply file, when a request file was read


def export_requests(witness_name: str) -> dict[str, Any]:
    """Requests for every log whose latest checkpoint is newer than what ``witness_name``
    last cosigned."""
    row = Witness.objects.filter(name=witness_name).first()
    if row is None:
        raise FileError(_("No witness named %(name)s is configured.") % {"name": witness_name})
    requests = []
    for log in Log.objects.order_by("id"):
        checkpoint = latest_checkpoint(log)
        if checkpoint is None or checkpoint.cosignatures.filter(witness=row).exists():
            continue
        old = witnessing.cosigned_size(row, log)
        if old >= checkpoint.size and old:
            continue
        body = witnessing.request_for(checkpoint, old).body
        requests.append({"origin": log.origin, "body": body})
    return {"format": REQUESTS, "witness": row.name, "requests": requests}


def load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise FileError(_("Not a witness file: it is not JSON.")) from None
    if not isinstance(data, dict) or data.get("format") not in (REQUESTS, REPLIES):
        raise FileError(_("Not a witness file: unknown format."))
    return data


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FileError(_("Not a witness file: “%(key)s” is not a list.") % {"key": key})
    return items


def import_file(actor: Actor, text: str) -> Outcome:
    data = load(text)
    if data["format"] == REQUESTS:
        return answer_requests(actor, data)
    return store_replies(data)


def answer_requests(actor: Actor, data: dict[str, Any]) -> Outcome:
    """Witness side: check and cosign each request as the HTTP endpoint would."""
    signer = witness.current_signer()
    if data.get("witness") != signer.name:
        raise FileError(
            _("The file is for witness %(file)s; this one is %(ours)s.")
            % {"file": data.get("witness"), "ours": signer.name}
        )
    outcome = Outcome(replies={"format": REPLIES, "witness": signer.name, "replies": []})
    for item in _items(data, "requests"):
        body = str(item.get("body", ""))
        try:
            request = witness_protocol.parse_request(body)
            sent = request.note
        except witness_protocol.ProtocolError:
            sent = ""
        try:
            status, answer = 200, witness.add_checkpoint(actor, body, signer)
        except witness.Refusal as refusal:
            status = refusal.status
            answer = witness_protocol.size_body(refusal.size) if refusal.size is not None else ""
            outcome.errors.append(f"{item.get('origin')}: {status} {refusal.message}")
        else:
            outcome.lines.append(f"{item.get('origin')}: " + _("cosigned"))
        reply = {"origin": item.get("origin"), "note": sent, "status": status, "body": answer}
        outcome.replies["replies"].append(reply)  # type: ignore[index]
    return outcome


def store_replies(data: dict[str, Any]) -> Outcome:
    """Log side: check each cosignature against the configured witness key and store it."""
    row = Witness.objects.filter(name=data.get("witness")).first()
    if row is None:
        raise FileError(
            _("No witness named %(name)s is configured.") % {"name": data.get("witness")}
        )
    outcome = Outcome()
    for item in _items(data, "replies"):
        origin = item.get("origin")
        checkpoint = Checkpoint.objects.filter(log__origin=origin, note=item.get("note")).first()
        if checkpoint is None:
            outcome.errors.append(_("%(o)s: no such checkpoint here.") % {"o": origin})
            continue
        if item.get("status") != 200:
            body = str(item.get("body", "")).encode()
            outcome.errors.append(witnessing.refused(row, checkpoint, item.get("status"), body))
            continue
        if checkpoint.cosignatures.filter(witness=row).exists():
            outcome.lines.append(_("%(o)s: already cosigned.") % {"o": origin})
            continue
        try:
            witnessing.store(checkpoint, row, str(item.get("body", "")))
        except witnessing.WitnessError as exc:
            outcome.errors.append(str(exc))
        else:
            outcome.lines.append(
                _("%(o)s: cosignature by %(w)s stored for size %(size)s.")
                % {"o": origin, "w": row.name, "size": checkpoint.size}
            )
    return outcome
