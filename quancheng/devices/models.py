"""Recording devices (记录设备) an agency keeps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from quancheng.devices.choices import DeviceKind, DeviceStatus


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"
