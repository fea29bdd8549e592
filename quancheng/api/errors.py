"""Every API error is ``{"detail": "<message in the user's language>", "path": "<field>"}``.

``path`` names the offending value the way ``ActionError`` does (``fields.reason``,
``officers.0``, ``occurred_at``), or is null when the error is about the whole request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from quancheng.agencies.roles import NotAllowed
from quancheng.errors import ActionError
from quancheng.policies.registry import UnknownPack
from quancheng.utilities.schemas import BODY_PARAM, QUANCHENG_ERROR

logger = logging.getLogger(__name__)
_E = TypeVar("_E", bound=Exception)

# Where ninja says a value came from; the first element of a pydantic error location.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def json_error(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, path: str | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "path": path or None}, status=status)


def install(api: NinjaAPI) -> None:
    """Replace ninja's error handlers by ones giving the shape above."""

    def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        status = 403 if isinstance(exc, NotAllowed) else 422
        return json_error(api, request, status, exc.message, exc.path)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        error = exc.errors[0] if exc.errors else {}
        return json_error(api, request, 422, _describe(error), _error_path(error))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return json_error(api, request, exc.status_code, _http_message(exc))

    def on_unknown_pack(request: HttpRequest, exc: UnknownPack) -> HttpResponse:
        message = _("Unknown policy pack “%(pack)s”.") % {"pack": exc.pack_id}
        return json_error(api, request, 422, message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return json_error(api, request, 404, _("Not found."))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        message = _("The request body is larger than this server accepts (%(n)s bytes).") % {
            "n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        return json_error(api, request, 413, message)

    def on_crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API request failed: %s %s", request.method, request.path)
        return json_error(api, request, 500, _("Internal error; the request changed nothing."))

    _add_handler(api, ActionError, on_action_error)
    _add_handler(api, ValidationError, on_validation_error)
    _add_handler(api, HttpError, on_http_error)
    _add_handler(api, UnknownPack, on_unknown_pack)
    _add_handler(api, Http404, on_not_found)
    _add_handler(api, RequestDataTooBig, on_too_big)
    _add_handler(api, Exception, on_crash)


def _add_handler(
    api: NinjaAPI, exc_class: type[_E], handler: Callable[[HttpRequest, _E], HttpResponse]
) -> None:
    """``api.add_exception_handler`` typed as ninja calls a handler: with the exception
    raised. (ninja's annotation says the exception or its class; it never passes a class.)"""
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def _http_message(exc: HttpError) -> str:
    if isinstance(exc, AuthenticationError) and exc.message == "Unauthorized":
        return _("Sign in, or send an API token as “Authorization: Bearer <token>”.")
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        return _("The request body is not valid JSON.")
    return exc.message


def _error_path(error: dict[str, Any]) -> str | None:
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        source, loc = loc[0], loc[1:]
        if source == "body" and loc and loc[0] == BODY_PARAM:
            loc = loc[1:]
    return ".".join(loc) or None


def _describe(error: dict[str, Any]) -> str:
    """A pydantic error in the user's language (pydantic's own messages are English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    simple = {
        "missing": _("This field is required."),
        "timezone_aware": _("A time must carry its timezone."),
        "extra_forbidden": _("Unknown field."),
        "string_type": _("Must be text."),
        "bool_type": _("Must be true or false."),
        "bool_parsing": _("Must be true or false."),
        "int_type": _("Must be a whole number."),
        "int_parsing": _("Must be a whole number."),
        "int_from_float": _("Must be a whole number."),
        "list_type": _("Must be a list."),
        "dict_type": _("Must be an object."),
        "model_type": _("Must be an object."),
        "model_attributes_type": _("Must be an object."),
        "json_invalid": _("The request body is not valid JSON."),
    }
    if kind in simple:
        return simple[kind]
    if kind == QUANCHENG_ERROR:  # raised by our own validators, already translated
        return str(error.get("msg", ""))
    if kind.startswith("datetime"):
        return _("Must be a time such as 2026-03-01T09:30:00+08:00.")
    if kind.startswith("date"):
        return _("Must be a date such as 2026-03-01.")
    if kind in ("enum", "literal_error"):
        return _("Must be one of %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "string_too_short":
        return _("Must not be empty.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind == "greater_than_equal":
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Must be at most %(n)s.") % {"n": ctx.get("le")}
    return _("Invalid value: %(problem)s") % {"problem": error.get("msg", kind)}
