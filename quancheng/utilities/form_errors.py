"""Showing an ``ActionError`` next to the form field its path names."""

from __future__ import annotations

from django import forms

from quancheng.errors import ActionError


def field_for_path(form: forms.BaseForm, path: str) -> str | None:
    """The form field for an action's error path: ``fields.reason`` → ``fields__reason``,
    ``officers.0`` → ``officers``; None when no field matches (a form-wide error)."""
    parts = [p for p in path.split(".") if p]
    while parts:
        name = "__".join(parts)
        if name in form.fields:
            return name
        parts.pop()
    return None


def attach_error(form: forms.BaseForm, error: ActionError) -> None:
    form.add_error(field_for_path(form, error.path), error.message)
