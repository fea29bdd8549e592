"""Inclusion and consistency proofs from the CLI, and the case's portable proof bundle."""

from __future__ import annotations

import ast
import base64
import io
import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone, translation

from quancheng.cases.actions import add_record, correct_record
from quancheng.ledger import portable
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.log import merkle
from quancheng.ledger.models import Checkpoint, Fact, Log

A = "quancheng.local/agency/agency-a"
B = "quancheng.local/agency/agency-b"
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as err:
        run(*args)
    assert err.value.returncode == 2
    return str(err.value)


@pytest.fixture
def case(world, new_case, key_file):
    """A case of agency A with a record and a correction, and the key to sign checkpoints."""
    run("keys", "init")
    case = new_case()
    officer = Actor(world.officer, "web")
    record = add_record(
        officer, case, "ex_officio_start", {"source": "complaint", "reason": "初稿"}, timezone.now()
    )
    correct_record(
        officer, record, {"source": "complaint", "reason": "更正"}, timezone.now(), "笔误"
    )
    return case


def checkpoint_body(checkpoint_note: str) -> note.CheckpointBody:
    return note.parse_checkpoint(note.split(checkpoint_note)[0])


def test_fact_proof_leads_to_the_signed_checkpoint_root(world, case):
    run("checkpoint")
    fact = Fact.objects.get(kind="record.corrected")
    proof = json.loads(run("proof", "fact", str(fact.pk)))
    cp = Checkpoint.objects.get(log__origin=A)
    body = checkpoint_body(proof["checkpoint"]["note"])
    assert proof["origin"] == body.origin == A
    assert proof["tree_size"] == body.size == cp.size
    assert proof["leaf_index"] == fact.seq
    assert proof["leaf_hash"] == bytes(fact.leaf_hash).hex()
    assert proof["root"] == body.root_hash.hex()
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    assert path  # the log holds more than one fact
    assert merkle.verify_inclusion(fact.seq, cp.size, bytes(fact.leaf_hash), path, body.root_hash)
    wrong = [bytes(32), *path[1:]]
    assert not merkle.verify_inclusion(
        fact.seq, cp.size, bytes(fact.leaf_hash), wrong, body.root_hash
    )


def test_a_fact_after_the_last_checkpoint_is_proved_against_the_current_tree(world, case):
    run("checkpoint")
    with transaction.atomic():
        late = append_fact(Actor.system(), "test.event", ("thing", 1), {}, world.a)
    proof = json.loads(run("proof", "fact", str(late.pk)))
    assert proof["checkpoint"] is None
    assert proof["tree_size"] == late.seq + 1
    cp = Checkpoint.objects.get(log__origin=A)
    message = refused("proof", "fact", str(late.pk), "--checkpoint", str(cp.pk))
    assert "was signed before fact" in message


def test_bad_fact_proof_requests_exit_2(world, case):
    run("checkpoint")
    assert "No such fact: #999999" in refused("proof", "fact", "999999")
    fact = Fact.objects.filter(log__origin=A).first()
    system_cp = Checkpoint.objects.get(log__origin="quancheng.local/system")
    message = refused("proof", "fact", str(fact.pk), "--checkpoint", str(system_cp.pk))
    assert "is of log quancheng.local/system, not of the fact's log " + A in message
    assert "No such checkpoint" in refused("proof", "fact", str(fact.pk), "--checkpoint", "999")


def test_consistency_proof_between_two_checkpoints(world, case):
    run("checkpoint")
    with transaction.atomic():
        for i in range(5):
            append_fact(Actor.system(), "test.event", ("thing", i), {"i": i}, world.a)
    run("checkpoint")
    old, new = Checkpoint.objects.filter(log__origin=A).order_by("id")
    proof = json.loads(run("proof", "consistency", str(old.pk), str(new.pk)))
    assert proof["origin"] == A
    assert (proof["from"]["tree_size"], proof["to"]["tree_size"]) == (old.size, new.size)
    assert proof["from"]["checkpoint"]["note"] == old.note
    path = [bytes.fromhex(h) for h in proof["proof"]]
    args = (old.size, new.size, bytes(old.root_hash), bytes(new.root_hash))
    assert merkle.verify_consistency(*args, path)
    assert not merkle.verify_consistency(*args, [bytes(32), *path[1:]])
    by_size = json.loads(run("proof", "consistency", "3", str(new.size), "--origin", A))
    assert by_size["from"]["checkpoint"] is None
    assert by_size["to"]["root"] == bytes(new.root_hash).hex()


