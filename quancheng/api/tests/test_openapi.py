"""The OpenAPI document: served at /api/v1/openapi.json, committed as docs/openapi.json."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command

from quancheng.api.management.commands.api_schema import openapi_document

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
REGENERATE = "quancheng api_schema > docs/openapi.json"


def test_committed_document_matches_the_live_api():
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == openapi_document(), f"docs/openapi.json is stale: run `{REGENERATE}`"


def test_command_prints_the_document():
    out = io.StringIO()
    call_command("api_schema", stdout=out)
    assert json.loads(out.getvalue()) == openapi_document()


def test_served_document_is_the_same_in_every_language(db, client, new_case, world):
    case = new_case()
    for lang in ("en", "zh-hans"):
        response = client.get("/api/v1/openapi.json", headers={"Accept-Language": lang})
        assert response.status_code == 200
        assert response.json() == openapi_document()
        assert case.number not in response.content.decode()


def test_document_lists_every_endpoint_with_the_error_shape():
    doc = openapi_document()
    paths = doc["paths"]
    expected = {
        ("get", "/api/v1/cases"),
        ("post", "/api/v1/cases"),
        ("get", "/api/v1/cases/{case_id}"),
        ("post", "/api/v1/cases/{case_id}/stage"),
        ("post", "/api/v1/cases/{case_id}/end"),
        ("get", "/api/v1/cases/{case_id}/findings"),
        ("get", "/api/v1/cases/{case_id}/records"),
        ("post", "/api/v1/cases/{case_id}/records"),
        ("get", "/api/v1/cases/{case_id}/records/{record_id}"),
        ("post", "/api/v1/cases/{case_id}/records/{record_id}/versions"),
        ("get", "/api/v1/packs"),
        ("get", "/api/v1/packs/{pack_id}"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/devices"),
        ("post", "/api/v1/devices"),
        ("get", "/api/v1/devices/{serial}"),
        ("post", "/api/v1/devices/{serial}/loans"),
        ("post", "/api/v1/devices/{serial}/return"),
        ("post", "/api/v1/devices/{serial}/checks"),
        ("post", "/api/v1/devices/{serial}/events"),
        ("get", "/api/v1/recordings/due"),
        ("post", "/api/v1/recordings/{recording_id}/evidence-note"),
        ("get", "/api/v1/ledger/facts/{fact_id}/proof"),
        ("get", "/api/v1/ledger/consistency"),
        ("get", "/api/v1/ledger/checkpoints"),
        ("get", "/api/v1/ledger/checkpoints/{checkpoint_id}/cosignatures"),
    }
    assert {(m, p) for p, ops in paths.items() for m in ops} == expected
    for path, ops in paths.items():
        for method, op in ops.items():
            assert {"401", "422"} <= set(op["responses"]), (method, path)
            assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    assert set(doc["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "path"}


def test_docs_page_is_public_and_offline(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/v1/openapi.json" in page
    assert "cdn." not in page  # swagger-ui comes from the app's own static files
