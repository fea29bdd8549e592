"""The case page's 文书 section: status from a real verification; download with permission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from quancheng.cases.actions import DocumentInput, PartyInput, add_record
from quancheng.documents import store
from quancheng.documents.actions import seal_document, sign_as_officer
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def sealed(world, new_case, signing):
    case = new_case(parties=[PartyInput(kind="person", name="张三")])
    actor = Actor(world.officer, "web")
    record = add_record(
        actor,
        case,
        "decision_document",
        {"content": "罚款五千元"},
        timezone.now(),
        document=DocumentInput(number="皖甲罚决〔2026〕9号", issued_on=dt.date(2026, 3, 2)),
        strict=False,
    )
    seal = seal_document(Actor(world.head, "web"), record.latest_version())  # no approval yet
    return sign_as_officer(actor, seal, world.officer.officer)


def test_case_page_lists_documents_with_status(client, world, sealed):
    client.force_login(world.officer)
    page = client.get(sealed.case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "皖甲罚决〔2026〕9号" in html
    assert html.count("Signatures valid") == 2  # the sealed PDF and the one signed further
    assert "Verification failed" not in html


def test_changed_file_shows_as_failed(client, world, sealed):
    path = store.path_for(sealed.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"quancheng-document", b"quancheng-documenT"))
    client.force_login(world.officer)
    html = client.get(sealed.case.get_absolute_url()).content.decode()
    assert "changed on disk" in html or "SHA-256" in html


def test_download_is_logged(client, world, sealed):
    client.force_login(world.officer)
    url = f"/cases/{sealed.case.pk}/documents/{sealed.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == store.read(sealed.sha256)
    assert response["Content-Type"] == "application/pdf"
    # Saved, not opened in the browser's PDF viewer; sandboxed and not sniffed all the same.
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Fact.objects.filter(
        kind="access.viewed", payload__what=f"document {sealed.sha256}"
    ).exists()


def test_other_agency_cannot_see_or_download(client, world, sealed):
    client.force_login(world.other_officer)
    assert client.get(sealed.case.get_absolute_url()).status_code == 404
    url = f"/cases/{sealed.case.pk}/documents/{sealed.pk}/"
    assert client.get(url).status_code == 404


def test_supervisor_can_download(client, world, sealed):
    client.force_login(world.supervisor)
    url = f"/cases/{sealed.case.pk}/documents/{sealed.pk}/"
    assert client.get(url).status_code == 200


def test_issue_and_sign_from_the_case_page(client, world, new_case, signing):
    case = new_case(parties=[PartyInput(kind="person", name="张三")])
    record = add_record(
        Actor(world.officer, "web"),
        case,
        "decision_document",
        {"content": "警告"},
        timezone.now(),
        document=DocumentInput(number="皖甲罚决〔2026〕11号"),
        strict=False,
    )
    client.force_login(world.officer)
    # before the head's approval, the officer may not issue it
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/cases/{case.pk}/records/{record.pk}/seal/" not in page
    assert client.post(f"/cases/{case.pk}/records/{record.pk}/seal/").status_code == 403
    add_record(
        Actor(world.head, "web"),
        case,
        "head_approval",
        {"approver": "head", "opinion": "同意", "approved_on": "2026-03-02"},
        timezone.now(),
    )
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/cases/{case.pk}/records/{record.pk}/seal/" in page
    assert client.post(f"/cases/{case.pk}/records/{record.pk}/seal/").status_code == 302
    sealed = record.latest_version().documents.get()
    assert client.post(f"/cases/{case.pk}/documents/{sealed.pk}/sign/").status_code == 302
    signed = sealed.next
    assert signed.signer == str(world.officer.officer)
    # A second seal is refused with a message, nothing written.
    client.post(f"/cases/{case.pk}/records/{record.pk}/seal/")
    assert record.latest_version().documents.count() == 2
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "already been sealed" in page
    assert page.count("Signatures valid") == 2


def test_supervisor_cannot_seal_or_sign(client, world, sealed):
    client.force_login(world.supervisor)
    record = sealed.version.record
    assert client.post(f"/cases/{sealed.case.pk}/records/{record.pk}/seal/").status_code == 403
    assert client.post(f"/cases/{sealed.case.pk}/documents/{sealed.pk}/sign/").status_code == 403
    assert sealed.version.documents.count() == 2
