"""``quancheng verify --against FILE``: the log as it is now against checkpoints held
elsewhere — by a supervising witness (``quancheng witness held ORIGIN`` there), a court, an
earlier proof bundle.

Cosignatures stored beside our checkpoints catch a rewritten history only while those rows
are intact; someone with the database can delete them too. A checkpoint note kept outside
the installation cannot be reached that way: if this installation's key signed it, the log's
tree at its size must still have its root, or history was rewritten after it was signed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from quancheng.ledger.crypto import cosignature, note
from quancheng.ledger.log import merkle

if TYPE_CHECKING:
    from quancheng.ledger.models import Log
    from quancheng.ledger.verification.verify import Keys, Report


@dataclass(frozen=True)
class Held:
    """A checkpoint note read from a file."""

    source: str  # the file it came from, for the messages
    text: str
    signatures: list[note.Signature]
    lines: str  # the signature lines as written (cosignatures among them)
    body: note.CheckpointBody


def read_held(path: Path) -> Held:
    """The checkpoint note in ``path``; ``ValueError`` with one sentence if it is none."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(
            _("%(path)s cannot be read: %(e)s") % {"path": path, "e": getattr(exc, "strerror", exc)}
        ) from None
    try:
        text, signatures = note.split(content)
        body = note.parse_checkpoint(text)
    except note.NoteError as exc:
        raise ValueError(
            _("%(path)s is not a signed checkpoint note: %(e)s") % {"path": path, "e": exc}
        ) from None
    return Held(str(path), text, signatures, content[len(text) + 1 :], body)


def check_unknown_origins(held: list[Held], origins: set[str], report: Report) -> None:
    """A held checkpoint of a log this installation no longer has at all."""
    for item in held:
        if item.body.origin not in origins:
            report.add(
                "keys",
                "fork",
                _(
                    "%(file)s: a checkpoint of log %(log)s at size %(size)s is held elsewhere, "
                    "but this installation has no such log: the log was deleted, or the "
                    "checkpoint is not of this installation."
                )
                % {"file": item.source, "log": item.body.origin, "size": item.body.size},
            )


def check_held(
    log: Log,
    held: list[Held],
    tree: list[list[bytes]],
    size: int,
    keys: Keys,
    witnesses: dict[int, cosignature.WitnessKey],
    report: Report,
) -> None:
    """Each held checkpoint of ``log`` against its tree recomputed from the facts."""
    for item in held:
        report.held += 1
        args = {"file": item.source, "log": log.origin, "size": item.body.size}
        if not _signed_by_us(item, keys):
            report.add(
                log.origin,
                "held",
                _(
                    "%(file)s: the checkpoint of log %(log)s at size %(size)s is not signed by "
                    "a key of this installation: it proves nothing about this log."
                )
                % args,
            )
            continue
        args["by"] = _cosigners(item, witnesses) or _("nobody")
        departure = merkle.departure(tree, size, item.body.size, item.body.root_hash)
        if departure == "deleted":
            report.add(
                log.origin,
                "fork",
                _(
                    "%(file)s: the checkpoint of log %(log)s at size %(size)s held elsewhere "
                    "(cosigned by %(by)s): the log has only %(have)s facts now: facts were "
                    "deleted."
                )
                % {**args, "have": size},
            )
        elif departure == "rewritten":
            report.add(
                log.origin,
                "fork",
                _(
                    "%(file)s: the checkpoint of log %(log)s at size %(size)s held elsewhere "
                    "(cosigned by %(by)s) has another root than the log's tree at that size: "
                    "history was rewritten after it was signed."
                )
                % args,
            )


def _signed_by_us(item: Held, keys: Keys) -> bool:
    for signature in item.signatures:
        known = keys.get((signature.name, signature.key_id))
        if known is not None and note.verify(item.text, signature, known[0]):
            return True
    return False


def _cosigners(item: Held, witnesses: dict[int, cosignature.WitnessKey]) -> str:
    """The configured witnesses whose valid cosignature the note carries."""
    names = set()
    for key in witnesses.values():
        try:
            if cosignature.find(item.lines, item.text, key) is not None:
                names.add(key.name)
        except note.NoteError:
            continue
    return ", ".join(sorted(names))
