"""The API at ``/api/v1/``: its routers, authentication and error handlers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer

from quancheng.api import errors
from quancheng.api.auth import SessionAuth, TokenAuth
from quancheng.api.cases import router as cases_router
from quancheng.api.devices import due_router
from quancheng.api.devices import router as devices_router
from quancheng.api.ledger import router as ledger_router
from quancheng.api.me import router as me_router
from quancheng.api.packs import router as packs_router
from quancheng.api.records import router as records_router

DESCRIPTION = """\
Cases, records, findings and policy packs of Quancheng (全程), a system for the whole-process
records of administrative enforcement.

**Authentication:** `Authorization: Bearer <token>` (make one with `quancheng token create
USERNAME`), or the web UI's session cookie with the `X-CSRFToken` header on POST.

**Errors** are `{"detail": "...", "path": "..."}`: a message in the language of
`Accept-Language` (`zh-hans` by default, or `en`) and the path of the offending value, or null.

A case of another agency is "not found" (404); a case the caller may read but not change
(a supervisor's view of the agencies below) refuses writes with 403.
"""


class Utf8Renderer(JSONRenderer):
    """JSON with Chinese as itself rather than ``\\u`` escapes (the body is UTF-8)."""

    json_dumps_params: dict[str, Any] = {"ensure_ascii": False}


api = NinjaAPI(
    title="Quancheng API",
    version="1",
    description=DESCRIPTION,
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    renderer=Utf8Renderer(),
)
errors.install(api)
api.add_router("/me", me_router)
api.add_router("/cases", cases_router)
api.add_router("/cases", records_router)
api.add_router("/packs", packs_router)
api.add_router("/devices", devices_router)
api.add_router("/recordings", due_router)
api.add_router("/ledger", ledger_router)

# Last, so that it only catches what no endpoint above matched: a JSON 404, not an HTML page.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def no_such_endpoint(request: HttpRequest, rest: str) -> None:
    raise HttpError(404, _("No such endpoint."))


api.add_router("", fallback)
