"""The witness side (C2SP tlog-witness): a supervising installation checks each new
checkpoint of a log it witnesses against the last one it holds, and cosigns it only if the
log was only appended to. Every acceptance is a row of ``WitnessedCheckpoint`` and a fact of
the system log; a refused checkpoint whose signature is valid is kept as a fact too, since it
may be evidence that the log rewrote its history."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.ledger.actions import append_fact
from quancheng.ledger.checkpoints import keys
from quancheng.ledger.checkpoints.keys import KeyFileError
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import cosignature, note
from quancheng.ledger.log import merkle
from quancheng.ledger.models import WitnessedCheckpoint, WitnessedLog, WitnessedLogKey, WitnessKey
from quancheng.ledger.witnesses.protocol import AddCheckpoint, ProtocolError, parse_request


class Refusal(Exception):
    """The witness does not cosign; ``status`` is the tlog-witness HTTP status, ``size`` the
    size it holds (for 409)."""

    def __init__(
        self, status: int, message: str, size: int | None = None, evidence: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.size = size
        self.evidence = evidence  # a signed checkpoint inconsistent with what is held


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier_key(self) -> str:
        return cosignature.verifier_key(self.name, self.private_key.public_key().public_bytes_raw())


# --- the witness key -----------------------------------------------------------------------


def key_file() -> Path:
    return Path(settings.QUANCHENG_WITNESS_KEY_FILE)


def init_key(actor: Actor) -> WitnessKey:
    """Create the witness key file and record its verifier key (a fact of the system log)."""
    path = key_file()
    if path.exists():
        raise KeyFileError(_("A witness key file already exists at %(path)s.") % {"path": path})
    signer = Signer(note.check_name(settings.QUANCHENG_WITNESS_NAME), Ed25519PrivateKey.generate())
    keys.write_key(path, signer.private_key)
    try:
        with transaction.atomic():
            row = WitnessKey.objects.create(name=signer.name, verifier_key=signer.verifier_key)
            payload = {"name": signer.name, "verifier_key": signer.verifier_key}
            append_fact(actor, "witness.key_created", ("witness_key", row.pk), payload, None)
            return row
    except BaseException:
        path.unlink()
        raise


def current_signer() -> Signer:
    path = key_file()
    if not path.exists():
        raise KeyFileError(
            _("There is no witness key file at %(path)s: run “quancheng witness init”.")
            % {"path": path}
        )
    private = keys.read_private_key(path)
    if not isinstance(private, Ed25519PrivateKey):
        # an SM2 key: witness init writes Ed25519 keys only (C2SP), so no row can match it
        raise KeyFileError(_("The key in the witness key file is not registered."))
    public = private.public_key().public_bytes_raw()
    for row in WitnessKey.objects.all():
        if cosignature.parse_verifier_key(row.verifier_key).public_key == public:
            return Signer(row.name, private)
    raise KeyFileError(_("The key in the witness key file is not registered."))


# --- the logs witnessed --------------------------------------------------------------------


def add_log(actor: Actor, origin: str, verifier_key: str) -> WitnessedLogKey:
    """Witness the log ``origin`` (if not yet) and trust ``verifier_key`` to sign it."""
    try:
        note.checkpoint_text(origin, 0, bytes(32))
        name, _kid, _public = note.parse_verifier_key(verifier_key)
    except note.NoteError as exc:
        raise ValueError(str(exc)) from None
    with transaction.atomic():
        log, _created = WitnessedLog.objects.get_or_create(origin=origin)
        if log.keys.filter(verifier_key=verifier_key.strip()).exists():
            raise ValueError(_("That key is already trusted for %(origin)s.") % {"origin": origin})
        row = WitnessedLogKey.objects.create(log=log, verifier_key=verifier_key.strip())
        payload = {"origin": origin, "verifier_key": row.verifier_key}
        append_fact(actor, "witness.log_added", ("witnessed_log", log.pk), payload, None)
        return row


def held(log: WitnessedLog) -> WitnessedCheckpoint | None:
    """The latest checkpoint the witness cosigned for ``log``."""
    return log.checkpoints.order_by("-id").first()


def held_note(origin: str) -> str:
    """The latest checkpoint held of the log ``origin`` as a signed note: the log's signature
    lines followed by this witness's cosignature. ``ValueError`` if none is held."""
    log = WitnessedLog.objects.filter(origin=origin).first()
    last = held(log) if log is not None else None
    if last is None:
        raise ValueError(_("This witness holds no checkpoint of %(origin)s.") % {"origin": origin})
    line = last.cosignature if last.cosignature.endswith("\n") else last.cosignature + "\n"
    return last.note + line


