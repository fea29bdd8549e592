"""Every action of ``ACTION_ROLES``, called with every persona of the complete set, is refused
(``NotAllowed``) exactly where the table says so. Each call runs in a savepoint rolled back
afterwards, so every persona meets the same state."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import SYSTEM, at
from quancheng.agencies.actions import create_agency, create_officer, create_user
from quancheng.agencies.roles import ACTION_ROLES, NotAllowed, Scope
from quancheng.api.actions import create_token, revoke_token
from quancheng.cases import actions as cases
from quancheng.cases import guards
from quancheng.cases import signing as case_signing
from quancheng.cases.actions import DocumentInput, PartyInput
from quancheng.cases.signing import RefusalInput, SignatureInput
from quancheng.devices import actions as devices
from quancheng.devices import events as device_events
from quancheng.documents import actions as documents
from quancheng.documents.tests.conftest import _session_keys, signing  # noqa: F401 - fixtures
from quancheng.ledger.actions import rotate_key
from quancheng.ledger.public import Actor, init_key
from quancheng.media import actions as media
from quancheng.media.evidence import add_evidence_note
from quancheng.policies.actions import CalendarInput, load_calendar_year
from quancheng.uploads.actions import create_upload
from quancheng.uploads.errors import UploadError

ON_CASE = {"officer"}  # the personas named on the walk's case
IN_AGENCY_A = {"officer", "officer2", "reviewer", "head", "archivist", "keeper", "administrator"}
PNG = b"\x89PNG\r\n\x1a\n" + b"handwriting"
_serial = itertools.count(1)


class _Rollback(Exception):
    pass


def attempt(call: Callable[[], Any], scene: SimpleNamespace | None = None) -> str:
    """``refused`` if the roles refuse, ``ok`` if it went through, else ``error: …`` (a rule
    of the action itself refused what the walk asked, after the roles allowed it). The
    scene's objects are reloaded afterwards: the rollback undoes the rows, not the objects."""
    try:
        return _attempt(call)
    finally:
        for obj in vars(scene).values() if scene else ():
            if hasattr(obj, "refresh_from_db"):
                obj.refresh_from_db()


def _attempt(call: Callable[[], Any]) -> str:
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        return "ok"
    except NotAllowed:
        return "refused"
    except UploadError as exc:
        # 404: the case is not even visible to the caller, which refuses too
        return "refused" if exc.status in (403, 404) else f"error: {exc.message}"
    except Exception as exc:  # noqa: BLE001 - any other refusal: the roles let it through
        return f"error: {type(exc).__name__}: {exc}"


def expected(name: str, user: Any, action: str, approval: bool, kind_roles=None) -> bool:
    """What the table says, read independently of ``roles.allowed``."""
    rule = ACTION_ROLES[action]
    if rule.scope == Scope.SYSTEM:
        return False
    if rule.scope == Scope.ADMINISTRATION:
        return name == "administrator"
    if name not in IN_AGENCY_A:
        return False
    roles = kind_roles if kind_roles is not None else rule.roles
    for role in roles:
        if role not in user.roles:
            continue
        if role != "officer":
            return True
        if rule.on_case and name not in ON_CASE:
            continue
        if rule.after_approval and not approval:
            continue
        return True
    return False