def test_bad_consistency_requests_exit_2(world, case):
    run("checkpoint")
    a = Checkpoint.objects.get(log__origin=A)
    system = Checkpoint.objects.get(log__origin="quancheng.local/system")
    assert "different logs" in refused("proof", "consistency", str(system.pk), str(a.pk))
    size = a.size
    message = refused("proof", "consistency", "1", str(size + 5), "--origin", A)
    assert f"has {size} facts; there is no tree of size {size + 5}" in message
    assert "is larger than the second" in refused(
        "proof", "consistency", str(size), "1", "--origin", A
    )
    assert "No such log" in refused("proof", "consistency", "1", "2", "--origin", "nowhere")


# --- the portable bundle ---------------------------------------------------------------------


@pytest.fixture
def bundle(case, tmp_path) -> Path:
    out = tmp_path / "proof"
    output = run("proof", "case", case.number, "--out", str(out))
    assert "verify_proof.py" in output
    return out


def check(directory: Path) -> tuple[bool, list[str]]:
    result = portable.verify_bundle(directory, "en")
    return result.ok, result.problems


def test_bundle_holds_the_cases_facts_as_their_exact_leaf_bytes(case, bundle):
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["case"]["number"] == case.number
    subjects = set()
    for item in manifest["facts"]:
        data = (bundle / item["fact"]).read_bytes()
        entry = json.loads(data)
        fact = Fact.objects.get(log__origin=A, seq=entry["seq"])
        assert merkle.leaf_hash(data) == bytes(fact.leaf_hash)
        subjects.add(entry["subject"][0])
    assert {"case", "record", "record_version"} <= subjects
    # the bundle's own export is logged, after the facts were taken
    assert Fact.objects.filter(kind="access.viewed", payload__what="proof").exists()
    # a checkpoint was signed because none covered the facts
    size = Log.objects.get(origin=A).checkpoints.get().size
    assert manifest["checkpoints"] == {A: f"checkpoints/agency-a-{size:08d}.txt"}
    readme = (bundle / "README.txt").read_text()
    assert "pip install cryptography" in readme and "验证方法" in readme
    assert "python verify_proof.py 本目录 --lang en" in readme
    assert "python verify_proof.py THIS_DIRECTORY --lang en" in readme
    assert f"case.opened  case:{case.pk}" in readme
    vkey = (bundle / "key.vkey").read_text().strip()
    assert vkey in readme and vkey.startswith("quancheng.local+")
    assert check(bundle) == (True, [])
    assert "Verified: " in run("verify_proof", str(bundle))


def test_bundle_refuses_without_a_ledger_key(world, new_case, key_file, tmp_path):
    case = new_case()
    message = refused("proof", "case", case.number, "--out", str(tmp_path / "p"))
    assert "quancheng keys init" in message
    assert not (tmp_path / "p").exists()


def test_bundle_refuses_unknown_cases_and_full_directories(case, tmp_path):
    assert "No case with the number or id" in refused("proof", "case", "nope", "--out", "x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a").write_text("")
    assert "not an empty directory" in refused(
        "proof", "case", str(case.pk), "--out", str(tmp_path / "full")
    )


