"""The append-only ledger: one row per fact the system stores or access it grants, organised
as Merkle logs (one per agency, one for the system) with signed checkpoints."""

from __future__ import annotations

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
    its canonical JSON (see ``quancheng.ledger.leaf``).
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