@pytest.fixture
def scene(world, personas, new_case, signing):  # noqa: F811 - the fixture imported above
    """A case of agency A with world.officer on it, a sealed decision, a recording, devices in
    every state the device actions start from, a closed case and a token."""
    now = timezone.now()
    case = new_case(parties=[PartyInput(kind="person", name="张三")])
    decision = cases.add_record(
        SYSTEM,
        case,
        "decision_document",
        {"content": "罚款人民币五千元。"},
        now,
        document=DocumentInput(number="皖甲罚决〔2026〕1号", issued_on=dt.date(2026, 3, 2)),
        strict=False,
    )
    unsealed = cases.add_record(
        SYSTEM,
        case,
        "decision_document",
        {"content": "另一份决定。"},
        now,
        document=DocumentInput(number="皖甲罚决〔2026〕2号", issued_on=dt.date(2026, 3, 2)),
        strict=False,
    )
    sealed = documents.seal_document(SYSTEM, decision.latest_version())
    keeper = personas["keeper"]

    def device(status: str = "") -> Any:
        d = devices.register_device(
            SYSTEM, world.a, serial=f"W-{next(_serial)}", kind="body_camera", keeper=keeper
        )
        if status == "lent":
            devices.lend_device(SYSTEM, d, world.officer2.officer, lent_at=now)
        if status == "repair":
            device_events.start_repair(SYSTEM, d, occurred_at=now)
        return d

    camera = device()
    recording = media.add_recording_metadata(
        SYSTEM,
        case,
        media.RecordingInput(device=camera, started_at=now - dt.timedelta(hours=2), ended_at=now),
    )
    closed = new_case()
    cases.end_case(SYSTEM, closed, now)
    token, _raw = create_token(SYSTEM, world.officer)
    return SimpleNamespace(
        case=case,
        version=decision.latest_version(),
        unsealed=unsealed.latest_version(),
        sealed=sealed,
        camera=camera,
        lent=device("lent"),
        repairing=device("repair"),
        recording=recording,
        closed=closed,
        token=token,
        now=now,
    )


def runners(world: Any, s: SimpleNamespace) -> dict[str, Callable[[Actor], Any]]:
    now, case, officer = s.now, s.case, world.officer.officer
    numbers = itertools.count(1)

    def unique(prefix: str) -> str:
        return f"{prefix}{next(numbers)}"

    def upload(actor: Actor) -> Any:
        meta = {"filename": "a.mp4", "case": str(case.pk), "device": s.camera.serial}
        meta |= {"started_at": (now - dt.timedelta(hours=1)).isoformat()}
        meta |= {"ended_at": now.isoformat(), "officers": officer.cert_no}
        return create_upload(actor, actor.user or world.officer, 100, meta)

    return {
        "case.open": lambda a: cases.open_case(
            a,
            world.a,
            number=unique("walk-"),
            title="t",
            action_types=["penalty"],
            start_mode="ex_officio",
            opened_at=at("2026-03-02 09:00"),
        ),
        "case.add_party": lambda a: cases.add_party(a, case, PartyInput("person", "李四")),
        "record.add": lambda a: cases.add_record(
            a, case, "proposed_decision", {"unit": "一科", "content": "罚款"}, now
        ),
        "record.correct": lambda a: cases.correct_record(
            a, s.version.record, {"content": "改正"}, now, "笔误"
        ),
        "signature.add": lambda a: case_signing.sign_version(
            a, s.version, SignatureInput("party", "张三", now)
        ),
        "signature.refuse": lambda a: case_signing.note_refusal(
            a, s.version, RefusalInput("拒签", now, [officer])
        ),
        "case.move_stage": lambda a: cases.move_to_stage(a, case, "investigation"),
        "case.end": lambda a: cases.end_case(a, case, now),
        "case.archive": lambda a: cases.archive_case(a, s.closed, now),
        "document.seal": lambda a: documents.seal_document(a, s.unsealed),
        "document.sign_officer": lambda a: documents.sign_as_officer(a, s.sealed, officer),
        "document.sign_party": lambda a: documents.sign_as_party(a, s.sealed, "张三", PNG),
        "document.note_refusal": lambda a: documents.note_party_refusal(
            a, s.sealed, RefusalInput("拒签", now, [officer])
        ),
        "recording.add": lambda a: media.add_recording_metadata(
            a, case, media.RecordingInput(s.camera, now - dt.timedelta(hours=1), now)
        ),
        "recording.add_unfiled": lambda a: media.add_recording(
            a, world.a, media.RecordingInput(s.camera, now - dt.timedelta(hours=1), now)
        ),
        "recording.evidence": lambda a: add_evidence_note(
            a, s.recording, taken_by=[officer], taken_at=now, place="现场"
        ),
        "interruption.explain": lambda a: media.explain_interruption(
            a, case, media.InterruptionInput(s.camera, now, "equipment", now)
        ),
        "upload.create": upload,
        "media.process": lambda a: media.record_derivative(a, None, "thumbnail", None),  # type: ignore[arg-type]
        "device.register": lambda a: devices.register_device(
            a, world.a, serial=unique("R-"), kind="body_camera"
        ),
        "device.set_keeper": lambda a: devices.set_keeper(a, s.camera, s.camera.keeper),
        "device.lend": lambda a: devices.lend_device(a, s.camera, officer),
        "device.return": lambda a: devices.return_device(a, s.lent),
        "device.check": lambda a: devices.check_device(
            a, s.camera, battery_percent=90, free_storage_mb=1000, ok=True
        ),
        "device.report_fault": lambda a: device_events.report_fault(a, s.camera, "黑屏"),
        "device.start_repair": lambda a: device_events.start_repair(a, s.camera),
        "device.end_repair": lambda a: device_events.end_repair(a, s.repairing),
        "device.retire": lambda a: device_events.retire_device(a, s.camera),
        "agency.create": lambda a: create_agency(
            a, code=unique("g-"), name="组", level="work_group", pack_id="anhui", parent=world.a
        ),
        "user.create": lambda a: create_user(
            a, world.a, username=unique("u"), password=None, full_name="新人", roles=["head"]
        ),
        "officer.create": lambda a: create_officer(a, world.a, name="新", cert_no=unique("N-")),
        "calendar.load": lambda a: load_calendar_year(
            a, CalendarInput(2030, [dt.date(2030, 1, 1)], [], "国办发明电")
        ),
        "token.create": lambda a: create_token(a, world.officer),
        "token.revoke": lambda a: revoke_token(a, s.token),
        "ledger.keys": lambda a: init_key(a) if a.user else rotate_key(a),
    }


