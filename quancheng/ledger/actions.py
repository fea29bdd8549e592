"""The single entry point through which every write and every access reaches the ledger."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.agencies.roles import require
from quancheng.ledger.checkpoints import keys, timestamps
from quancheng.ledger.checkpoints.keys import KeyFileError, PrivateKey, SigningKeyPair
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.log.fact_rows import head_values, leaf_values
from quancheng.ledger.log.logs import (
    append_at_head,
    insert_fact,
    insert_facts,
    lock_head,
    lock_log,
    previous_leaves,
)
from quancheng.ledger.log.tree import LogTree
from quancheng.ledger.models import Checkpoint, CheckpointTimestamp, Fact, Log, SigningKey
from quancheng.ledger.proving.proofs import latest_checkpoint

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency


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
    db = transaction.get_connection()
    if not db.in_atomic_block:
        raise RuntimeError("append_fact must run inside the action's transaction")
    subject_type, subject_id = subject[0], str(subject[1])
    if db.vendor == "postgresql":
        values, template_for = head_values(actor, kind, subject_type, subject_id, payload, agency)
        return append_at_head(agency, values, template_for)
    head = lock_head(agency, subject_type, subject_id)
    values = leaf_values(
        actor, kind, subject_type, subject_id, payload, agency, head, head.next_seq, head.prev_leaf
    )
    return insert_fact(values)


def append_facts(
    actor: Actor,
    facts: Sequence[tuple[str, tuple[str, object], dict[str, Any]]],
    agency: Agency | None,
) -> list[Fact]:
    """Append many ``(kind, subject, payload)`` facts to one agency's log at once.

    For bulk work (imports, migrations): one lock, one lookup of the subjects' previous
    facts and multi-row inserts, where ``append_fact`` costs a statement or two a fact. The
    leaves are exactly those ``append_fact`` would give, one after another.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_facts must run inside the action's transaction")
    items = [(kind, subject[0], str(subject[1]), payload) for kind, subject, payload in facts]
    head = lock_head(agency, "", "")
    last = previous_leaves(head.log_id, {(s_type, s_id) for _, s_type, s_id, _ in items})
    rows = []
    for offset, (kind, s_type, s_id, payload) in enumerate(items):
        prev = last.get((s_type, s_id))
        values = leaf_values(
            actor, kind, s_type, s_id, payload, agency, head, head.next_seq + offset, prev
        )
        last[(s_type, s_id)] = values["leaf_hash"]
        rows.append(values)
    return insert_facts(rows)


# --- signing keys and checkpoints ----------------------------------------------------------


KEY_FACTS = ("ledger.key_created", "ledger.key_rotated")


def _code(agency: Agency | None) -> str | None:
    return agency.code if agency else None


def _registered(
    key: SigningKeyPair | PrivateKey, agency: Agency | None = None
) -> tuple[SigningKey, SigningKeyPair]:
    """The key file's key as registered in the ledger (its name comes from there), for the
    installation or, with ``agency``, for that agency (whose log recorded it)."""
    private = key.private_key if isinstance(key, SigningKeyPair) else key
    public = note.public_bytes(private)
    for row in SigningKey.objects.all():
        if bytes(row.public_key) == public:
            scope = (
                Fact.objects.filter(
                    subject_type="signing_key", subject_id=str(row.pk), kind__in=KEY_FACTS
                )
                .values_list("agency_id", flat=True)
                .first()
            )
            if scope != (agency.pk if agency else None):
                raise KeyFileError(
                    _("The key in %(path)s is registered for another agency or the installation.")
                    % {"path": keys.key_file(_code(agency))}
                )
            return row, SigningKeyPair(row.name, private)
    raise KeyFileError(
        _("The key in the ledger key file is not registered: run “quancheng keys init”.")
    )


def current_key(agency: Agency | None = None) -> SigningKeyPair:
    """The signing key from the key file (passphrase from the environment): the
    installation's, or with ``agency`` that agency's own."""
    return _registered(keys.read_private_key(keys.key_file(_code(agency))), agency)[1]


def agency_has_key(agency: Agency | None) -> bool:
    """Whether the agency has its own key file (else the installation key signs its log)."""
    return agency is not None and keys.key_file(agency.code).exists()


