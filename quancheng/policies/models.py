"""Working-day calendar years loaded by an administrator beyond what chinese-calendar knows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """The State Council's holiday arrangement for one year: its holidays and swapped
    working days. Loaded with ``quancheng calendar load``; a newer load replaces an older
    one for the same year only by adding a row, so the history of what was loaded stays."""

    year = models.PositiveIntegerField(_("year"))
    holidays = models.JSONField(_("holidays"), default=list)
    workdays = models.JSONField(_("swapped working days"), default=list)
    source = models.CharField(_("source"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year", "id"]

    def __str__(self) -> str:
        return str(self.year)

    @classmethod
    def overrides(cls) -> dict[int, dict[dt.date, bool]]:
        """The latest load of each year, as the special days of ``WorkCalendar``."""
        result: dict[int, dict[dt.date, bool]] = {}
        for row in cls.objects.order_by("year", "id"):
            days = {dt.date.fromisoformat(d): False for d in row.holidays}
            days.update({dt.date.fromisoformat(d): True for d in row.workdays})
            result[row.year] = days
        return result
