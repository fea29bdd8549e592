"""The API at ``/api/v1/``: its routers, authentication and error handlers."""

from __future__ import annotations

from ninja import NinjaAPI

from quancheng.api import errors
from quancheng.api.auth import SessionAuth, TokenAuth
from quancheng.api.cases import router as cases_router
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

api = NinjaAPI(
    title="Quancheng API",
    version="1",
    description=DESCRIPTION,
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
errors.install(api)
api.add_router("/me", me_router)
api.add_router("/cases", cases_router)
api.add_router("/cases", records_router)
api.add_router("/packs", packs_router)