KIND_CHECKS = [
    ("legal_review", {"reviewer": "甲", "opinion": "同意", "reviewed_on": "2026-03-02"}),
    ("head_approval", {"approver": "乙", "opinion": "同意", "approved_on": "2026-03-02"}),
    ("case_filing", {"file_number": "A-1", "filed_on": "2026-03-03"}),
]


@pytest.mark.parametrize("approval", [False, True], ids=["before-approval", "after-approval"])
def test_every_action_for_every_persona_follows_the_table(world, personas, scene, approval):
    if approval:
        cases.add_record(
            SYSTEM,
            scene.case,
            "head_approval",
            {"approver": "头", "opinion": "同意", "approved_on": "2026-03-02"},
            scene.now,
        )
    table = runners(world, scene)
    assert set(table) == set(ACTION_ROLES), "every action of the table is walked, and only those"
    wrong = []
    passed: dict[str, int] = {}
    for action, call in table.items():
        for name, user in personas.items():
            outcome = attempt(lambda call=call, user=user: call(Actor(user, "web")), scene)
            want = expected(name, user, action, approval)
            if (outcome != "refused") != want:
                wrong.append(f"{action} by {name}: {outcome}, table says {want}")
            if outcome == "ok":
                passed[action] = passed.get(action, 0) + 1
    assert not wrong, "\n".join(wrong)
    # the walk's calls are real: each action someone may take went through for them
    allowed_somewhere = {
        a for a, r in ACTION_ROLES.items() if r.scope != Scope.SYSTEM and r.roles
    } - ({"case.end", "document.seal"} if not approval else set())
    assert allowed_somewhere <= set(passed), sorted(allowed_somewhere - set(passed))


@pytest.mark.parametrize(("kind", "fields"), KIND_CHECKS)
def test_record_kinds_follow_their_author_roles(world, personas, scene, kind, fields):
    pack = guards.pack_of(scene.case)
    author_roles = guards.kind_of(pack, kind).author_roles
    for name, user in personas.items():
        outcome = attempt(
            lambda user=user: cases.add_record(
                Actor(user, "web"), scene.case, kind, fields, scene.now
            ),
            scene,
        )
        want = expected(name, user, "record.add", False, author_roles)
        assert (outcome == "ok") == want, (name, outcome)


def test_the_system_actor_may_do_everything(world, scene):
    table = runners(world, scene)
    for action, rule in ACTION_ROLES.items():
        if rule.scope == Scope.SYSTEM:
            continue  # called with arguments only the system has; refused for every user above
        assert attempt(lambda call=table[action]: call(SYSTEM), scene) == "ok", action
