"""Inputs the browser renders natively (date and time pickers), no script needed, and the
form fields of times and days bounded as every input is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from quancheng import bounds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def now_minute() -> dt.datetime:
    """Now in China time to the minute, the initial value of time inputs."""
    return timezone.localtime().replace(second=0, microsecond=0)


class MomentField(forms.DateTimeField):
    """A time in the accepted range (``quancheng.bounds``), as everywhere else."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = bounds.moment_problem(value) if isinstance(value, dt.datetime) else None
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")


class DayField(forms.DateField):
    """A day in the accepted years."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = bounds.date_problem(value) if isinstance(value, dt.date) else None
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")
