"""``quancheng verify``: recompute the ledger from the database and say precisely what fails.

For every log: every fact's leaf from its row (naming the changed fields from the per-field
digests), the sequence (a gap is a deleted fact; a fact whose only changed field is its
position was moved), each fact's link to the previous fact on its subject, the order rows
were stored in, the cached tree nodes, and for every checkpoint its root hash against the
recomputed tree and its signatures against the registered keys.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from quancheng.ledger.checkpoints import timestamps
from quancheng.ledger.crypto import note
from quancheng.ledger.crypto.cosignature import WitnessKey
from quancheng.ledger.log import merkle
from quancheng.ledger.models import (
    Checkpoint,
    CheckpointTimestamp,
    Fact,
    Log,
    SigningKey,
    TreeNode,
)
from quancheng.ledger.verification import facts as verify_facts
from quancheng.ledger.verification import held as verify_held
from quancheng.ledger.verification import witnessed as verify_witness
from quancheng.ledger.verification.held import Held

LIMIT = 20  # messages of one kind per log; the rest are counted

# Scopes of problems that belong to no log: the signing keys, the stored files.
INSTALLATION_SCOPES = frozenset({"keys", "files", "rows"})


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    log: str | None = None  # origin of the log it concerns; None: the installation's
    detail: dict[str, Any] | None = None  # a row's mismatch: table, id, field, both values


@dataclass
class Report:
    originals: int = 0
    cosignatures: int = 0
    witnessed: int = 0
    held: int = 0  # checkpoints held elsewhere checked (verify --against)
    tables: int = 0  # tables reconciled with the facts about their rows
    mismatches: list[Any] = field(default_factory=list)  # reconcile.Mismatch, the first ones
    mismatch_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    # what was checked in each log (logs, facts, checkpoints, timestamps, documents), so an
    # agency's administrator is shown the counts of their logs only; the totals are sums
    by_log: dict[str, Counter[str]] = field(default_factory=dict)
    more: Counter[str] = field(default_factory=Counter)
    more_by_log: Counter[tuple[str | None, str]] = field(default_factory=Counter)
    _seen: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems

    def checked(self, what: str, log: str, count: int = 1) -> None:
        """``count`` more ``what`` (``logs``, ``facts``, ``checkpoints`` …) checked in ``log``."""
        self.by_log.setdefault(log, Counter())[what] += count

    def total(self, what: str) -> int:
        return sum(counts[what] for counts in self.by_log.values())

    @property
    def logs(self) -> int:
        return self.total("logs")

    @property
    def facts(self) -> int:
        return self.total("facts")

    @property
    def checkpoints(self) -> int:
        return self.total("checkpoints")

    @property
    def timestamps(self) -> int:
        return self.total("timestamps")

    @property
    def documents(self) -> int:
        return self.total("documents")

    def add(
        self,
        scope: str,
        code: str,
        message: str,
        log: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """A problem; ``scope`` is a log's origin, or ``keys``/``files``/``rows``. ``log``
        names the log a problem outside any log's scope concerns (a case's document PDF)."""
        if log is None and scope not in INSTALLATION_SCOPES:
            log = scope
        self._seen[(scope, code)] += 1
        if self._seen[(scope, code)] > LIMIT:
            self.more[code] += 1
            self.more_by_log[(log, code)] += 1
        else:
            self.problems.append(Problem(code, message, log, detail))


Progress = Callable[[str, int, int], None]
Advance = Callable[[int], None]  # called with the number of facts just checked


def verify_ledger(
    progress: Progress | None = None,
    advance: Advance | None = None,
    report: Report | None = None,
    held: list[Held] | None = None,
    collect: verify_facts.Collect | None = None,
) -> Report:
    """Everything about the ledger; ``held`` are checkpoint notes kept outside the
    installation (``verify --against``) that the logs must still agree with; ``collect`` is
    handed every fact read (log id, kind, subject id, payload), for the rows' check."""
    report = report if report is not None else Report()
    keys = _check_keys(report)
    witnesses = verify_witness.witness_keys(report)
    logs = list(Log.objects.order_by("id"))
    held = held or []
    verify_held.check_unknown_origins(held, {log.origin for log in logs}, report)
    for number, log in enumerate(logs, 1):
        mine = [item for item in held if item.body.origin == log.origin]
        _verify_log(log, keys, witnesses, report, advance, mine, collect)
        report.checked("logs", log.origin)
        if progress:
            progress(log.origin, number, len(logs))
    verify_witness.check_witnessed(report)
    return report


