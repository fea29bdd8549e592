"""Audio-visual records (音像记录) and the interruptions between them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quancheng.media.probe import ProbeResult
from quancheng.policies.choices import DelayReason, InterruptionReason


class Original(models.Model):
    """One stored byte sequence, addressed by its digest; written once, never changed.

    Rows are written only by the media store (``quancheng.media.store``), after the bytes are
    complete; the table refuses UPDATE and DELETE.
    """

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    sm3 = models.CharField(_("SM3"), max_length=64, blank=True)
    size = models.BigIntegerField(_("size"))
    backend = models.CharField(_("storage backend"), max_length=16)
    key = models.CharField(_("key in the store"), max_length=300)
    stored_at = models.DateTimeField(_("stored"))

    class Meta:
        verbose_name = _("original")
        verbose_name_plural = _("originals")
        ordering = ["stored_at", "id"]

    def __str__(self) -> str:
        return f"sha256:{self.sha256}"


class Recording(models.Model):
    """One recorded segment: who made it with which device, when, where, for which case and
    scenario, and when it reached the agency's store (anhui §17, dalian §16)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="recordings"
    )
    device = models.ForeignKey(
        "devices.Device",
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        related_name="recordings",
    )
    officers = models.ManyToManyField(
        "agencies.Officer", verbose_name=_("officers"), related_name="+"
    )
    records = models.ManyToManyField(
        "cases.Record", verbose_name=_("records evidenced"), related_name="recordings", blank=True
    )
    session = models.CharField(
        _("session"),
        max_length=100,
        blank=True,
        help_text=_("Segments of one continuous on-site activity share a session."),
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    scenario = models.CharField(_("scenario"), max_length=64, blank=True)
    production_method = models.CharField(_("production method"), max_length=100, blank=True)
    maker = models.CharField(_("maker"), max_length=100, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    original = models.ForeignKey(
        Original,
        verbose_name=_("original"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recordings",
    )
    sidecar = models.ForeignKey(
        Original,
        verbose_name=_("camera metadata file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sidecar_of",
    )
    uploaded_at = models.DateTimeField(_("stored"), null=True, blank=True)
    opening_statement = models.BooleanField(_("opening statement made"), null=True)
    device_checked = models.BooleanField(_("device checked before use"), null=True)
    party_informed = models.BooleanField(_("party told of the recording"), null=True)
    delay_reason = models.CharField(
        _("reason storage was delayed"), max_length=16, choices=DelayReason.choices, blank=True
    )
    returned_at = models.DateTimeField(_("returned to the agency"), null=True, blank=True)
    used_as_evidence = models.BooleanField(_("used as evidence"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return self.file_name or f"{self.device} {self.started_at:%Y-%m-%d %H:%M}"


class Interruption(models.Model):
    """A break in recording of one activity, with its explanation (anhui §16)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="interruptions")
    device = models.ForeignKey("devices.Device", on_delete=models.PROTECT, related_name="+")
    session = models.CharField(_("session"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("recording stopped"))
    ended_at = models.DateTimeField(_("recording resumed"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=InterruptionReason.choices)
    resumed = models.BooleanField(_("recording resumed"), default=True)
    spoken_explanation = models.BooleanField(_("reason spoken on resuming"), default=False)
    statement = models.TextField(_("written statement"), blank=True)
    statement_signers = models.ManyToManyField(
        "agencies.Officer", verbose_name=_("statement signed by"), related_name="+", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("interruption")
        verbose_name_plural = _("interruptions")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.started_at:%Y-%m-%d %H:%M}"


class EvidenceNote(models.Model):
    """The written note for a recording used as evidence: who took it, when and where
    (anhui §18, hebei §26, culture-tourism §17). Append-only."""

    recording = models.ForeignKey(
        Recording, on_delete=models.PROTECT, related_name="evidence_notes"
    )
    taken_by = models.ManyToManyField(
        "agencies.Officer", verbose_name=_("taken by"), related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"))
    place = models.CharField(_("place"), max_length=300)
    matter = models.TextField(_("what it records"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence note")
        verbose_name_plural = _("evidence notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.recording_id} {self.taken_at:%Y-%m-%d %H:%M} {self.place}"


class MediaInfo(models.Model):
    """What ffprobe read from an original, written once; probing again adds a new row.

    An original ffprobe cannot read is kept as evidence all the same, and flagged here as
    unreadable with ffprobe's message."""

    original = models.ForeignKey(
        Original, on_delete=models.PROTECT, related_name="media_infos", verbose_name=_("original")
    )
    probed_at = models.DateTimeField(_("probed"))
    readable = models.BooleanField(_("readable"))
    error = models.TextField(_("ffprobe message"), blank=True)
    kind = models.CharField(_("kind of media"), max_length=16, blank=True)
    container = models.CharField(_("container"), max_length=100, blank=True)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    media_created_at = models.DateTimeField(_("creation time in the file"), null=True, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=32, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=32, blank=True)
    pixel_format = models.CharField(_("pixel format"), max_length=32, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    altitude = models.FloatField(_("altitude"), null=True, blank=True)
    browser_playable = models.BooleanField(_("plays in a browser as stored"), default=False)
    raw = models.JSONField(_("ffprobe output"), default=dict, blank=True)

    class Meta:
        verbose_name = _("media information")
        verbose_name_plural = _("media information")
        ordering = ["original", "probed_at", "id"]

    def __str__(self) -> str:
        return f"{self.original} {self.kind or '?'}"

    def as_probe_result(self) -> ProbeResult:
        return ProbeResult(
            readable=self.readable,
            error=self.error,
            kind=self.kind,
            container=self.container,
            duration=self.duration,
            created_at=self.media_created_at,
            video_codec=self.video_codec,
            audio_codec=self.audio_codec,
            pixel_format=self.pixel_format,
            width=self.width,
            height=self.height,
            latitude=self.latitude,
            longitude=self.longitude,
            altitude=self.altitude,
        )


class Derivative(models.Model):
    """A file made from an original (thumbnail, browser-playable proxy), never the original
    itself. ``path`` is relative to the derived-files directory."""

    class Kind(models.TextChoices):
        THUMBNAIL = "thumbnail", _("thumbnail")
        PROXY = "proxy", _("playable copy")

    original = models.ForeignKey(
        Original, on_delete=models.PROTECT, related_name="derivatives", verbose_name=_("original")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    path = models.CharField(_("path"), max_length=300)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    created_at = models.DateTimeField(_("made"))

    class Meta:
        verbose_name = _("derived file")
        verbose_name_plural = _("derived files")
        ordering = ["original", "kind", "created_at", "id"]

    def __str__(self) -> str:
        return self.path

    def file_path(self) -> Path:
        from quancheng.media.processing import derived_root

        return derived_root() / self.path
