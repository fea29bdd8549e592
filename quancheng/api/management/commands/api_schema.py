"""``quancheng api_schema``: print the OpenAPI document (``> docs/openapi.json``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation
from ninja.responses import NinjaJSONEncoder


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, as JSON data (the same whatever the request language)."""
    from quancheng.api.main import api

    with translation.override("en"):
        schema = api.get_openapi_schema()
    return json.loads(json.dumps(schema, cls=NinjaJSONEncoder))


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/ (regenerate docs/openapi.json with it)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(openapi_document(), indent=2, ensure_ascii=False))