def _subprocess(args: list[str], **extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/unreachable",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=False)  # noqa: S603


BLOCK_DJANGO = (
    "import runpy, sys; sys.modules['django'] = None; sys.modules['quancheng'] = None; "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def test_bundle_verifies_with_no_database_and_no_quancheng(bundle):
    copy = str(bundle / "verify_proof.py")
    for args in (
        [sys.executable, "-m", "quancheng.ledger.portable", str(bundle), "--lang", "en"],
        [sys.executable, "-m", "quancheng.cli", "verify-proof", str(bundle), "--lang=en"],
        # the copy in the bundle, with Django and Quancheng made unimportable
        [sys.executable, "-c", BLOCK_DJANGO, copy, "--lang", "en", str(bundle)],
    ):
        done = _subprocess(args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert "Verified: " in done.stdout
    assert (bundle / "verify_proof.py").read_bytes() == Path(portable.__file__).read_bytes()


def _fact_item(bundle: Path, kind: str) -> dict:
    manifest = json.loads((bundle / "manifest.json").read_text())
    for item in manifest["facts"]:
        if json.loads((bundle / item["fact"]).read_bytes())["kind"] == kind:
            return item
    raise AssertionError(kind)


def test_a_changed_fact_file_is_named(bundle):
    item = _fact_item(bundle, "record.corrected")
    path = bundle / item["fact"]
    path.write_bytes(path.read_bytes().replace("更正".encode(), "改过".encode()))
    ok, problems = check(bundle)
    assert not ok
    assert len(problems) == 1
    assert problems[0].startswith(f"{item['fact']}: fact seq ")
    assert "(record.corrected on record_version:" in problems[0]
    assert "the fact was altered" in problems[0]
    done = _subprocess(
        [sys.executable, str(bundle / "verify_proof.py"), str(bundle), "--lang", "en"]
    )
    assert done.returncode == 1 and problems[0] in done.stdout


def test_a_changed_proof_hash_is_named(bundle):
    item = _fact_item(bundle, "case.opened")
    path = bundle / item["proof"]
    proof = json.loads(path.read_text())
    proof["audit_path"][0] = "00" * 32
    path.write_text(json.dumps(proof))
    ok, problems = check(bundle)
    assert not ok and len(problems) == 1
    assert problems[0].startswith(f"{item['proof']}: the inclusion proof of fact seq ")
    assert "(case.opened on case:" in problems[0] and "does not lead to the root" in problems[0]


def _note_path(bundle: Path) -> Path:
    manifest = json.loads((bundle / "manifest.json").read_text())
    return bundle / manifest["checkpoints"][A]


def test_a_changed_checkpoint_root_is_named(bundle):
    path = _note_path(bundle)
    lines = path.read_text().split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    path.write_text("\n".join(lines))
    ok, problems = check(bundle)
    assert not ok
    name = path.relative_to(bundle).as_posix()
    assert problems[0].startswith(f"{name}: the signature by quancheng.local+")
    assert "is forged or the checkpoint was altered" in problems[0]
    assert all("the checkpoint of log " + A + " does not hold" in p for p in problems[1:])
    assert len(problems) > 1


def test_a_forged_signature_is_named(bundle):
    path = _note_path(bundle)
    text, [signature] = note.split(path.read_text())
    forged = bytes([signature.signature[0] ^ 1]) + signature.signature[1:]
    blob = base64.b64encode(signature.key_id + forged).decode()
    path.write_text(f"{text}\n— {signature.name} {blob}\n")
    ok, problems = check(bundle)
    assert not ok
    assert "the signature by quancheng.local+" in problems[0]
    assert "forged" in problems[0]


def test_a_checkpoint_signed_by_another_key_is_named(bundle):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = _note_path(bundle)
    text, _ = note.split(path.read_text())
    path.write_text(text + "\n" + note.sign(text, "mallory", Ed25519PrivateKey.generate()))
    ok, problems = check(bundle)
    assert not ok
    assert "not signed by any key in key.vkey" in problems[0]


def test_bundle_spans_the_system_log_for_the_cases_stored_originals(
    world, case, settings, tmp_path
):
    import datetime as dt

    from quancheng.devices.actions import register_device
    from quancheng.media.actions import RecordingInput, add_recording_metadata
    from quancheng.media.store import get_store

    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"
    camera = register_device(Actor.system(), world.a, serial="CAM-P", kind="body_camera")
    original = get_store().save_stream(io.BytesIO(b"video bytes"))
    start = timezone.now() - dt.timedelta(hours=1)
    data = RecordingInput(
        device=camera,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=5),
        officers=[world.officer.officer],
        original=original,
        file_name="a.mp4",
    )
    add_recording_metadata(Actor(world.officer, "web"), case, data)
    out = tmp_path / "proof"
    run("proof", "case", case.number, "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["checkpoints"]) == {A, "quancheng.local/system"}
    kinds = {json.loads((out / item["fact"]).read_bytes())["kind"] for item in manifest["facts"]}
    assert {"original.stored", "recording.described", "case.opened"} <= kinds
    assert check(out) == (True, [])


def test_bundle_refuses_a_fact_whose_row_was_tampered_with(case, tmp_path):
    from conftest import tamper

    fact = Fact.objects.get(kind="record.corrected")
    tamper("ledger_fact", "UPDATE ledger_fact SET kind = 'x.y' WHERE id = %s", [fact.pk])
    message = refused("proof", "case", case.number, "--out", str(tmp_path / "p"))
    assert f"Fact #{fact.pk} (log {A}, seq {fact.seq}) no longer gives its leaf hash" in message
    assert not (tmp_path / "p").exists()
    assert not Checkpoint.objects.filter(log__origin=A).exists()  # refused before signing


def test_the_quancheng_command_says_what_is_wrong_on_stderr_and_exits_2(case, capsys):
    from quancheng.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["quancheng", "proof", "fact", "999999"])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert "No such fact: #999999." in captured.err and captured.out == ""
    with pytest.raises(SystemExit) as exit_:
        main(["quancheng", "verify-proof", "/nonexistent", "--lang", "en"])
    assert exit_.value.code == 2
    assert "Not a proof bundle" in capsys.readouterr().err


def test_the_standalone_verifier_agrees_with_the_ledgers_own_code():
    """portable.py repeats the RFC 9162 and signed-note checks so it can travel alone."""
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(37)]
    tree = merkle.MemoryTree(leaves)
    for size in range(1, 38):
        for index in range(size):
            path = tree.inclusion_proof(index, size)
            assert portable.root_from_inclusion_proof(index, size, leaves[index], path) == (
                tree.root(size)
            )
        assert portable.root_from_inclusion_proof(size, size, leaves[0], []) is None
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    vkey = note.verifier_key("court.example", public)
    assert portable.parse_verifier_key(vkey) == note.parse_verifier_key(vkey)
    text = note.checkpoint_text(A, 5, tree.root(5))
    parsed = portable.parse_note(text + "\n" + note.sign(text, "court.example", key))
    assert (parsed.origin, parsed.size, parsed.root, parsed.text) == (A, 5, tree.root(5), text)
    [(name, kid, signature)] = parsed.signatures
    assert (name, kid) == ("court.example", note.key_id("court.example", public))
    assert portable.signature_holds(text, signature, public)
    assert not portable.signature_holds(text.replace("5", "6"), signature, public)


def test_bundle_uses_the_latest_checkpoint_when_it_covers_the_facts(case, tmp_path):
    run("checkpoint")
    with transaction.atomic():  # a later fact on something else: the checkpoint still covers
        append_fact(Actor.system(), "test.event", ("thing", 1), {}, case.agency)
    signed = Checkpoint.objects.count()
    out = tmp_path / "p"
    run("proof", "case", case.number, "--out", str(out))
    assert Checkpoint.objects.count() == signed
    cp = Checkpoint.objects.get(log__origin=A)
    assert (out / "checkpoints" / f"agency-a-{cp.size:08d}.txt").read_text() == cp.note
    assert check(out) == (True, [])


# --- the verifier's languages ----------------------------------------------------------------


def _placeholders(template: str) -> list[tuple[str, str | None]]:
    fields = string.Formatter().parse(template)
    return sorted((name, conversion) for _, name, _, conversion in fields if name is not None)


def test_every_message_has_a_chinese_and_an_english_text_with_the_same_placeholders():
    zh, en = portable.catalog("zh"), portable.catalog("en")
    assert zh.keys() == en.keys() == portable.MESSAGES.keys()
    assert all(set(texts) == set(portable.LANGUAGES) for texts in portable.MESSAGES.values())
    for key, template in en.items():
        assert _placeholders(zh[key]) == _placeholders(template), key
        assert zh[key] != template, key
    # and the code names only messages the table has, and uses every one of them
    tree = ast.parse(Path(portable.__file__).read_text(encoding="utf-8"))
    used = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None))
        in {"fail", "text", "say", "BundleError"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert used == set(en)


def test_a_tampered_bundle_is_reported_in_chinese_by_default_without_quancheng(bundle):
    item = _fact_item(bundle, "record.corrected")
    path = bundle / item["fact"]
    path.write_bytes(path.read_bytes().replace("更正".encode(), "改过".encode()))
    [problem] = portable.verify_bundle(bundle).problems  # Chinese unless told otherwise
    assert problem.startswith(f"{item['fact']}：日志 {A} 的事实（序号 ")
    assert "record.corrected）与 " in problem and problem.endswith("中的叶哈希不符：事实被改动。")
    copy = str(bundle / "verify_proof.py")
    done = _subprocess([sys.executable, "-c", BLOCK_DJANGO, copy, str(bundle)])
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("验证公钥：quancheng.local+")
    assert lines[1] == problem
    assert lines[2] == "校验失败：1 个问题（3 条事实，1 个检查点）。"
    done = _subprocess([sys.executable, "-c", BLOCK_DJANGO, copy, "--lang", "zh", str(bundle)])
    assert done.returncode == 1 and done.stdout.splitlines()[1] == problem


def test_an_output_encoding_without_chinese_gets_escapes_not_a_crash(bundle):
    copy = str(bundle / "verify_proof.py")
    done = _subprocess(
        [sys.executable, "-c", BLOCK_DJANGO, copy, str(bundle)], PYTHONIOENCODING="cp1252"
    )
    assert done.returncode == 0, done.stderr
    assert "\\u6821\\u9a8c\\u901a\\u8fc7" in done.stdout  # 校验通过, escaped


def test_quancheng_verify_proof_speaks_the_language_of_the_cli(bundle, monkeypatch, capsys):
    from quancheng.cli import main

    assert "Verified: " in run("verify_proof", str(bundle))  # these tests run in English
    with translation.override("zh-hans"):
        assert "校验通过：3 条事实，1 个检查点" in run("verify_proof", str(bundle))
        assert "Verified: " in run("verify_proof", str(bundle), "--lang", "en")
    assert "校验通过：" in run("verify_proof", str(bundle), "--lang", "zh")
    # ``quancheng verify-proof`` does not load Django: it reads QUANCHENG_LANGUAGE itself
    for language, expected in (
        ("en", "Verified: "),
        ("zh-hans", "校验通过："),
        (None, "校验通过："),
    ):
        if language is None:
            monkeypatch.delenv("QUANCHENG_LANGUAGE", raising=False)
        else:
            monkeypatch.setenv("QUANCHENG_LANGUAGE", language)
        with pytest.raises(SystemExit) as exit_:
            main(["quancheng", "verify-proof", str(bundle)])
        assert exit_.value.code == 0
        assert expected in capsys.readouterr().out, language


def test_an_unknown_language_is_a_usage_error(bundle, capsys):
    from quancheng.cli import main

    out = io.StringIO()
    assert portable.main([str(bundle), "--lang", "xx"], out) == 2
    assert out.getvalue() == ""  # nothing was checked
    assert capsys.readouterr().err == "未知的语言 'xx'：请使用 --lang zh 或 --lang en。\n"
    assert portable.main([str(bundle), "--lang=fr"], out, language="en") == 2
    assert capsys.readouterr().err == "Unknown language 'fr': use --lang zh or --lang en.\n"
    with pytest.raises(SystemExit) as exit_:
        run("verify_proof", str(bundle), "--lang", "xx")
    assert exit_.value.code == 2
    assert "Unknown language 'xx'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["quancheng", "verify-proof", str(bundle), "--lang"])
    assert exit_.value.code == 2
    copy = str(bundle / "verify_proof.py")
    done = _subprocess([sys.executable, "-c", BLOCK_DJANGO, copy, str(bundle), "--lang", "xx"])
    assert (done.returncode, done.stdout) == (2, "")
    assert "未知的语言 'xx'" in done.stderr
