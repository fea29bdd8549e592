"""Inputs the browser renders natively (date and time pickers), no script needed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def now_minute() -> dt.datetime:
    """Now in China time to the minute, the initial value of time inputs."""
    return timezone.localtime().replace(second=0, microsecond=0)
