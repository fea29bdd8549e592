"""``quancheng verify``, witnessing: every cosignature stored beside a checkpoint against its
witness's key and against the log as it is now, so a history rewritten after a supervisor
cosigned it is named; and, on a witness, the chain of checkpoints it cosigned."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from quancheng.ledger.crypto import cosignature, note
from quancheng.ledger.log import merkle
from quancheng.ledger.models import (
    Checkpoint,
    Cosignature,
    Fact,
    Log,
    Witness,
    WitnessedCheckpoint,
    WitnessedLog,
    WitnessKey,
)

if TYPE_CHECKING:
    from quancheng.ledger.verification.verify import Report


def witness_keys(report: Report) -> dict[int, cosignature.WitnessKey]:
    """The configured witnesses' keys by witness id; each must be well formed and recorded."""
    recorded = {
        (f.subject_id, f.payload.get("verifier_key"))
        for f in Fact.objects.filter(kind="ledger.witness_added", subject_type="witness")
    }
    keys = {}
    for row in Witness.objects.all():
        try:
            key = cosignature.parse_verifier_key(row.verifier_key)
        except note.NoteError:
            key = None
        if key is None or (key.key_id, key.public_key) != (
            bytes(row.key_id),
            bytes(row.public_key),
        ):
            report.add("keys", "witness", _("Witness #%(id)s was altered.") % {"id": row.pk})
            continue
        if (str(row.pk), row.verifier_key) not in recorded:
            report.add(
                "keys",
                "witness",
                _("Witness %(key)s is not recorded in the ledger.") % {"key": row.verifier_key},
            )
        keys[row.pk] = key
    return keys


def check_cosignatures(
    log: Log,
    checkpoint: Checkpoint,
    tree: list[list[bytes]],
    size: int,
    keys: dict[int, cosignature.WitnessKey],
    report: Report,
) -> None:
    for row in checkpoint.cosignatures.select_related("witness").order_by("id"):
        report.cosignatures += 1
        _check_cosignature(log, checkpoint, row, tree, size, keys, report)


def _check_cosignature(
    log: Log,
    checkpoint: Checkpoint,
    row: Cosignature,
    tree: list[list[bytes]],
    size: int,
    keys: dict[int, cosignature.WitnessKey],
    report: Report,
) -> None:
    args = {"id": checkpoint.pk, "log": log.origin, "w": row.witness.name}
    key = keys.get(row.witness_id)
    parsed: cosignature.Cosignature | None
    body: note.CheckpointBody | None
    try:
        parsed = cosignature.parse_line(row.line)
        body = note.parse_checkpoint(row.text)
    except note.NoteError:
        parsed = body = None
    if key is None or parsed is None or body is None:
        message = _(
            "Checkpoint #%(id)s of log %(log)s: the cosignature by witness %(w)s is unreadable."
        )
        report.add(log.origin, "cosignature", message % args)
        return
    if not cosignature.verify(row.text, parsed, key) or body.origin != log.origin:
        report.add(
            log.origin,
            "cosignature",
            _(
                "Checkpoint #%(id)s of log %(log)s: the cosignature by witness %(w)s does not "
                "verify: it is forged, or what it signs was altered."
            )
            % args,
        )
        return
    if parsed.time != row.signed_at:
        report.add(
            log.origin,
            "cosignature",
            _(
                "Checkpoint #%(id)s of log %(log)s: the time recorded beside the cosignature by "
                "witness %(w)s is not the time in it: the row was changed."
            )
            % args,
        )
    _check_cosigned_root(log, checkpoint, row, body, tree, size, report)


def _check_cosigned_root(
    log: Log,
    checkpoint: Checkpoint,
    row: Cosignature,
    body: note.CheckpointBody,
    tree: list[list[bytes]],
    size: int,
    report: Report,
) -> None:
    args = {"id": checkpoint.pk, "log": log.origin, "w": row.witness.name, "size": body.size}
    departure = merkle.departure(tree, size, body.size, body.root_hash)
    if departure == "deleted":
        message = _(
            "Checkpoint #%(id)s of log %(log)s, cosigned by witness %(w)s at size %(size)s: "
            "the log has only %(have)s facts now: facts were deleted."
        )
        report.add(log.origin, "fork", message % {**args, "have": size})
    elif departure == "rewritten":
        message = _(
            "Checkpoint #%(id)s of log %(log)s, cosigned by witness %(w)s at size %(size)s: "
            "the log's tree at size %(size)s no longer has that root: history was rewritten."
        )
        report.add(log.origin, "fork", message % args)
    try:
        text, _signatures = note.split(checkpoint.note)
    except note.NoteError:
        text = ""
    if text != row.text:
        report.add(
            log.origin,
            "fork",
            _("Checkpoint #%(id)s of log %(log)s was changed after witness %(w)s cosigned it.")
            % args,
        )


# --- the witness side ----------------------------------------------------------------------


def check_witnessed(report: Report) -> None:
    """On a witness: each log's cosigned checkpoints form one append-only chain, each was
    cosigned by this witness's key, and each is a fact."""
    ours = [cosignature.parse_verifier_key(k.verifier_key) for k in WitnessKey.objects.all()]
    recorded = set(
        Fact.objects.filter(kind="witness.cosigned").values_list("subject_id", flat=True)
    )
    for log in WitnessedLog.objects.order_by("id"):
        size, root = 0, merkle.EMPTY_ROOT
        for row in WitnessedCheckpoint.objects.filter(log=log).order_by("id"):
            report.witnessed += 1
            _check_witnessed(log, row, size, root, ours, str(row.pk) in recorded, report)
            size, root = row.size, bytes(row.root_hash)


def _check_witnessed(
    log: WitnessedLog,
    row: WitnessedCheckpoint,
    size: int,
    root: bytes,
    ours: list[cosignature.WitnessKey],
    recorded: bool,
    report: Report,
) -> None:
    args = {"log": log.origin, "size": row.size, "old": size}
    scope = "witness:" + log.origin
    try:
        proof = [base64.b64decode(h) for h in row.proof]
        consistent = row.old_size == size and merkle.verify_consistency(
            size, row.size, root, bytes(row.root_hash), proof
        )
        text, _signatures = note.split(row.note)
        body = note.parse_checkpoint(text)
        parsed = cosignature.parse_line(row.cosignature)
    except (ValueError, note.NoteError):
        consistent, body, parsed, text = False, None, None, ""
    if not consistent:
        message = _(
            "Witnessed log %(log)s: the checkpoint cosigned at size %(size)s does not follow "
            "from the one held before (size %(old)s): the witness's records were altered."
        )
        report.add(scope, "witness", message % args)
    signed = parsed is not None and any(cosignature.verify(text, parsed, k) for k in ours)
    if (
        not signed
        or body is None
        or (body.size, body.root_hash) != (row.size, bytes(row.root_hash))
    ):
        message = _(
            "Witnessed log %(log)s, size %(size)s: the cosignature stored is not this "
            "witness's over the checkpoint stored."
        )
        report.add(scope, "witness", message % args)
    if not recorded:
        message = _("Witnessed log %(log)s, size %(size)s: the cosigning is not a ledger fact.")
        report.add(scope, "witness", message % args)