# --- keys ----------------------------------------------------------------------------------


# (name, key id) -> (public key, the agency whose own key it is, or None: the installation's)
Keys = dict[tuple[str, bytes], tuple[bytes, int | None]]


def _check_keys(report: Report) -> Keys:
    """Registered keys by (name, key id); each must be well formed and recorded as a fact.

    A key recorded in an agency's log is that agency's own and may sign only its log."""
    recorded = {}
    for fact in Fact.objects.filter(
        subject_type="signing_key", kind__in=["ledger.key_created", "ledger.key_rotated"]
    ):
        recorded[(fact.subject_id, fact.payload.get("verifier_key"))] = fact.agency_id
    keys = {}
    for row in SigningKey.objects.all():
        try:
            name, kid, public = note.parse_verifier_key(row.verifier_key)
        except note.NoteError:
            name, kid, public = row.name, b"", b""
        stored = (row.name, bytes(row.key_id), bytes(row.public_key), row.algorithm)
        if (name, kid, public, note.algorithm(public) if public else "") != stored:
            report.add("keys", "key", _("Signing key #%(id)s was altered.") % {"id": row.pk})
            continue
        if (str(row.pk), row.verifier_key) not in recorded:
            report.add(
                "keys",
                "key",
                _("Signing key %(key)s is not recorded in the ledger.") % {"key": row.verifier_key},
            )
        keys[(name, kid)] = (public, recorded.get((str(row.pk), row.verifier_key)))
    return keys


# --- a log ---------------------------------------------------------------------------------


def _verify_log(
    log: Log,
    keys: Keys,
    witnesses: dict[int, WitnessKey],
    report: Report,
    advance: Advance | None,
    held: list[Held] | None = None,
    collect: verify_facts.Collect | None = None,
) -> None:
    scan = verify_facts.scan_facts(log, report, advance, collect)
    report.checked("facts", log.origin, len(scan.leaves))
    verify_facts.explain_moves(log, scan, report)
    tree = merkle.levels(scan.leaves) if scan.leaves else [[]]
    _check_nodes(log, tree, report)
    for checkpoint in Checkpoint.objects.filter(log=log).select_related("stamp").order_by("id"):
        report.checked("checkpoints", log.origin)
        _check_checkpoint(log, checkpoint, tree, len(scan.leaves), keys, report)
        verify_witness.check_cosignatures(
            log, checkpoint, tree, len(scan.leaves), witnesses, report
        )
        stamp = getattr(checkpoint, "stamp", None)
        if stamp is not None:
            report.checked("timestamps", log.origin)
            _check_stamp(log, checkpoint, stamp, report)
    if held:
        verify_held.check_held(log, held, tree, len(scan.leaves), keys, witnesses, report)


# --- the tree ------------------------------------------------------------------------------


def _check_nodes(log: Log, tree: list[list[bytes]], report: Report) -> None:
    """Cached nodes must be the recomputed ones; report the lowest wrong ones as fact ranges."""
    wrong: dict[int, list[int]] = {}
    for level, index, stored in TreeNode.objects.filter(log=log).values_list(
        "level", "index", "hash"
    ):
        row = tree[level] if level < len(tree) else []
        if index >= len(row) or row[index] != bytes(stored):
            wrong.setdefault(level, []).append(index)
    if not wrong:
        return
    level = min(wrong)
    for index in sorted(wrong[level]):
        report.add(
            log.origin,
            "node",
            _(
                "Log %(log)s: the facts at seq %(first)s–%(last)s no longer give the tree "
                "node cached for them: they were changed, or the cache was."
            )
            % {"log": log.origin, "first": index << level, "last": ((index + 1) << level) - 1},
        )


