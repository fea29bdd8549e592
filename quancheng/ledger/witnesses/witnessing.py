"""The log side of witnessing (C2SP tlog-witness): send each new checkpoint to the
configured witnesses with a consistency proof from the size each last cosigned, check the
cosignature that comes back against the witness's key, and store it beside the checkpoint.

A cosignature is stored like a timestamp token: evidence that verifies on its own (the
witness's signature over the checkpoint), in an append-only table, not as a fact; a fact
would grow the system log after every checkpoint and so call for yet another checkpoint.
Adding a witness is a fact.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import cosignature, note
from quancheng.ledger.log.tree import LogTree
from quancheng.ledger.models import Checkpoint, Cosignature, Log, Witness
from quancheng.ledger.proving.proofs import latest_checkpoint
from quancheng.ledger.witnesses import protocol as witness_protocol
from quancheng.ledger.witnesses.protocol import AddCheckpoint, ProtocolError

TIMEOUT = 30  # seconds for one add-checkpoint request


class WitnessError(Exception):
    """A witness did not cosign, or what it returned does not verify."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


Post = Callable[[str, bytes], Answer]


def add_witness(actor: Actor, name: str, url: str, verifier_key: str) -> Witness:
    """Configure a witness: its name, submission URL prefix ("" for file exchange only) and
    its cosignature verifier key (``name+hexid+base64(0x04||key)``)."""
    try:
        key = cosignature.parse_verifier_key(verifier_key)
    except note.NoteError as exc:
        raise ValueError(str(exc)) from None
    if key.name != name:
        raise ValueError(
            _("The verifier key is of %(key)s, not %(name)s.") % {"key": key.name, "name": name}
        )
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(_("A witness URL must start with http:// or https://."))
    if Witness.objects.filter(name=name).exists():
        raise ValueError(_("A witness named %(name)s is already configured.") % {"name": name})
    with transaction.atomic():
        row = Witness.objects.create(
            name=name,
            url=url.rstrip("/"),
            verifier_key=key.verifier_key,
            key_id=key.key_id,
            public_key=key.public_key,
        )
        payload = {"name": name, "url": row.url, "verifier_key": row.verifier_key}
        append_fact(actor, "ledger.witness_added", ("witness", row.pk), payload, None)
        return row


def online_witnesses() -> QuerySet[Witness]:
    return Witness.objects.exclude(url="").order_by("id")


def witness_key(witness: Witness) -> cosignature.WitnessKey:
    return cosignature.WitnessKey(witness.name, bytes(witness.key_id), bytes(witness.public_key))


def cosigned_size(witness: Witness, log: Log) -> int:
    """The largest size of ``log`` that ``witness`` cosigned for us (0: none)."""
    found = Cosignature.objects.filter(witness=witness, checkpoint__log=log).aggregate(
        size=Max("checkpoint__size")
    )
    return found["size"] or 0


def request_for(checkpoint: Checkpoint, old_size: int) -> AddCheckpoint:
    """The add-checkpoint request for ``checkpoint`` from a witness that holds ``old_size``."""
    if old_size > checkpoint.size:
        raise WitnessError(
            _("The witness already holds size %(old)s of %(log)s, past checkpoint #%(id)s.")
            % {"old": old_size, "log": checkpoint.log.origin, "id": checkpoint.pk}
        )
    proof = LogTree(checkpoint.log).consistency_proof(old_size, checkpoint.size) if old_size else []
    return AddCheckpoint(old_size, proof, checkpoint.note)


def store(checkpoint: Checkpoint, witness: Witness, lines: str) -> Cosignature:
    """Check the witness's answer (signature lines) and store its cosignature."""
    text, _signatures = note.split(checkpoint.note)
    try:
        found = cosignature.find(lines, text, witness_key(witness))
    except note.NoteError as exc:
        raise WitnessError(
            _("Witness %(w)s answered: %(e)s") % {"w": witness.name, "e": exc}
        ) from None
    if found is None:
        raise WitnessError(
            _("Witness %(w)s returned no valid cosignature for checkpoint #%(id)s.")
            % {"w": witness.name, "id": checkpoint.pk}
        )
    parsed, line = found
    with transaction.atomic():
        return Cosignature.objects.create(
            checkpoint=checkpoint, witness=witness, text=text, line=line, signed_at=parsed.time
        )


