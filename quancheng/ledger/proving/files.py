"""The files that prove a set of facts to someone with no database: each fact's leaf bytes,
its inclusion proof against its log's latest checkpoint (signed now if none covers it), the
checkpoint notes with their cosignatures, the verifier keys that signed them, the keys of
the witnesses that cosigned, a manifest, and the standalone verifier
(``quancheng.ledger.portable``, written as ``verify_proof.py``). Who chooses the facts and
what the directory is about (a case: ``quancheng.casefile.bundle``) is the caller's.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.ledger import portable
from quancheng.ledger.actions import sign_checkpoints
from quancheng.ledger.checkpoints.keys import KeyFileError
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.log import leaf
from quancheng.ledger.models import Checkpoint, Fact, Log, SigningKey
from quancheng.ledger.proving.proofs import ProofError, inclusion, latest_checkpoint, leaf_input
from quancheng.ledger.witnesses import witnessing


@dataclass(frozen=True)
class Proved:
    """What a proof directory holds: the checkpoints the facts are proved against, the
    verifier keys that signed them (``sm2`` if one is an SM2 key), the witnesses' keys, and
    one line per fact (file, appended at UTC, kind, subject) in the directory's order."""

    directory: Path
    facts: int
    checkpoints: list[Checkpoint]
    keys: list[str]
    witnesses: list[str]
    listing: list[str]

    @property
    def sm2(self) -> bool:
        return any(len(note.parse_verifier_key(key)[2]) == 65 for key in self.keys)


def write_proof_directory(
    out: Path,
    facts: list[Fact],
    actor: Actor,
    about: dict[str, Any],
    readme: Callable[[Proved], str],
) -> Proved:
    """Write the proofs of ``facts`` into ``out`` (which must be empty or not exist), with
    ``about`` in the manifest after its format and ``readme(proved)`` as README.txt. The
    directory is written beside ``out`` and renamed into place: complete or absent."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ProofError(_("%(dir)s exists and is not an empty directory.") % {"dir": out})
    inputs = {fact.pk: leaf_input(fact) for fact in facts}  # refuses a tampered fact first
    checkpoints = _covering(facts, actor)
    files: dict[str, bytes] = {}
    entries = _add_facts(files, facts, inputs, checkpoints)
    notes, keys, witnesses = _add_checkpoints(files, checkpoints)
    manifest = {
        "format": portable.FORMAT,
        **about,
        "generated_at": timezone.now().isoformat(),
        "checkpoints": notes,
        "facts": entries,
    }
    files[portable.MANIFEST] = _json(manifest)
    listing = [
        f"  {item['fact']}  {leaf.iso_utc(fact.created_at)}  {fact.kind}"
        f"  {fact.subject_type}:{fact.subject_id}"
        for item, fact in zip(entries, facts, strict=True)
    ]
    proved = Proved(out, len(facts), list(checkpoints.values()), keys, witnesses, listing)
    files["README.txt"] = readme(proved).encode()
    _write_in_place(out, files)
    return proved


def _covering(facts: list[Fact], actor: Actor) -> dict[int, Checkpoint]:
    """The latest checkpoint of each log the facts are in, signed now where none covers them."""
    logs: dict[int, Log] = {}
    last: dict[int, int] = {}
    for fact in facts:
        logs[fact.log_id] = fact.log
        last[fact.log_id] = max(last.get(fact.log_id, -1), fact.seq)
    stale = [
        log.origin
        for pk, log in logs.items()
        if (cp := latest_checkpoint(log)) is None or cp.size <= last[pk]
    ]
    if stale:
        try:
            sign_checkpoints(actor, origins=stale)
        except KeyFileError as exc:
            raise ProofError(
                _(
                    "No checkpoint covers the case's facts yet and none can be signed: "
                    "%(error)s (a ledger key is made with “quancheng keys init”)."
                )
                % {"error": exc}
            ) from None
    return {pk: latest_checkpoint(log) for pk, log in logs.items()}  # type: ignore[misc]


def _file_name(log: Log, seq: int) -> str:
    label = log.agency_code or "system"
    return f"{re.sub(r'[^A-Za-z0-9._-]', '_', label)}-{seq:08d}.json"


def _verifier_keys(checkpoints: list[Checkpoint]) -> list[str]:
    """The registered keys that signed the checkpoints (a rotation's note has two)."""
    used = set()
    for checkpoint in checkpoints:
        _text, signatures = note.split(checkpoint.note)
        used |= {(s.name, s.key_id) for s in signatures}
    return [
        row.verifier_key
        for row in SigningKey.objects.order_by("id")
        if (row.name, bytes(row.key_id)) in used
    ]


def _add_facts(
    files: dict[str, bytes],
    facts: list[Fact],
    inputs: dict[int, bytes],
    checkpoints: dict[int, Checkpoint],
) -> list[dict[str, str]]:
    """Add each fact's leaf bytes and its inclusion proof against its log's checkpoint to
    ``files``; the manifest's entries for them."""
    entries = []
    for fact in facts:
        name = _file_name(fact.log, fact.seq)
        proof = inclusion(fact, checkpoints[fact.log_id])
        proof.pop("checkpoint")
        files[f"facts/{name}"] = inputs[fact.pk]
        files[f"proofs/{name}"] = _json(proof)
        entries.append({"fact": f"facts/{name}", "proof": f"proofs/{name}"})
    return entries


def _add_checkpoints(
    files: dict[str, bytes], checkpoints: dict[int, Checkpoint]
) -> tuple[dict[str, str], list[str], list[str]]:
    """Add each checkpoint note (with its cosignatures), the verifier keys that signed them
    and the keys of the witnesses that cosigned (if any) to ``files``; the notes' files by
    log origin, the verifier keys and the witness keys."""
    notes = {}
    cosigned = {pk: witnessing.cosignatures_of(cp) for pk, cp in checkpoints.items()}
    for pk, checkpoint in checkpoints.items():
        name = f"checkpoints/{_file_name(checkpoint.log, checkpoint.size)[:-5]}.txt"
        # the note with the cosignatures stored beside it: still one valid signed note
        files[name] = witnessing.with_cosignatures(checkpoint, cosigned[pk]).encode()
        notes[checkpoint.log.origin] = name
    keys = _verifier_keys(list(checkpoints.values()))
    files[portable.KEYS] = "".join(f"{key}\n" for key in keys).encode()
    witnesses = sorted({row.witness.verifier_key for rows in cosigned.values() for row in rows})
    if witnesses:
        files[portable.WITNESS_KEYS] = "".join(f"{key}\n" for key in witnesses).encode()
    return notes, keys, witnesses


def _write_in_place(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` and the standalone verifier into a directory beside ``out`` and rename
    it into place: a bundle is complete or absent."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        shutil.copyfile(portable.__file__, staging / "verify_proof.py")
        staging.chmod(0o755)
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _json(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()