def _check_checkpoint(
    log: Log,
    checkpoint: Checkpoint,
    tree: list[list[bytes]],
    size: int,
    keys: Keys,
    report: Report,
) -> None:
    args = {"id": checkpoint.pk, "log": log.origin, "size": checkpoint.size}
    try:
        text, signatures = note.split(checkpoint.note)
        body = note.parse_checkpoint(text)
    except note.NoteError as exc:
        report.add(log.origin, "note", _("Checkpoint #%(id)s of log %(log)s: ") % args + str(exc))
        return
    if (body.origin, body.size, body.root_hash) != (
        log.origin,
        checkpoint.size,
        bytes(checkpoint.root_hash),
    ):
        report.add(
            log.origin,
            "note",
            _("Checkpoint #%(id)s of log %(log)s: its note does not say what its row says.") % args,
        )
    departure = merkle.departure(tree, size, body.size, body.root_hash)
    if departure == "deleted":
        report.add(
            log.origin,
            "root",
            _(
                "Checkpoint #%(id)s of log %(log)s covers %(size)s facts but the log has "
                "%(have)s: facts were deleted."
            )
            % {**args, "size": body.size, "have": size},
        )
    elif departure == "rewritten":
        report.add(
            log.origin,
            "root",
            _(
                "Checkpoint #%(id)s of log %(log)s (size %(size)s): the facts no longer give "
                "its root hash."
            )
            % {**args, "size": body.size},
        )
    for signature in signatures:
        _check_signature(log, checkpoint, text, signature, keys, report)


def _check_signature(
    log: Log,
    checkpoint: Checkpoint,
    text: str,
    signature: note.Signature,
    keys: Keys,
    report: Report,
) -> None:
    args = {
        "id": checkpoint.pk,
        "log": log.origin,
        "size": checkpoint.size,
        "key": f"{signature.name}+{signature.key_id.hex()}",
    }
    public, owner = keys.get((signature.name, signature.key_id), (None, None))
    if public is None:
        report.add(
            log.origin,
            "signature",
            _("Checkpoint #%(id)s of log %(log)s is signed by an unknown key %(key)s.") % args,
        )
    elif owner is not None and owner != log.agency_id:
        report.add(
            log.origin,
            "signature",
            _("Checkpoint #%(id)s of log %(log)s is signed by %(key)s, another agency's own key.")
            % args,
        )
    elif not note.verify(text, signature, public):
        report.add(
            log.origin,
            "signature",
            _(
                "Checkpoint #%(id)s of log %(log)s (size %(size)s): the signature by %(key)s "
                "is forged or the note was altered."
            )
            % args,
        )


def _utc(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _check_stamp(
    log: Log, checkpoint: Checkpoint, stamp: CheckpointTimestamp, report: Report
) -> None:
    """The stored RFC 3161 token must stamp this checkpoint's note and be validly signed."""
    check = timestamps.check_token(bytes(stamp.token), checkpoint.note)
    args = {"id": checkpoint.pk, "log": log.origin, "token": stamp.pk, "problem": check.problem}
    if check.gen_time is not None and check.gen_time != stamp.gen_time:
        report.add(
            log.origin,
            "timestamp",
            _(
                "Checkpoint #%(id)s of log %(log)s: the time recorded beside timestamp token "
                "#%(token)s (%(row)s) is not the time in the token (%(time)s): the row was "
                "changed."
            )
            % {**args, "row": _utc(stamp.gen_time), "time": _utc(check.gen_time)},
        )
    if not check.problem:
        return
    if check.forged:
        message = _(
            "Checkpoint #%(id)s of log %(log)s: its timestamp token #%(token)s is forged or "
            "belongs to something else: %(problem)s."
        )
    else:
        message = _("Checkpoint #%(id)s of log %(log)s, timestamp token #%(token)s: %(problem)s.")
    report.add(log.origin, "timestamp", message % args)