def _register(
    actor: Actor,
    pair: SigningKeyPair,
    kind: str,
    extra: dict[str, Any],
    agency: Agency | None = None,
) -> SigningKey:
    row = SigningKey.objects.create(
        name=pair.name,
        key_id=pair.key_id,
        algorithm=pair.algorithm,
        public_key=pair.public_key,
        verifier_key=pair.verifier_key,
    )
    payload = {"name": pair.name, "algorithm": pair.algorithm, "verifier_key": pair.verifier_key}
    append_fact(actor, kind, ("signing_key", row.pk), {**payload, **extra}, agency)
    return row


def _algorithm(algorithm: str | None, default: str) -> str:
    algorithm = algorithm or default
    if algorithm not in note.ALGORITHMS:
        raise KeyFileError(
            _("Unknown key algorithm %(name)s: use ed25519 or sm2.") % {"name": algorithm}
        )
    return algorithm


def init_key(
    actor: Actor, algorithm: str | None = None, agency: Agency | None = None
) -> SigningKey:
    """Create the installation's signing key file and record its public key in the ledger.

    ``algorithm`` is ``ed25519`` or ``sm2``; by default SM2 in 国密 mode, else Ed25519.
    With ``agency``, the agency's own key (``agency-<code>.pem``), named
    ``<key name>/agency/<code>``: it signs that agency's log, and its creation is a fact of
    that log."""
    require(actor.user, "ledger.keys")
    algorithm = _algorithm(algorithm, keys.default_algorithm())
    path = keys.key_file(_code(agency))
    if path.exists():
        raise KeyFileError(
            _("A ledger key file already exists at %(path)s: use “quancheng keys rotate”.")
            % {"path": path}
        )
    name = settings.QUANCHENG_LEDGER_KEY_NAME
    name = note.check_name(f"{name}/agency/{agency.code}" if agency else name)
    pair = SigningKeyPair(name, keys.generate(algorithm))
    keys.write_key(path, pair.private_key)
    try:
        with transaction.atomic():
            return _register(actor, pair, "ledger.key_created", {}, agency)
    except BaseException:
        path.unlink()
        raise


def rotate_key(
    actor: Actor,
    timestamp_failed: Callable[[str], None] | None = None,
    algorithm: str | None = None,
    agency: Agency | None = None,
) -> SigningKey:
    """Replace the signing key (the installation's, or ``agency``'s own). The rotation is a
    fact of the system log (of the agency's log for its own key), whose checkpoint right
    after it is signed by both keys; the old key file is kept beside as ``*.retired``.

    The new key has the old one's algorithm unless ``algorithm`` names another."""
    require(actor.user, "ledger.keys")
    path = keys.key_file(_code(agency))
    old = current_key(agency)
    pair = SigningKeyPair(old.name, keys.generate(_algorithm(algorithm, old.algorithm)))
    staged = path.with_name(path.name + ".new")
    staged.unlink(missing_ok=True)
    keys.write_key(staged, pair.private_key)
    try:
        with transaction.atomic():
            extra = {"replaces": old.verifier_key}
            row = _register(actor, pair, "ledger.key_rotated", extra, agency)
            checkpoint = sign_checkpoint(actor, lock_log(agency), [old, pair])
    except BaseException:
        staged.unlink()
        raise
    os.replace(path, path.with_name(f"{path.name}.{old.key_id.hex()}.retired"))
    os.replace(staged, path)
    if timestamps.tsa_url():
        try:
            stamp_checkpoint(checkpoint)
        except timestamps.TimestampError as exc:
            if timestamp_failed:
                timestamp_failed(
                    _("Checkpoint of %(log)s signed without a timestamp: %(e)s")
                    % {"log": checkpoint.log.origin, "e": exc}
                )
    return row


def _signed_note(log: Log, signers: list[SigningKeyPair]) -> tuple[int, bytes, str]:
    """The log's current size and root hash, and the checkpoint note signed by ``signers``."""
    tree = LogTree(log)
    size = tree.size()
    root = tree.root(size)
    text = note.checkpoint_text(log.origin, size, root)
    signed = text + "\n" + "".join(note.sign(text, k.name, k.private_key) for k in signers)
    return size, root, signed