def cosignatures_of(checkpoint: Checkpoint) -> list[Cosignature]:
    """The witnesses' cosignatures stored beside ``checkpoint`` over its text as it is."""
    text, _signatures = note.split(checkpoint.note)
    rows = checkpoint.cosignatures.select_related("witness").order_by("id")
    return [row for row in rows if row.text == text]


def with_cosignatures(checkpoint: Checkpoint, rows: Iterable[Cosignature]) -> str:
    """The checkpoint's note followed by the cosignature lines of ``rows`` (each ends in a
    newline): one signed note, checked with the log's and the witnesses' verifier keys."""
    return checkpoint.note + "".join(row.line for row in rows)


def http_post(url: str, body: bytes) -> Answer:
    request = urllib.request.Request(  # noqa: S310 - a configured http(s) URL
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return Answer(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers.get_content_type(), exc.read())
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WitnessError(
            _("Witness at %(url)s cannot be reached: %(e)s") % {"url": url, "e": reason}
        ) from None


def submit(
    checkpoint: Checkpoint, witness: Witness, post: Post | None = None
) -> Cosignature | None:
    """Ask ``witness`` to cosign ``checkpoint`` (None when it already did). On 409 the
    request is sent once more from the size the witness says it holds."""
    if checkpoint.cosignatures.filter(witness=witness).exists():
        return None
    post = post or http_post
    url = f"{witness.url}/{witness_protocol.PATH}"
    old = cosigned_size(witness, checkpoint.log)
    for attempt in range(2):
        answer = post(url, request_for(checkpoint, old).body.encode())
        if answer.status == 200:
            return store(checkpoint, witness, answer.body.decode("utf-8", "replace"))
        if (
            answer.status == 409
            and answer.content_type == witness_protocol.SIZE_CONTENT_TYPE
            and not attempt
        ):
            try:
                old = witness_protocol.parse_size(answer.body)
            except ProtocolError as exc:
                raise WitnessError(str(exc)) from None
            continue
        raise WitnessError(refused(witness, checkpoint, answer.status, answer.body))
    raise AssertionError("unreachable")


def refused(witness: Witness, checkpoint: Checkpoint, status: int | None, body: bytes) -> str:
    """The message for a witness's refusal; ``status`` is the HTTP status it answered (None
    from a reply file that gives none)."""
    detail = body.decode("utf-8", "replace").strip()[:300]
    return _(
        "Witness %(w)s refused checkpoint #%(id)s of %(log)s (size %(size)s): "
        "HTTP %(status)s %(detail)s"
    ) % {
        "w": witness.name,
        "id": checkpoint.pk,
        "log": checkpoint.log.origin,
        "size": checkpoint.size,
        "status": status,
        "detail": detail,
    }


def due(witness: Witness, signed: Iterable[Checkpoint]) -> list[Checkpoint]:
    """What to send ``witness``: the new checkpoints, and the latest checkpoint of each log
    it cosigned before but not since (an earlier submission failed)."""
    wanted = {c.pk: c for c in signed}
    logs = Cosignature.objects.filter(witness=witness).values("checkpoint__log")
    for log in Log.objects.filter(pk__in=logs):
        checkpoint = latest_checkpoint(log)
        if checkpoint is not None:
            wanted.setdefault(checkpoint.pk, checkpoint)
    return sorted(wanted.values(), key=lambda c: (c.log_id, c.size, c.pk))


def submit_all(
    checkpoints: Iterable[Checkpoint],
    failed: Callable[[str], None] | None = None,
    post: Post | None = None,
) -> list[Cosignature]:
    """Send the new checkpoints to every witness with a URL (and what ``due`` retries);
    failures go to ``failed``, the checkpoints stand. For the periodic scheduler, after it
    signed."""
    stored = []
    checkpoints = list(checkpoints)
    for witness in online_witnesses():
        for checkpoint in due(witness, checkpoints):
            try:
                row = submit(checkpoint, witness, post)
            except WitnessError as exc:
                if failed:
                    failed(str(exc))
                continue
            if row is not None:
                stored.append(row)
    return stored
