"""The append-only ledger: one row per fact the system stores or access it grants."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quancheng.ledger.choices import Channel


class Fact(models.Model):
    """One fact, appended once and never changed (anhui §19, culture-tourism §23).

    Every action writes its fact here in the same transaction as the change itself, through
    ``quancheng.ledger.actions.append_fact``, so the ledger and the data cannot disagree.
    """

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

    class Meta:
        verbose_name = _("ledger fact")
        verbose_name_plural = _("ledger facts")
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.subject_type}:{self.subject_id}"
