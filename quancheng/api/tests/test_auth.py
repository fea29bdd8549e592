"""Bearer tokens (hashed, revocable, made by ``quancheng token``) and the session with CSRF."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils.crypto import get_random_string

from quancheng.api.actions import create_token, revoke_token, token_digest
from quancheng.api.models import ApiToken
from quancheng.cases.models import Record
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor

T = "2026-03-02T10:00:00+08:00"
RECORD = {
    "kind": "ex_officio_start",
    "fields": {"source": "complaint", "reason": "x"},
    "occurred_at": T,
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_no_credentials_is_401_in_the_error_shape(db, client):
    response = client.get("/api/v1/cases", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Sign in, or send an API token as “Authorization: Bearer <token>”.",
        "path": None,
    }


def test_token_is_stored_as_a_hash_and_works(world, client):
    token, raw = create_token(Actor.system(), world.officer, "ci")
    assert raw.startswith("qc_") and len(raw) > 40
    assert token.digest == token_digest(raw) and raw not in token.digest
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert Fact.objects.filter(kind="api_token.created", subject_id=str(token.pk)).exists()
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "officer"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_unknown_and_revoked_tokens_are_refused(world, new_case, client):
    case = new_case()
    token, raw = create_token(Actor.system(), world.officer)
    assert client.get(f"/api/v1/cases/{case.pk}", headers=bearer(raw)).status_code == 200
    revoke_token(Actor.system(), token)
    assert Fact.objects.filter(kind="api_token.revoked", subject_id=str(token.pk)).exists()
    for candidate in (raw, "qc_" + "x" * 43, ""):
        response = client.get(f"/api/v1/cases/{case.pk}", headers=bearer(candidate))
        assert response.status_code == 401, candidate
        assert response.json()["path"] is None
    before = Record.objects.count()
    response = client.post(
        f"/api/v1/cases/{case.pk}/records",
        RECORD,
        content_type="application/json",
        headers=bearer(raw),
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "The token is unknown or revoked."
    assert Record.objects.count() == before
    assert ApiToken.objects.filter(pk=token.pk).exists()  # revoked, not deleted


def test_token_of_a_disabled_account_is_refused(world, client):
    _, raw = create_token(Actor.system(), world.officer)
    type(world.officer).objects.filter(pk=world.officer.pk).update(is_active=False)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_revoking_twice_is_refused(world):
    token, _ = create_token(Actor.system(), world.officer)
    revoke_token(Actor.system(), token)
    with pytest.raises(Exception, match="already revoked"):
        revoke_token(Actor.system(), token)


def test_database_keeps_tokens_and_revocations(world):
    token, _ = create_token(Actor.system(), world.officer)
    with pytest.raises(DatabaseError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()
    revoke_token(Actor.system(), token)
    with pytest.raises(DatabaseError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(digest="0" * 64)


def test_token_command_creates_lists_and_revokes(world, client):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "officer", "--name", "ci", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert "shown once" in err.getvalue()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    token = ApiToken.objects.get(digest=token_digest(raw))
    assert token.name == "ci"
    listing = io.StringIO()
    call_command("token", "list", stdout=listing)
    assert token.prefix in listing.getvalue() and raw not in listing.getvalue()
    call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    with pytest.raises(CommandError):
        call_command("token", "revoke", str(token.pk), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody", stdout=io.StringIO())
    fact = Fact.objects.filter(kind="api_token.revoked").get()
    assert fact.channel == "cli"


def test_session_reads_without_and_writes_only_with_csrf(world, new_case):
    case = new_case()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.officer)
    assert browser.get(f"/api/v1/cases/{case.pk}").status_code == 200
    before = Record.objects.count()
    response = browser.post(
        f"/api/v1/cases/{case.pk}/records",
        RECORD,
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "CSRF check failed: send the X-CSRFToken header.",
        "path": None,
    }
    assert Record.objects.count() == before
    secret = get_random_string(32)
    browser.cookies["csrftoken"] = secret
    response = browser.post(
        f"/api/v1/cases/{case.pk}/records",
        RECORD,
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 201, response.json()
    assert Record.objects.count() == before + 1


def test_token_requests_need_no_csrf(world, new_case):
    case = new_case()
    _, raw = create_token(Actor.system(), world.officer)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        f"/api/v1/cases/{case.pk}/records",
        RECORD,
        content_type="application/json",
        headers=bearer(raw),
    )
    assert response.status_code == 201, response.json()
