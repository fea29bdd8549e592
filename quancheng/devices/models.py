"""Recording devices (记录设备) an agency keeps, and the facts of their life: lending,
pre-use checks, faults, repairs and retirement. Fact tables are append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quancheng.devices.choices import DeviceEventKind, DeviceKind, DeviceStatus

_KIND_LABELS = dict(DeviceKind.choices)


class Device(models.Model):
    """A recording device in an agency's register (hebei §22: keeper, register, maintenance)."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=DeviceKind.choices)
    model = models.CharField(_("model"), max_length=100, blank=True)
    capabilities = models.JSONField(_("capabilities"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_SERVICE
    )
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("keeper"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kept_devices",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial"]

    def __str__(self) -> str:
        # Not get_kind_display(), which rebuilds a hashable copy of the choices at every call.
        return f"{_KIND_LABELS.get(self.kind, self.kind)} {self.serial}"


class DeviceLoan(models.Model):
    """The device handed to an officer; its end is a ``DeviceReturn``, never an edit."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="loans")
    officer = models.ForeignKey(
        "agencies.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    lent_at = models.DateTimeField(_("lent"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("device loan")
        verbose_name_plural = _("device loans")
        ordering = ["lent_at", "id"]

    def __str__(self) -> str:
        return f"{self.device_id} → {self.officer_id} {self.lent_at:%Y-%m-%d %H:%M}"


class DeviceReturn(models.Model):
    """The end of a loan."""

    loan = models.OneToOneField(DeviceLoan, on_delete=models.PROTECT, related_name="returned")
    returned_at = models.DateTimeField(_("returned"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.loan_id} ← {self.returned_at:%Y-%m-%d %H:%M}"


class DeviceCheck(models.Model):
    """A pre-use check (hebei §22, culture-tourism §12, shanxi §13): battery, free storage."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="checks")
    checked_at = models.DateTimeField(_("checked"))
    battery_percent = models.PositiveSmallIntegerField(_("battery (%)"))
    free_storage_mb = models.PositiveIntegerField(_("free storage (MB)"))
    ok = models.BooleanField(_("ready for use"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("device check")
        verbose_name_plural = _("device checks")
        ordering = ["checked_at", "id"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.checked_at:%Y-%m-%d %H:%M} {self.battery_percent}%"


class DeviceEvent(models.Model):
    """A fault reported, a repair started or ended, the device retired (hebei §24)."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=DeviceEventKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("device event")
        verbose_name_plural = _("device events")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"
