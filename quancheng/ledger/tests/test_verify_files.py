"""``quancheng verify`` re-hashes every stored original and document PDF from its bytes."""

from __future__ import annotations

import datetime as dt
import io
import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from quancheng.cases.actions import DocumentInput, add_record
from quancheng.documents import store as documents
from quancheng.documents.actions import seal_document
from quancheng.documents.tests.conftest import _session_keys, signing  # noqa: F401 - fixtures
from quancheng.ledger.context import Actor
from quancheng.ledger.verification.runs import run
from quancheng.media.store import get_store


@pytest.fixture
def files(world, new_case, signing, settings, tmp_path):  # noqa: F811 - the fixture
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"
    store = get_store()
    originals = [store.save_stream(io.BytesIO(b"video bytes %d" % n)) for n in range(3)]
    record = add_record(
        Actor(world.officer, "web"),
        new_case(),
        "decision_document",
        {"content": "罚款人民币五千元。"},
        timezone.now(),
        document=DocumentInput(number="皖甲罚决〔2026〕7号", issued_on=dt.date(2026, 3, 2)),
        strict=False,
    )
    document = seal_document(Actor(world.head, "web"), record.latest_version())
    return store, originals, document


def overwrite(path: os.PathLike, data: bytes) -> None:
    os.chmod(path, 0o644)
    with open(path, "r+b") as handle:
        handle.write(data)


def verify_json() -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("verify", "--json", stdout=out, stderr=io.StringIO())
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(out.getvalue())


def test_untouched_files_verify(files, english):
    code, report = verify_json()
    assert code == 0, report["problems"]
    assert report["ok"] is True
    assert (report["originals"], report["documents"]) == (3, 1)
    assert report["facts"] > 0 and report["problems"] == []


def test_a_changed_byte_of_an_original_is_named(files, english):
    store, originals, _document = files
    changed = originals[1]
    overwrite(store.path_of(changed), b"V")  # same size, first byte changed
    code, report = verify_json()
    assert code == 1 and report["ok"] is False
    [problem] = report["problems"]
    assert problem["code"] == "original"
    assert problem["message"].startswith(
        f"Original sha256:{changed.sha256} ({changed.key}): its bytes have changed: SHA-256 is now "
    )


def test_a_missing_original_is_named(files, english):
    store, originals, _document = files
    os.unlink(store.path_of(originals[0]))
    code, report = verify_json()
    assert code == 1
    assert [p["message"] for p in report["problems"]] == [
        f"Original sha256:{originals[0].sha256} ({originals[0].key}): missing, or not of its "
        "recorded size."
    ]


def test_a_changed_and_a_missing_document_pdf_are_named(files, english):
    _store, _originals, document = files
    path = documents.path_for(document.sha256)
    data = path.read_bytes()
    overwrite(path, data[:100] + b"X" + data[101:])
    code, report = verify_json()
    assert code == 1
    [problem] = report["problems"]
    assert problem["code"] == "document"
    assert problem["message"].startswith(
        f"Document PDF #{document.pk} (case #{document.case_id}, {path}): its bytes have "
        "changed: SHA-256 is now "
    )
    path.unlink()
    code, report = verify_json()
    assert [p["message"] for p in report["problems"]] == [
        f"Document PDF #{document.pk} (case #{document.case_id}, {path}): the file is missing."
    ]


def test_progress_counts_every_fact_and_file(files):
    ticks: list[tuple[str, int, int]] = []
    report = run(lambda phase, done, total: ticks.append((phase, done, total)))
    assert report.ok
    phases = [phase for phase, _, _ in ticks]
    assert phases[-4:] == ["originals", "originals", "originals", "documents"]
    assert "rows" in phases  # one tick per table reconciled with the facts
    assert ticks[-1][1] == ticks[-1][2] == report.facts + report.tables + 3 + 1
    assert [done for _, done, _ in ticks] == sorted(done for _, done, _ in ticks)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_tqdm_bar_on_stderr(files, english):
    err, out = _Terminal(), io.StringIO()
    call_command("verify", stdout=out, stderr=err)
    bar = err.getvalue()
    assert "facts:" in bar and "document PDFs:" in bar and "%|" in bar
    assert out.getvalue().startswith("Verified: ")


def test_a_row_rewritten_to_match_replaced_bytes_is_caught_by_the_ledger(files, english):
    """Someone replaces an original's bytes and rewrites its row's digest to match: the file
    re-hashes to the row, but the ledger recorded the digest when the file was stored."""
    from conftest import tamper

    store, originals, _document = files
    original = originals[2]
    forged = "f" * 64
    tamper(
        "media_original",
        "UPDATE media_original SET sha256 = %s WHERE id = %s",
        [forged, original.pk],
    )
    code, report = verify_json()
    assert code == 1
    messages = [p["message"] for p in report["problems"]]
    assert (
        f'Row media_original #{original.pk}, field sha256: the ledger recorded "{original.sha256}"'
        f', the row now says "{forged}": the row was changed.'
    ) in messages
    assert {
        "table": "media_original",
        "id": str(original.pk),
        "field": "sha256",
        "ledger": original.sha256,
        "row": forged,
        "kind": "changed",
        "log": "quancheng.local/system",  # originals are the system log's
    } in report["mismatches"]


def test_a_document_row_without_its_ledger_fact_is_named(files, english):
    from quancheng.documents.models import Document

    _store, _originals, document = files
    data = b"%PDF-1.7 not from the application"
    digest, _ = documents.put(data)
    sneaked = Document.objects.create(
        case=document.case, version=document.version, previous=document, step="officer",
        signer="mallory", sha256=digest, size=len(data),
    )  # fmt: skip
    code, report = verify_json()
    assert code == 1
    assert [p["message"] for p in report["problems"]] == [
        f"Row documents_document #{sneaked.pk} has no fact in the ledger: it was written "
        "outside the application."
    ]
    assert report["problems"][0]["log"] == "quancheng.local/agency/agency-a"
