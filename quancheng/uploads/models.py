"""A resumable (tus) upload session: the bytes received so far of one future recording.

An upload is not evidence: its offset grows as bytes arrive and its state moves on, so the
row is updated in place. Its life (created, completed, aborted, expired) is in the ledger.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quancheng.uploads.choices import UploadState

UNFINISHED = (UploadState.RECEIVING, UploadState.FAILED)


class Upload(models.Model):
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="uploads")
    length = models.BigIntegerField(_("declared length"))
    offset = models.BigIntegerField(_("bytes received"), default=0)
    metadata = models.JSONField(_("metadata"), default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=UploadState.choices, default=UploadState.RECEIVING
    )
    part_path = models.CharField(max_length=500)
    error = models.TextField(_("last error"), blank=True)
    original = models.ForeignKey(
        "media.Original", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recording = models.ForeignKey(
        "media.Recording", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.metadata.get('filename', '')} ({self.offset}/{self.length})"

    @property
    def part(self) -> Path:
        return Path(self.part_path)

    @property
    def is_receiving(self) -> bool:
        return self.state == UploadState.RECEIVING

    @property
    def is_unfinished(self) -> bool:
        """Receiving, or failed at completion: it can still complete or be aborted."""
        return self.state in UNFINISHED
