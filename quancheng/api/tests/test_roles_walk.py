"""Every API operation (from the OpenAPI document) and every web URL (from the URL resolver),
for every persona of the complete set, gives what the table of ``agencies/roles.py`` says:
a refused change is 403 (404 where the case or device is not even readable), an allowed one
goes through, a read is 200 for those who read the agency and 404 for the others — never a
500. An operation or URL missing here fails the test, so a new one must be classified."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import SYSTEM
from quancheng.agencies.tests.test_roles_actions import IN_AGENCY_A, expected
from quancheng.api.main import api as ninja_api
from quancheng.cases.actions import DocumentInput, PartyInput, add_record
from quancheng.devices.actions import lend_device, register_device
from quancheng.documents.actions import seal_document
from quancheng.documents.tests.conftest import _session_keys, signing  # noqa: F401 - fixtures
from quancheng.ledger.models import Fact
from quancheng.media.actions import RecordingInput, add_recording_metadata
from quancheng.media.store import get_store

READERS = IN_AGENCY_A | {"supervisor"}  # who reads agency A's cases, devices and facts
OPENERS = {"officer", "officer2", "other_officer"}  # officers, each in their own agency
ALL = "all"  # every signed-in persona: 200
_n = itertools.count(1)


class _Rollback(Exception):
    pass


def call(client: Any, *args: Any, **kwargs: Any) -> int:
    """The status of one request, whose writes are rolled back afterwards."""
    status = 0
    try:
        with transaction.atomic():
            status = client(*args, **kwargs).status_code
            raise _Rollback
    except _Rollback:
        pass
    return status


@pytest.fixture
def scene(world, personas, new_case, signing, settings, tmp_path):  # noqa: F811
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"
    now = timezone.now()
    case = new_case(parties=[PartyInput(kind="person", name="张三")])
    proposal = add_record(
        SYSTEM, case, "proposed_decision", {"unit": "一科", "content": "罚款"}, now
    )
    decision = add_record(
        SYSTEM,
        case,
        "decision_document",
        {"content": "罚款"},
        now,
        document=DocumentInput(number="皖甲罚决〔2026〕3号", issued_on=dt.date(2026, 3, 2)),
        strict=False,
    )
    unsealed = add_record(
        SYSTEM,
        case,
        "decision_document",
        {"content": "警告"},
        now,
        document=DocumentInput(number="皖甲罚决〔2026〕4号", issued_on=dt.date(2026, 3, 2)),
        strict=False,
    )
    sealed = seal_document(SYSTEM, decision.latest_version())
    camera = register_device(SYSTEM, world.a, serial="AH-W-1", kind="body_camera")
    lent = register_device(SYSTEM, world.a, serial="AH-W-2", kind="body_camera")
    lend_device(SYSTEM, lent, world.officer2.officer, lent_at=now)
    original = get_store().save_stream(io.BytesIO(b"video bytes"))
    recording = add_recording_metadata(
        SYSTEM,
        case,
        RecordingInput(
            device=camera,
            started_at=now - dt.timedelta(hours=1),
            ended_at=now,
            original=original,
            officers=[world.officer.officer],
        ),
    )
    fact = Fact.objects.filter(kind="record.added", subject_id=str(proposal.pk)).get()
    return {
        "case": case,
        "proposal": proposal,
        "unsealed": unsealed,
        "sealed": sealed,
        "recording": recording,
        "fact": fact,
        "now": now.isoformat(),
    }


def api_operations(s: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, str, Any]]:
    """(method, OpenAPI path) → (who may: an action, a set of personas or ALL; the URL; the
    body)."""
    c, r, now = s["case"].pk, s["proposal"].pk, s["now"]
    record = {"kind": "proposed_decision", "fields": {"unit": "二科", "content": "警告"}}
    return {
        ("GET", "/api/v1/me"): (ALL, "/me", None),
        ("GET", "/api/v1/cases"): (ALL, "/cases", None),
        ("POST", "/api/v1/cases"): (
            "case.open",
            "/cases",
            {
                "number": f"API-{next(_n)}",
                "title": "t",
                "action_types": ["penalty"],
                "start_mode": "ex_officio",
                "opened_at": now,
            },
        ),
        ("GET", "/api/v1/cases/{case_id}"): (READERS, f"/cases/{c}", None),
        ("POST", "/api/v1/cases/{case_id}/stage"): (
            "case.move_stage",
            f"/cases/{c}/stage",
            {"stage": "investigation"},
        ),
        ("POST", "/api/v1/cases/{case_id}/end"): ("case.end", f"/cases/{c}/end", {"ended_at": now}),
        ("GET", "/api/v1/cases/{case_id}/findings"): (READERS, f"/cases/{c}/findings", None),
        ("GET", "/api/v1/cases/{case_id}/records"): (READERS, f"/cases/{c}/records", None),
        ("POST", "/api/v1/cases/{case_id}/records"): (
            "record.add",
            f"/cases/{c}/records",
            record | {"occurred_at": now},
        ),
        ("GET", "/api/v1/cases/{case_id}/records/{record_id}"): (
            READERS,
            f"/cases/{c}/records/{r}",
            None,
        ),
        ("POST", "/api/v1/cases/{case_id}/records/{record_id}/versions"): (
            "record.correct",
            f"/cases/{c}/records/{r}/versions",
            {"fields": record["fields"], "occurred_at": now, "reason": "笔误"},
        ),
        ("GET", "/api/v1/packs"): (ALL, "/packs", None),
        ("GET", "/api/v1/packs/{pack_id}"): (ALL, "/packs/anhui", None),
        ("GET", "/api/v1/devices"): (ALL, "/devices", None),
        ("POST", "/api/v1/devices"): (
            "device.register",
            "/devices",
            {"serial": f"API-D-{next(_n)}", "kind": "body_camera"},
        ),
        ("GET", "/api/v1/devices/{serial}"): (READERS, "/devices/AH-W-1", None),
        ("POST", "/api/v1/devices/{serial}/loans"): (
            "device.lend",
            "/devices/AH-W-1/loans",
            {"officer": "AH-0001"},
        ),
        ("POST", "/api/v1/devices/{serial}/return"): (
            "device.return",
            "/devices/AH-W-2/return",
            {},
        ),
        ("POST", "/api/v1/devices/{serial}/checks"): (
            "device.check",
            "/devices/AH-W-1/checks",
            {"battery_percent": 90, "free_storage_mb": 100, "ok": True},
        ),
        ("POST", "/api/v1/devices/{serial}/events"): (
            "device.report_fault",
            "/devices/AH-W-1/events",
            {"kind": "fault", "note": "黑屏"},
        ),
        ("POST", "/api/v1/recordings/{recording_id}/evidence-note"): (
            "recording.evidence",
            f"/recordings/{s['recording'].pk}/evidence-note",
            {"taken_by": ["AH-0001"], "taken_at": now, "place": "现场"},
        ),
        ("GET", "/api/v1/recordings/due"): (ALL, "/recordings/due", None),
        ("GET", "/api/v1/ledger/facts/{fact_id}/proof"): (
            READERS,
            f"/ledger/facts/{s['fact'].pk}/proof",
            None,
        ),
        # no checkpoint exists in the walk: a 404 or 422 for everyone, checked for no 500
        ("GET", "/api/v1/ledger/consistency"): (None, "/ledger/consistency?first=1&second=2", None),
        ("GET", "/api/v1/ledger/checkpoints"): (ALL, "/ledger/checkpoints", None),
        ("GET", "/api/v1/ledger/checkpoints/{checkpoint_id}/cosignatures"): (
            None,
            "/ledger/checkpoints/999999/cosignatures",
            None,
        ),
    }


def outcome_wanted(who: Any, name: str, user: Any, approval: bool = False) -> str:
    """``ok``, ``refused`` (403) or ``hidden`` (404) for persona ``name``; None: any but 500."""
    if who is None:
        return "any"
    if who == ALL:
        return "ok"
    if isinstance(who, set):
        return "ok" if name in who else "hidden"
    if who == "case.open":
        return "ok" if name in OPENERS else "refused"
    if who == "device.register":
        return "ok" if name == "keeper" else "refused"
    if expected(name, user, who, approval):
        return "ok"
    return "refused" if name in READERS else "hidden"


def classify(status: int) -> str:
    if status >= 500:
        return "crash"
    return {403: "refused", 404: "hidden"}.get(status, "ok" if status < 400 else f"{status}")


def test_every_api_operation_for_every_persona_follows_the_table(world, personas, scene, api):
    operations = api_operations(scene)
    schema = ninja_api.get_openapi_schema()
    listed = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert listed == set(operations), "classify every API operation in this test"
    for user in personas.values():
        api.token(user)  # before the walk: a token made in a rolled-back request would vanish
    wrong = []
    for (method, _path), (who, url, body) in operations.items():
        for name, user in personas.items():
            got = classify(call(api.call, user, method, url, body))
            want = outcome_wanted(who, name, user)
            if got == "crash" or (want != "any" and got != want):
                wrong.append(f"{method} {url} by {name}: {got}, table says {want}")
    assert not wrong, "\n".join(wrong)


# --- the web -------------------------------------------------------------------------------

PUBLIC = {"home", "login", "logout", "set_language"}  # no permission to check
ADMINS = {"administrator"}
CHECKPOINT_READERS = {"administrator", "supervisor"}


def web_urls(s: dict[str, Any]) -> dict[str, tuple[Any, str, str, dict[str, Any]]]:
    """URL name → (who may, method, URL, POST data)."""
    c, r, rec = s["case"].pk, s["proposal"].pk, s["recording"].pk
    d, u = s["sealed"].pk, s["unsealed"].pk
    return {
        "cases:list": (ALL, "GET", "/cases/", {}),
        "password_change": (ALL, "GET", "/accounts/password/", {}),
        "cases:open": ("case.open", "GET", "/cases/new/", {}),
        "cases:detail": (READERS, "GET", f"/cases/{c}/", {}),
        "cases:move": ("case.move_stage", "POST", f"/cases/{c}/move/", {"stage": "investigation"}),
        "cases:end": ("case.end", "POST", f"/cases/{c}/end/", {}),
        "cases:add_record": (
            "record.add",
            "GET",
            f"/cases/{c}/records/new/?kind=proposed_decision",
            {},
        ),
        "cases:record": (READERS, "GET", f"/cases/{c}/records/{r}/", {}),
        "cases:correct": ("record.correct", "GET", f"/cases/{c}/records/{r}/correct/", {}),
        "cases:sign": ("signature.add", "POST", f"/cases/{c}/records/{r}/sign/", {}),
        "cases:play": (READERS, "GET", f"/cases/{c}/recordings/{rec}/play/", {}),
        "cases:download": (READERS, "GET", f"/cases/{c}/recordings/{rec}/original/", {}),
        # no thumbnail is made in the walk: 404 for readers too, checked for no 500
        "cases:thumbnail": (None, "GET", f"/cases/{c}/recordings/{rec}/thumbnail.jpg", {}),
        "cases:upload_recording": ("upload.create", "GET", f"/cases/{c}/recordings/upload/", {}),
        "cases:document": (READERS, "GET", f"/cases/{c}/documents/{d}/", {}),
        "cases:sign_document": (
            "document.sign_officer",
            "POST",
            f"/cases/{c}/documents/{d}/sign/",
            {},
        ),
        "cases:seal": ("document.seal", "POST", f"/cases/{c}/records/{u}/seal/", {}),
        "devices:list": (ALL, "GET", "/devices/", {}),
        "devices:register": ("device.register", "GET", "/devices/new/", {}),
        "devices:detail": (READERS, "GET", "/devices/AH-W-1/", {}),
        "devices:act": (
            "device.check",
            "POST",
            "/devices/AH-W-1/check/",
            {"check-battery_percent": "90", "check-free_storage_mb": "100", "check-ok": "on"},
        ),
        "recordings_due": (ALL, "GET", "/recordings/due/", {}),
        "checkpoints": (CHECKPOINT_READERS, "GET", "/checkpoints/", {}),
        "checkpoint_note": (None, "GET", "/checkpoints/999999/note.txt", {}),
        "verification": (ADMINS, "GET", "/verification/", {}),
        "verification_start": (ADMINS, "POST", "/verification/start/", {}),
        "verification_progress": (None, "GET", "/verification/999999/progress.json", {}),
    }


def _names(patterns: list[Any], namespace: str = "", prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "api/v1/", "i18n/")):
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            names |= _names(p.url_patterns, ns, route)
        elif isinstance(p, URLPattern) and p.name:
            names.add(namespace + p.name)
    return names


def web_wanted(who: Any, name: str, user: Any) -> str:
    if isinstance(who, set) and who in (ADMINS, CHECKPOINT_READERS):
        return "ok" if name in who else "refused"
    return outcome_wanted(who, name, user)


def test_every_web_url_for_every_persona_follows_the_table(world, personas, scene):
    urls = web_urls(scene)
    assert _names(get_resolver().url_patterns) - PUBLIC == set(urls), "classify every URL here"
    wrong = []
    for name, user in personas.items():
        client = Client()
        client.force_login(user)
        for url_name, (who, method, url, data) in urls.items():
            send = client.get if method == "GET" else client.post
            got = classify(call(send, url, data) if method == "POST" else call(send, url))
            want = web_wanted(who, name, user)
            if got == "crash" or (want != "any" and got != want):
                wrong.append(f"{method} {url} ({url_name}) by {name}: {got}, table says {want}")
    assert not wrong, "\n".join(wrong)
