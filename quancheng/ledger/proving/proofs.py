"""Inclusion and consistency proofs from the database, as the CLI and the API give them.

An inclusion proof shows that a fact is the leaf at its position of its log's tree at some
size; a consistency proof that the tree at one size is a prefix of the tree at a larger one
(RFC 9162 §2.1.3, §2.1.4). Proofs are given against a signed checkpoint where there is one,
so whoever holds the checkpoint's note and the verifier key can check them alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from quancheng.agencies.models import User
from quancheng.agencies.permissions import ledger_agencies
from quancheng.ledger.log import leaf, merkle
from quancheng.ledger.log.tree import LogTree
from quancheng.ledger.models import Checkpoint, Fact, Log


class ProofError(Exception):
    """What was asked cannot be proved: unknown fact or checkpoint, a size the log has not
    reached, two checkpoints of different logs. ``status`` is the HTTP status it maps to."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- what a user may see -------------------------------------------------------------------


def visible_logs(user: User | None) -> QuerySet[Log]:
    """Logs whose facts the user may get proofs of (``None``: the command line, all)."""
    if user is None:
        return Log.objects.all()
    agencies = ledger_agencies(user)
    if agencies is None:
        return Log.objects.all()
    return Log.objects.filter(agency__in=agencies)


def checkpoint_logs(user: User | None) -> QuerySet[Log]:
    """Logs whose checkpoints the user may see: the visible ones and the system log (its
    checkpoints name only sizes and hashes)."""
    if user is None:
        return Log.objects.all()
    return Log.objects.filter(Q(pk__in=visible_logs(user).values("pk")) | Q(agency=None))


def fact_for(user: User | None, fact_id: int) -> Fact:
    fact = Fact.objects.select_related("log").filter(pk=fact_id, log__in=visible_logs(user)).first()
    if fact is None:
        raise ProofError(_("No such fact: #%(id)s.") % {"id": fact_id}, 404)
    return fact


def checkpoint_for(user: User | None, checkpoint_id: int) -> Checkpoint:
    checkpoint = (
        Checkpoint.objects.select_related("log")
        .filter(pk=checkpoint_id, log__in=checkpoint_logs(user))
        .first()
    )
    if checkpoint is None:
        raise ProofError(_("No such checkpoint: #%(id)s.") % {"id": checkpoint_id}, 404)
    return checkpoint


def log_for(user: User | None, origin: str) -> Log:
    log = checkpoint_logs(user).filter(origin=origin).first()
    if log is None:
        raise ProofError(_("No such log: %(origin)s.") % {"origin": origin}, 404)
    return log


# --- facts as leaves -----------------------------------------------------------------------


def entry_of(fact: Fact) -> dict[str, Any]:
    """The JSON object the fact's leaf is the hash of (``quancheng.ledger.log.leaf``)."""
    return leaf.entry(
        agency=fact.log.agency_code,
        seq=fact.seq,
        kind=fact.kind,
        subject_type=fact.subject_type,
        subject_id=fact.subject_id,
        payload=fact.payload,
        actor=fact.actor_label,
        channel=fact.channel,
        remote_addr=fact.remote_addr,
        created_at=fact.created_at,
        prev=bytes(fact.prev_leaf) if fact.prev_leaf is not None else None,
    )


def leaf_input(fact: Fact) -> bytes:
    """The exact bytes (RFC 8785 canonical JSON) whose RFC 9162 leaf hash is the fact's leaf.

    Refuses a fact whose row no longer gives its stored leaf: a proof of it would not hold.
    """
    data = leaf.encode(entry_of(fact))
    if merkle.leaf_hash(data) != bytes(fact.leaf_hash):
        raise ProofError(
            _(
                "Fact #%(id)s (log %(log)s, seq %(seq)s) no longer gives its leaf hash: "
                "run “quancheng verify”."
            )
            % {"id": fact.pk, "log": fact.log.origin, "seq": fact.seq},
            409,
        )
    return data


# --- proofs --------------------------------------------------------------------------------


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "id": checkpoint.pk,
        "origin": checkpoint.log.origin,
        "tree_size": checkpoint.size,
        "root": bytes(checkpoint.root_hash).hex(),
        "root_base64": checkpoint.root_base64,
        "created_at": checkpoint.created_at.isoformat(),
        "note": checkpoint.note,
    }


