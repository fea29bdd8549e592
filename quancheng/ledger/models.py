"""The append-only ledger: one row per fact the system stores or access it grants, organised
as Merkle logs (one per agency, one for the system) with signed checkpoints."""

from __future__ import annotations

import base64

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quancheng.ledger.choices import Channel

SYSTEM_LOG_KEY = "system"


class Log(models.Model):
    """One Merkle log (RFC 9162): an agency's facts in the order they were appended.

    Facts of no agency go to the system log. The row is written once and then only locked
    (``SELECT … FOR UPDATE``) by the writer appending to it, so appends to one log are
    serialized while other agencies write in parallel.
    """

    key = models.CharField(max_length=80, unique=True)  # "agency:<pk>" or "system"
    agency = models.ForeignKey(
        "agencies.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_code = models.CharField(max_length=64, null=True)  # as it was when the log began
    origin = models.CharField(_("origin"), max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ledger log")
        verbose_name_plural = _("ledger logs")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.origin


class Fact(models.Model):
    """One fact, appended once and never changed (anhui §19, culture-tourism §23).

    Every action writes its fact here in the same transaction as the change itself, through
    ``quancheng.ledger.actions.append_fact``, so the ledger and the data cannot disagree.
    ``seq`` is its leaf index in its agency's log and ``leaf_hash`` the RFC 9162 leaf hash of
    its canonical JSON (see ``quancheng.ledger.log.leaf``).
    """

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="facts")
    seq = models.BigIntegerField()
    agency = models.ForeignKey(
        "agencies.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    remote_addr = models.GenericIPAddressField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_leaf = models.BinaryField(null=True)
    leaf_hash = models.BinaryField()
    field_digests = models.BinaryField()

    class Meta:
        verbose_name = _("ledger fact")
        verbose_name_plural = _("ledger facts")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "seq"], name="ledger_fact_subject_seq"
            )
        ]
        constraints = [models.UniqueConstraint(fields=["log", "seq"], name="ledger_fact_log_seq")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.subject_type}:{self.subject_id}"


class TreeNode(models.Model):
    """The hash of a complete subtree of a log (``2**level`` leaves from ``index << level``).

    A cache: every node follows from the leaf hashes and ``quancheng verify`` recomputes
    them. It lets a proof at a million leaves read a few dozen rows instead of all leaves.
    Only levels from ``tree.NODE_MIN_LEVEL`` up are kept; lower ones are hashed on the fly.
    """

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "level", "index"], name="ledger_node_position")
        ]

    def __str__(self) -> str:
        return f"{self.log_id}/{self.level}/{self.index}"


class SigningKey(models.Model):
    """A public key that signs checkpoints. The private half lives in a key file outside
    the database (``QUANCHENG_LEDGER_KEY_FILE``); creating and rotating keys are facts."""

    name = models.CharField(max_length=255)
    key_id = models.BinaryField()  # C2SP signed-note key id: 4 bytes
    algorithm = models.CharField(max_length=16, default="ed25519")
    public_key = models.BinaryField()
    verifier_key = models.CharField(max_length=400)  # <name>+<hex id>+<base64(type||key)>
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.verifier_key


class Checkpoint(models.Model):
    """A signed statement of a log's size and root hash (C2SP tlog-checkpoint signed note)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.BigIntegerField()
    root_hash = models.BinaryField()
    note = models.TextField()  # the signed note exactly as signed
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["id"]
        indexes = [models.Index(fields=["log", "size"])]

    def __str__(self) -> str:
        return f"{self.log} @ {self.size}"

    @property
    def root_base64(self) -> str:
        return base64.b64encode(bytes(self.root_hash)).decode()


class CheckpointTimestamp(models.Model):
    """An RFC 3161 timestamp token over a checkpoint's signed note (SHA-256 of ``note``).

    Written once, complete, after the reply was checked; the table refuses UPDATE and DELETE.
    """

    checkpoint = models.OneToOneField(Checkpoint, on_delete=models.PROTECT, related_name="stamp")
    token = models.BinaryField()  # DER TimeStampToken (CMS ContentInfo)
    gen_time = models.DateTimeField(_("time stamped"))  # as the token says; verify re-reads it
    tsa_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("checkpoint timestamp")
        verbose_name_plural = _("checkpoint timestamps")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.checkpoint} @ {self.gen_time:%Y-%m-%dT%H:%M:%SZ}"


class VerificationRun(models.Model):
    """One run of the full verification started from the web page (a background task).

    Progress fields are updated while it runs (they are no evidence); the result is written
    once when it ends (``finished_at`` set): from then on the database refuses any UPDATE,
    and the result is also a ledger fact (``ledger.verified``)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Could not run")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True)
    finished_at = models.DateTimeField(_("finished"), null=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="queued")
    phase = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)  # last progress written
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    ok = models.BooleanField(_("all holds"), null=True)
    summary = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("verification run")
        verbose_name_plural = _("verification runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"verification #{self.pk} {self.state}"


from quancheng.ledger.witnesses.models import (  # noqa: E402, F401 - witnessing, its own module
    Cosignature,
    Witness,
    WitnessedCheckpoint,
    WitnessedLog,
    WitnessedLogKey,
    WitnessKey,
)
