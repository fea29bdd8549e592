"""Witnessing (C2SP tlog-witness), both sides; imported by ``quancheng.ledger.models``.

Log side: the witnesses this installation sends its checkpoints to, and the cosignatures
they returned, stored beside the checkpoints. Witness side (a supervising installation): its
own witness key, the logs it witnesses with their keys, and every checkpoint it accepted and
cosigned; the latest per log is what it holds. Every table is append-only.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- log side ------------------------------------------------------------------------------


class Witness(models.Model):
    """A witness this installation asks to cosign its checkpoints."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    url = models.CharField(_("URL"), max_length=500, blank=True)  # submission prefix; "" offline
    verifier_key = models.CharField(max_length=400)  # <name>+<hex id>+<base64(0x04||key)>
    key_id = models.BinaryField()
    public_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    """A witness's cosignature (C2SP tlog-cosignature) on one of our checkpoints, checked
    against the witness's key before it was stored."""

    checkpoint = models.ForeignKey(
        "ledger.Checkpoint", on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    text = models.TextField()  # the checkpoint text it signs, kept should the note change
    line = models.TextField()  # the signature line as the witness sent it
    signed_at = models.DateTimeField(_("cosigned"))  # the time in the cosignature
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cosignature")
        verbose_name_plural = _("cosignatures")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.checkpoint} / {self.witness}"


# --- witness side --------------------------------------------------------------------------


class WitnessKey(models.Model):
    """This installation's witness key (public half; the private one is in
    ``QUANCHENG_WITNESS_KEY_FILE``)."""

    name = models.CharField(max_length=255)
    verifier_key = models.CharField(max_length=400, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("witness key")
        verbose_name_plural = _("witness keys")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.verifier_key


class WitnessedLog(models.Model):
    """A log this installation witnesses, named by its checkpoint origin. Submissions for
    one log lock its row, so two cannot both advance it."""

    origin = models.CharField(_("origin"), max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("witnessed log")
        verbose_name_plural = _("witnessed logs")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.origin


class WitnessedLogKey(models.Model):
    """A key trusted to sign a witnessed log's checkpoints (signed-note type 0x01)."""

    log = models.ForeignKey(WitnessedLog, on_delete=models.PROTECT, related_name="keys")
    verifier_key = models.CharField(max_length=400)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["log", "verifier_key"], name="ledger_witnessed_key")
        ]

    def __str__(self) -> str:
        return self.verifier_key


class WitnessedCheckpoint(models.Model):
    """A checkpoint this witness checked and cosigned; the latest of a log is its state."""

    log = models.ForeignKey(WitnessedLog, on_delete=models.PROTECT, related_name="checkpoints")
    old_size = models.BigIntegerField()  # the size it was proved consistent from
    size = models.BigIntegerField()
    root_hash = models.BinaryField()
    proof = models.JSONField(default=list)  # base64 hashes, as sent
    note = models.TextField()  # the signed note as submitted
    cosignature = models.TextField()  # the line returned
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("witnessed checkpoint")
        verbose_name_plural = _("witnessed checkpoints")
        ordering = ["id"]
        indexes = [models.Index(fields=["log", "id"])]

    def __str__(self) -> str:
        return f"{self.log} @ {self.size}"