def latest_checkpoint(log: Log) -> Checkpoint | None:
    return log.checkpoints.order_by("-size", "-id").first()


def latest_checkpoints(user: User | None) -> list[Checkpoint]:
    """The latest checkpoint of every log the user may see."""
    out = []
    for log in checkpoint_logs(user).order_by("id"):
        checkpoint = latest_checkpoint(log)
        if checkpoint is not None:
            out.append(checkpoint)
    return out


def inclusion(fact: Fact, checkpoint: Checkpoint | None = None) -> dict[str, Any]:
    """The inclusion proof of ``fact`` in the tree of ``checkpoint`` (default: the log's
    latest checkpoint; the current tree, unsigned, when no checkpoint covers the fact yet)."""
    log = fact.log
    tree = LogTree(log)
    if checkpoint is not None:
        if checkpoint.log_id != log.pk:
            raise ProofError(
                _("Checkpoint #%(cp)s is of log %(other)s, not of the fact's log %(log)s.")
                % {"cp": checkpoint.pk, "other": checkpoint.log.origin, "log": log.origin}
            )
        if checkpoint.size <= fact.seq:
            raise ProofError(
                _(
                    "Checkpoint #%(cp)s (size %(size)s) was signed before fact #%(id)s "
                    "(seq %(seq)s) was appended."
                )
                % {"cp": checkpoint.pk, "size": checkpoint.size, "id": fact.pk, "seq": fact.seq}
            )
    else:
        latest = latest_checkpoint(log)
        checkpoint = latest if latest is not None and latest.size > fact.seq else None
    size = checkpoint.size if checkpoint is not None else tree.size()
    _check_size(tree, log, size)
    path = tree.inclusion_proof(fact.seq, size)
    leaf_hash = bytes(fact.leaf_hash)
    root = merkle.root_from_inclusion_proof(fact.seq, size, leaf_hash, path)
    return {
        "fact": fact.pk,
        "kind": fact.kind,
        "subject": [fact.subject_type, fact.subject_id],
        "origin": log.origin,
        "tree_size": size,
        "leaf_index": fact.seq,
        "leaf_hash": leaf_hash.hex(),
        "audit_path": [h.hex() for h in path],
        "root": root.hex() if root is not None else None,
        "checkpoint": checkpoint_json(checkpoint) if checkpoint is not None else None,
    }


@dataclass(frozen=True)
class Point:
    """One end of a consistency proof: a checkpoint, or a bare size of a log."""

    log: Log
    size: int
    checkpoint: Checkpoint | None = None

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> Point:
        return cls(checkpoint.log, checkpoint.size, checkpoint)


def consistency(old: Point, new: Point) -> dict[str, Any]:
    """The proof that the tree at ``old`` is a prefix of the tree at ``new``."""
    if old.log.pk != new.log.pk:
        raise ProofError(
            _("The two checkpoints are of different logs: %(a)s and %(b)s.")
            % {"a": old.log.origin, "b": new.log.origin}
        )
    if old.size < 0:
        raise ProofError(_("A tree size cannot be negative."))
    if old.size > new.size:
        raise ProofError(
            _("The first tree (size %(a)s) is larger than the second (size %(b)s).")
            % {"a": old.size, "b": new.size}
        )
    tree = LogTree(old.log)
    _check_size(tree, old.log, new.size)
    path = tree.consistency_proof(old.size, new.size)
    return {
        "origin": old.log.origin,
        "from": _end(tree, old),
        "to": _end(tree, new),
        "proof": [h.hex() for h in path],
    }


def _end(tree: LogTree, point: Point) -> dict[str, Any]:
    if point.checkpoint is not None:
        return {
            "tree_size": point.size,
            "root": bytes(point.checkpoint.root_hash).hex(),
            "checkpoint": checkpoint_json(point.checkpoint),
        }
    return {"tree_size": point.size, "root": tree.root(point.size).hex(), "checkpoint": None}


def _check_size(tree: LogTree, log: Log, size: int) -> None:
    have = tree.size()
    if size < 0 or size > have:
        raise ProofError(
            _("Log %(log)s has %(have)s facts; there is no tree of size %(size)s.")
            % {"log": log.origin, "have": have, "size": size}
        )
