"""The password-change page every user has, the lockout page, and refusals (403) logged as
one line."""

from __future__ import annotations

import json
import logging
import sys

from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from quancheng.ledger.models import Fact
from quancheng.web.refusals import OneLineRefusals

URL = "/accounts/password/"


def change(client, new1: str, new2: str | None = None, old: str = PASSWORD):
    data = {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    return client.post(URL, data)


def test_every_user_finds_the_page_in_the_top_bar(client, world):
    client.force_login(world.supervisor)
    page = client.get(reverse("cases:list")).content.decode()
    assert f'href="{URL}"' in page and "修改密码" in page
    response = client.get(URL)
    assert "web/password_change.html" in [t.name for t in response.templates]  # not the admin's
    form = response.content.decode()
    assert 'class="topbar"' in form and 'name="old_password"' in form
    assert "你的密码必须包含至少 12 个字符" in form  # the validators' rules, in Chinese


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_a_weak_password_is_refused_with_the_reason(client, world):
    client.force_login(world.officer)
    before = Fact.objects.count()
    refused = change(client, "a")
    assert refused.status_code == 200
    assert "密码太短：至少需要 12 个字符" in refused.content.decode()
    wrong_old = change(client, "a long new secret", old="not it")
    assert wrong_old.status_code == 200
    world.officer.refresh_from_db()
    assert world.officer.check_password(PASSWORD)
    assert Fact.objects.count() == before


def test_the_change_is_a_fact_and_keeps_the_user_signed_in(client, world):
    client.force_login(world.officer)
    response = change(client, "a long new secret")
    assert response["Location"] == reverse("cases:list")
    page = client.get(reverse("cases:list"))
    assert page.status_code == 200 and "密码已修改" in page.content.decode()
    world.officer.refresh_from_db()
    assert world.officer.check_password("a long new secret")
    fact = Fact.objects.get(kind="user.password_changed")
    assert fact.payload == {"username": "officer", "by_self": True}
    assert fact.actor == world.officer and fact.log.agency == world.a
    assert world.officer.password not in json.dumps(fact.payload)


def test_the_lockout_page_speaks_english_too(client, world, english):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "head", "password": "wrong"})
    assert response.status_code == 429
    assert "default-src 'self'" in response["Content-Security-Policy"]
    text = response.content.decode()
    assert "signing in is refused for the next 15 minutes" in text
    assert "quancheng user unlock" in text


def test_a_refusal_is_logged_as_one_line_without_a_traceback(client, world, caplog):
    client.force_login(world.officer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("checkpoints")).status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden: GET /checkpoints/ (user officer): PermissionDenied"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text and len(caplog.text.strip().splitlines()) == 1


def test_an_api_refusal_is_one_line_too(world, new_case, caplog):
    case = new_case()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.officer)
    path = f"/api/v1/cases/{case.pk}/records"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert browser.post(path, {}, content_type="application/json").status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == f"Forbidden: POST {path} (user officer)"
    assert "Traceback" not in caplog.text


def test_a_crash_still_logs_its_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    record.status_code = 500
    try:
        raise ValueError("x")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert OneLineRefusals().filter(record) and record.exc_info is not None
    assert record.getMessage() == "boom"


def test_a_second_logging_set_up_does_not_lose_the_reason():
    """Each ``dictConfig`` adds the filter to the logger again; the line stays the same."""
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x %s", ("y",), None)
    record.status_code = 403
    try:
        raise PermissionDenied("not yours")
    except PermissionDenied:
        record.exc_info = sys.exc_info()
    OneLineRefusals().filter(record)
    OneLineRefusals().filter(record)
    assert record.getMessage() == "Forbidden: - - (user anonymous): not yours"
