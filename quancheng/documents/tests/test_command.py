"""``quancheng documents``: demo CA, certificates, import, seal and verify from the shell."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command
from django.utils import timezone

from quancheng.cases.actions import add_record
from quancheng.documents import keys
from quancheng.ledger.public import Actor

pytestmark = pytest.mark.usefixtures("english")


def test_ca_certs_seal_and_verify(world, new_case, settings, tmp_path, monkeypatch, capsys):
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "pw")
    monkeypatch.delenv("QUANCHENG_TSA_URL", raising=False)
    call_command("documents", "init-ca")
    with pytest.raises(CommandError, match="already exists"):
        call_command("documents", "init-ca")
    call_command("documents", "issue-cert", "agency-a", "--officers")
    assert keys.officer_pair("agency-a", "AH-0002").cert.exists()
    key_pem = keys.agency_pair("agency-a").key.read_bytes()
    assert b"ENCRYPTED" in key_pem
    case = new_case()
    record = add_record(
        Actor(world.officer, "web"),
        case,
        "decision_document",
        {"content": "警告"},
        timezone.now(),
        strict=False,
    )
    call_command("documents", "seal", str(record.latest_version().pk))
    digest = capsys.readouterr().out.strip().splitlines()[-1]
    pdf = tmp_path / "documents" / digest[:2] / f"{digest}.pdf"
    call_command("documents", "verify", str(pdf))
    assert capsys.readouterr().out.strip().endswith("OK")
    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_bytes(b"hello")
    with pytest.raises(CommandError, match="not a PDF"):
        call_command("documents", "verify", str(not_pdf))


def test_import_cert_checks_the_key(world, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "pw")
    call_command("documents", "init-ca")
    # A "CA-issued" pair made elsewhere: issue it into another folder, then import it.
    pair = keys.issue_agency_cert("elsewhere", "甲市场监管局")
    key = keys.load_key(pair.key)
    plain = tmp_path / "plain.key"
    plain.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    call_command(
        "documents",
        "import-cert",
        "agency-a",
        str(pair.cert),
        str(plain),
        "--chain",
        str(keys.ca_pair().cert),
    )
    assert keys.agency_pair("agency-a").cert.read_bytes() == pair.cert.read_bytes()
    other = keys.issue_agency_cert("other", "乙")
    with pytest.raises(CommandError, match="does not belong"):
        call_command("documents", "import-cert", "agency-b", str(other.cert), str(plain))
