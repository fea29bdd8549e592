"""The API at ``/api/v1/``: its routers, authentication and error handlers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer

from quancheng.agencies import api as agencies
from quancheng.api import errors
from quancheng.api.auth import SessionAuth, TokenAuth
from quancheng.casefile import api as casefile
from quancheng.cases.api import cases, records
from quancheng.devices import api as devices
from quancheng.ledger import api as ledger
from quancheng.media import api as media
from quancheng.policies import api as policies

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


def mount(prefix: str, router: Router, group: str) -> None:
    """Add an app's router at ``prefix``. Its operations are published as
    ``quancheng_api_<group>_<function>``, the ids API clients were generated with before the
    routers moved into their apps (ninja would derive them from the module's path)."""
    for view in router.path_operations.values():
        for operation in view.operations:
            operation.operation_id = operation.operation_id or (
                f"quancheng_api_{group}_{operation.view_func.__name__}"
            )
    api.add_router(prefix, router)


mount("/me", agencies.router, "me")
mount("/cases", cases.router, "cases")
mount("/cases", casefile.cases_router, "cases")
mount("/cases", records.router, "records")
mount("/packs", policies.router, "packs")
mount("/devices", devices.router, "devices")
mount("/recordings", media.router, "devices")
mount("/recordings", casefile.recordings_router, "devices")
mount("/ledger", ledger.router, "ledger")

# Last, so that it only catches what no endpoint above matched: a JSON 404, not an HTML page.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def no_such_endpoint(request: HttpRequest, rest: str) -> None:
    raise HttpError(404, _("No such endpoint."))


api.add_router("", fallback)