# --- add-checkpoint ------------------------------------------------------------------------


def add_checkpoint(actor: Actor, body: bytes | str, signer: Signer | None = None) -> str:
    """Check a tlog-witness ``add-checkpoint`` request body and cosign it: the answer body
    (one cosignature line), or ``Refusal`` with the status to answer."""
    try:
        request = parse_request(body)
    except ProtocolError as exc:
        raise Refusal(400, str(exc)) from None
    text, signatures = note.split(request.note)
    checkpoint = note.parse_checkpoint(text)
    log = WitnessedLog.objects.filter(origin=checkpoint.origin).first()
    if log is None:
        raise Refusal(404, _("This witness does not witness %(o)s.") % {"o": checkpoint.origin})
    if not _signed_by_known_key(log, text, signatures):
        raise Refusal(403, _("No key trusted for %(o)s signed it.") % {"o": checkpoint.origin})
    if request.old_size > checkpoint.size:
        raise Refusal(400, _("The old size is larger than the checkpoint's."))
    signer = signer or current_signer()
    try:
        with transaction.atomic():
            return _advance(actor, log, request, checkpoint, text, signer)
    except Refusal as refusal:
        if refusal.evidence:
            _record_refusal(actor, log, request, refusal)
        raise


def _signed_by_known_key(log: WitnessedLog, text: str, signatures: list[note.Signature]) -> bool:
    trusted = {}
    for row in log.keys.all():
        name, kid, public = note.parse_verifier_key(row.verifier_key)
        trusted[(name, kid)] = public
    return any(
        note.verify(text, s, trusted[(s.name, s.key_id)])
        for s in signatures
        if (s.name, s.key_id) in trusted  # signatures of unknown keys are ignored
    )


def _advance(
    actor: Actor,
    log: WitnessedLog,
    request: AddCheckpoint,
    checkpoint: note.CheckpointBody,
    text: str,
    signer: Signer,
) -> str:
    WitnessedLog.objects.select_for_update().filter(pk=log.pk).first()  # one submission a log
    last = held(log)
    size, root = (last.size, bytes(last.root_hash)) if last else (0, merkle.EMPTY_ROOT)
    if request.old_size != size:
        raise Refusal(409, _("This witness holds size %(size)s.") % {"size": size}, size)
    if request.old_size == checkpoint.size and root != checkpoint.root_hash:
        raise Refusal(409, _("Same size, another root: the log forked."), size, evidence=True)
    if not merkle.verify_consistency(
        request.old_size, checkpoint.size, root, checkpoint.root_hash, request.proof
    ):
        raise Refusal(
            422,
            _("The consistency proof from size %(old)s to %(new)s does not verify.")
            % {"old": request.old_size, "new": checkpoint.size},
            evidence=True,
        )
    line = cosignature.cosign(text, signer.name, signer.private_key, int(time.time()))
    row = WitnessedCheckpoint.objects.create(
        log=log,
        old_size=request.old_size,
        size=checkpoint.size,
        root_hash=checkpoint.root_hash,
        proof=[base64.b64encode(h).decode() for h in request.proof],
        note=request.note,
        cosignature=line,
    )
    payload = {
        "origin": log.origin,
        "old_size": request.old_size,
        "size": checkpoint.size,
        "root": checkpoint.root_hash.hex(),
        "cosignature": line,
    }
    append_fact(actor, "witness.cosigned", ("witnessed_checkpoint", row.pk), payload, None)
    return line


def _record_refusal(
    actor: Actor, log: WitnessedLog, request: AddCheckpoint, refusal: Refusal
) -> None:
    """Keep a validly signed checkpoint that is not consistent with what the witness holds:
    it is the log's own signed word for a rewritten history."""
    payload = {
        "origin": log.origin,
        "old_size": request.old_size,
        "proof": [base64.b64encode(h).decode() for h in request.proof],
        "note": request.note,
        "reason": refusal.message,
    }
    with transaction.atomic():
        append_fact(actor, "witness.inconsistent", ("witnessed_log", log.pk), payload, None)