def sign_checkpoint(actor: Actor, log: Log, signers: list[SigningKeyPair]) -> Checkpoint:
    """Sign the log's current size and root hash (C2SP tlog-checkpoint)."""
    size, root, signed = _signed_note(log, signers)
    return Checkpoint.objects.create(log=log, size=size, root_hash=root, note=signed)


def sign_checkpoints(
    actor: Actor,
    *,
    origins: list[str] | None = None,
    force: bool = False,
    require_timestamp: bool = False,
    timestamp_failed: Callable[[str], None] | None = None,
) -> list[Checkpoint]:
    """A checkpoint for every log (or those named) that grew since its last one.

    With ``QUANCHENG_TSA_URL`` set each new checkpoint is stamped (RFC 3161) over its note,
    outside any transaction; checkpoints and tokens are then written together. A TSA that
    fails leaves the checkpoint unstamped and is reported through ``timestamp_failed``;
    with ``require_timestamp`` it raises ``TimestampError`` and nothing is written."""
    # the installation's; an agency's own when it has one
    signers: dict[int | None, SigningKeyPair] = {None: current_key()}
    url = timestamps.tsa_url()
    if require_timestamp and not url:
        raise timestamps.TimestampError(
            _("No time-stamping authority is configured: set %(var)s.")
            % {"var": timestamps.TSA_URL_ENV}
        )
    prepared = _prepare_checkpoints(signers, origins, force)
    stamps: dict[int, timestamps.Stamp] = {}
    if url:
        for index, (log, _size, _root, signed) in enumerate(prepared):
            try:
                stamps[index] = timestamps.stamp(signed, url)
            except timestamps.TimestampError as exc:
                if require_timestamp:
                    raise
                if timestamp_failed:
                    timestamp_failed(
                        _("Checkpoint of %(log)s signed without a timestamp: %(e)s")
                        % {"log": log.origin, "e": exc}
                    )
    return _write_checkpoints(prepared, stamps, force)


Prepared = tuple[Log, int, bytes, str]  # log, size, root hash, signed note


def _prepare_checkpoints(
    signers: dict[int | None, SigningKeyPair], origins: list[str] | None, force: bool
) -> list[Prepared]:
    """The signed note of every log (or those named) that grew since its last checkpoint,
    by the agency's own key where it has one, else by the installation's (``signers[None]``)."""
    with transaction.atomic():
        logs = Log.objects.select_related("agency").order_by("id")
        if origins:
            logs = logs.filter(origin__in=origins)
        prepared = []
        for log in logs:
            last = latest_checkpoint(log)
            if not force and last is not None and last.size == LogTree(log).size():
                continue
            own = log.agency_id if agency_has_key(log.agency) else None
            if own not in signers:
                signers[own] = current_key(log.agency)
            prepared.append((log, *_signed_note(log, [signers[own]])))
    return prepared


def _write_checkpoints(
    prepared: list[Prepared], stamps: dict[int, timestamps.Stamp], force: bool
) -> list[Checkpoint]:
    """Store the checkpoints and their tokens. Each log is locked and checked again first: a
    checkpoint another signer (a second scheduler, a command run by hand) stored meanwhile
    for the same size makes this one redundant, so it is dropped."""
    written = []
    with transaction.atomic():
        for index, (log, size, root, signed) in enumerate(prepared):
            lock_log(log.agency)
            if not force and log.checkpoints.filter(size=size).exists():
                continue
            checkpoint = Checkpoint.objects.create(log=log, size=size, root_hash=root, note=signed)
            if index in stamps:
                save_stamp(checkpoint, stamps[index])
            written.append(checkpoint)
    return written


def save_stamp(checkpoint: Checkpoint, stamp: timestamps.Stamp) -> CheckpointTimestamp:
    """Store a checked timestamp token beside its checkpoint."""
    return CheckpointTimestamp.objects.create(
        checkpoint=checkpoint, token=stamp.token, gen_time=stamp.gen_time, tsa_url=stamp.tsa_url
    )


def stamp_checkpoint(checkpoint: Checkpoint) -> CheckpointTimestamp:
    """Stamp a stored checkpoint now (the request runs outside any transaction of ours)."""
    stamp = timestamps.stamp(checkpoint.note)
    with transaction.atomic():
        return save_stamp(checkpoint, stamp)
