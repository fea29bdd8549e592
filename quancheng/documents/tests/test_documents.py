"""Render, seal, sign and verify documents with real keys, real files and a real TSA."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import pypdf
import pytest
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from quancheng.cases.actions import DocumentInput, PartyInput, add_record
from quancheng.cases.signing import RefusalInput
from quancheng.documents import store
from quancheng.documents.actions import (
    note_party_refusal,
    seal_document,
    sign_as_officer,
    sign_as_party,
)
from quancheng.documents.models import Document
from quancheng.documents.verify import NotAPdf, verify_pdf, verify_stored
from quancheng.errors import ActionError
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def decision(world, new_case):
    case = new_case(parties=[PartyInput(kind="person", name="张三")])
    record = add_record(
        Actor(world.officer, "web"),
        case,
        "decision_document",
        {"content": "罚款人民币五千元，限十五日内缴纳。"},
        timezone.now(),
        document=DocumentInput(number="皖甲罚决〔2026〕7号", issued_on=dt.date(2026, 3, 2)),
        strict=False,
    )
    # the head's approval: from now on the officer on the case issues documents
    add_record(
        Actor(world.head, "web"),
        case,
        "head_approval",
        {"approver": "head", "opinion": "同意", "approved_on": "2026-03-02"},
        timezone.now(),
    )
    return record.latest_version()


PNG = b"\x89PNG\r\n\x1a\n" + b"handwriting"  # the store checks the signature, not the image


def _actor(user):
    return Actor(user, "web")


def test_seal_renders_chinese_and_verifies(world, decision, signing):
    doc = seal_document(_actor(world.officer), decision)
    path = store.path_for(doc.sha256)
    data = path.read_bytes()
    assert store.digest_of(data) == doc.sha256
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for words in (
        "甲市场监管局",
        "行政执法决定书",
        "皖甲罚决〔2026〕7号",
        "张三",
        "罚款人民币五千元",
    ):
        assert words in text
    report = verify_pdf(data)
    assert report.ok, report
    [seal] = report.signatures
    assert (seal.intact, seal.valid, seal.trusted) == (True, True, True)
    assert "甲市场监管局" in seal.signer
    assert seal.timestamp is None
    fact = Fact.objects.get(kind="document.sealed")
    assert fact.payload["sha256"] == doc.sha256


def test_officers_and_party_sign_incrementally(world, decision, signing):
    actor = _actor(world.officer)
    sealed = seal_document(actor, decision)
    first = sign_as_officer(actor, sealed, world.officer.officer)
    second = sign_as_officer(actor, first, world.officer2.officer)
    party = sign_as_party(actor, second, "张三", PNG)
    assert store.path_for(store.digest_of(PNG), "png").read_bytes() == PNG
    with pytest.raises(ActionError, match="PNG"):
        sign_as_party(actor, party, "张三", b"GIF89a")
    data = store.read(party.sha256)
    assert data.startswith(store.read(second.sha256))  # incremental: earlier bytes unchanged
    report = verify_pdf(data)
    assert report.ok, report
    assert [s.field for s in report.signatures] == [
        "seal",
        "officer-AH-0001",
        "officer-AH-0002",
        "party-1",
    ]
    assert "AH-0002" in report.signatures[2].signer
    assert Fact.objects.filter(kind="document.signed").count() == 3
    with pytest.raises(ActionError, match="newer PDF"):
        sign_as_officer(actor, sealed, world.officer2.officer)


def test_refusal_is_noted_and_witnessed(world, decision, signing):
    actor = _actor(world.officer)
    sealed = seal_document(actor, decision)
    refused = note_party_refusal(
        actor,
        sealed,
        RefusalInput(
            note="当事人拒绝签名", noted_at=timezone.now(), officers=[world.officer.officer]
        ),
    )
    assert decision.refusals.count() == 1
    report = verify_pdf(store.read(refused.sha256))
    assert report.ok and report.signatures[-1].field == "refusal-1"


def test_timestamp_from_local_tsa(world, decision, signing, tsa, monkeypatch):
    monkeypatch.setenv("QUANCHENG_TSA_URL", tsa.url)
    monkeypatch.setenv("QUANCHENG_TSA_ROOTS", str(tsa.root_pem))
    before = tsa.requests
    doc = seal_document(_actor(world.officer), decision)
    assert doc.timestamped and tsa.requests > before
    [seal] = verify_pdf(store.read(doc.sha256)).signatures
    assert seal.timestamp is not None and seal.timestamp_valid, seal
    assert abs(seal.timestamp - timezone.now()) < dt.timedelta(minutes=1)


def test_untrusted_tsa_is_reported(world, decision, signing, tsa, monkeypatch):
    monkeypatch.setenv("QUANCHENG_TSA_URL", tsa.url)  # but its root is not trusted
    doc = seal_document(_actor(world.officer), decision)
    [seal] = verify_pdf(store.read(doc.sha256)).signatures
    assert seal.timestamp_valid is False
    assert any("timestamp" in p for p in seal.problems)


def _nothing_written(signing):
    assert not Document.objects.exists()
    assert not Fact.objects.filter(kind__startswith="document.").exists()
    files = (
        [p for p in (signing / "documents").rglob("*") if p.is_file()]
        if (signing / "documents").exists()
        else []
    )
    assert files == []


@pytest.mark.parametrize("mode", ["down", "garbage", "error"])
def test_tsa_failure_writes_nothing(world, decision, signing, tsa, monkeypatch, mode):
    from tests.tsa import DOWN_TSA_URL

    tsa.mode = "ok" if mode == "down" else mode
    monkeypatch.setenv("QUANCHENG_TSA_URL", DOWN_TSA_URL if mode == "down" else tsa.url)
    with pytest.raises(ActionError, match="time-stamping authority") as info:
        seal_document(_actor(world.officer), decision)
    assert info.value.path == "document"
    _nothing_written(signing)


def test_missing_passphrase_is_clear(world, decision, signing, monkeypatch):
    monkeypatch.delenv("QUANCHENG_SIGNING_PASSPHRASE")
    with pytest.raises(ActionError, match="QUANCHENG_SIGNING_PASSPHRASE"):
        seal_document(_actor(world.officer), decision)
    _nothing_written(signing)


def test_wrong_passphrase_is_clear(world, decision, signing, monkeypatch):
    monkeypatch.setenv("QUANCHENG_SIGNING_PASSPHRASE", "wrong")
    with pytest.raises(ActionError, match="wrong passphrase"):
        seal_document(_actor(world.officer), decision)
    _nothing_written(signing)


def test_byte_flipped_in_signed_range_is_detected(world, decision, signing):
    doc = seal_document(_actor(world.officer), decision)
    data = bytearray(store.read(doc.sha256))
    at = data.index(b"quancheng-document")
    data[at] ^= 0x01
    [seal] = verify_pdf(bytes(data)).signatures
    assert not seal.intact
    assert "signed bytes were changed" in seal.problems[0]


def test_unsigned_incremental_change_is_detected(world, decision, signing):
    doc = seal_document(_actor(world.officer), decision)
    writer = IncrementalPdfFileWriter(io.BytesIO(store.read(doc.sha256)))
    page = writer.root["/Pages"]["/Kids"][0]
    from pyhanko.pdf_utils import generic

    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (PAID) Tj ET")
    ref = writer.add_object(stream)
    contents = page.get_object()["/Contents"]
    page.get_object()["/Contents"] = generic.ArrayObject(
        [
            *(contents if isinstance(contents, list) else [page.get_object().raw_get("/Contents")]),
            ref,
        ]
    )
    writer.update_container(page.get_object())
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue())
    [seal] = report.signatures
    assert seal.intact and seal.valid  # the sealed revision itself is untouched …
    assert any("changed after" in p for p in seal.problems), seal.problems  # … but content changed
    assert seal.modification == "OTHER"
    assert not report.ok


def test_appended_bytes_are_detected(world, decision, signing):
    doc = seal_document(_actor(world.officer), decision)
    report = verify_pdf(store.read(doc.sha256) + b"\n% appended\n")
    assert any("no signature covers" in p for p in report.problems)
    assert not report.ok


def test_not_a_pdf():
    with pytest.raises(NotAPdf, match="not a PDF"):
        verify_pdf(b"GIF89a this is an image")
    with pytest.raises(NotAPdf):
        verify_pdf(b"%PDF-1.7\n garbage garbage")


def test_changed_file_on_disk(world, decision, signing):
    doc = seal_document(_actor(world.officer), decision)
    path = store.path_for(doc.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"x")
    report = verify_stored(doc.sha256)
    assert "changed on disk" in report.problems[0]


def test_other_agency_cannot_seal(world, decision, signing):
    with pytest.raises(ActionError):
        seal_document(_actor(world.other_officer), decision)
    _nothing_written(signing)


def test_document_rows_are_append_only(world, decision, signing):
    from django.db import IntegrityError, transaction

    doc = seal_document(_actor(world.officer), decision)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=doc.pk).update(signer="someone else")


def test_signing_refuses_a_changed_stored_pdf(world, decision, signing):
    actor = _actor(world.officer)
    sealed = seal_document(actor, decision)
    path = store.path_for(sealed.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(ActionError, match="was changed"):
        sign_as_officer(actor, sealed, world.officer.officer)
    assert Document.objects.count() == 1
    assert not Fact.objects.filter(kind="document.signed").exists()


def test_record_that_is_no_document_is_refused(world, new_case, signing):
    case = new_case()
    record = add_record(
        _actor(world.officer),
        case,
        "evidence_collection",
        {"evidence_type": "documentary", "description": "营业执照复印件"},
        timezone.now(),
        strict=False,
    )
    with pytest.raises(ActionError, match="not documents"):
        seal_document(_actor(world.head), record.latest_version())


def test_party_signature_with_tsa_down_leaves_no_file(world, decision, signing, monkeypatch):
    from tests.tsa import DOWN_TSA_URL

    sealed = seal_document(_actor(world.officer), decision)
    monkeypatch.setenv("QUANCHENG_TSA_URL", DOWN_TSA_URL)
    with pytest.raises(ActionError, match="time-stamping authority"):
        sign_as_party(_actor(world.officer), sealed, "张三", PNG)
    assert not store.path_for(store.digest_of(PNG), "png").exists()
    assert Document.objects.count() == 1
    assert not Fact.objects.filter(kind="document.signed").exists()
