"""The ledger facts of ``bench.dataset``'s rows, written in bulk (``append_facts``) with the
payloads the actions write, so that a full ``verify`` reconciles every row with a fact."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction

from quancheng.agencies.models import Agency, Officer
from quancheng.cases.actions import case_payload, version_payload
from quancheng.cases.models import Case, Party, Record, RecordVersion, Signature
from quancheng.devices.models import Device
from quancheng.ledger.actions import append_facts
from quancheng.ledger.context import Actor
from quancheng.media.models import Interruption, Recording

Item = tuple[str, tuple[str, object], dict[str, Any]]
BATCH = 5_000


def record_facts() -> int:
    """Append the facts of every row of the data set; returns how many."""
    items: dict[int, list[Item]] = defaultdict(list)
    agencies = {a.pk: a for a in Agency.objects.all()}
    for agency in agencies.values():
        items[agency.pk].append(("agency.created", ("agency", agency.pk), _agency(agency)))
    for officer in Officer.objects.select_related("agency"):
        payload = {"name": officer.name, "cert_no": officer.cert_no, "agency": officer.agency.code}
        items[officer.agency_id].append(("officer.created", ("officer", officer.pk), payload))
    for device in Device.objects.all():
        items[device.agency_id].append(
            ("device.registered", ("device", device.pk), _device(device))
        )
    case_agency = _cases(items)
    for party in Party.objects.all():
        payload = {"case": party.case_id, "kind": party.kind, "name": party.name}
        payload |= {"id_number": party.id_number, "address": party.address, "phone": party.phone}
        items[case_agency[party.case_id]].append(("party.added", ("party", party.pk), payload))
    version_agency = _records(items, case_agency)
    for signature in Signature.objects.all():
        items[version_agency[signature.version_id]].append(
            ("signature.added", ("signature", signature.pk), _signature(signature))
        )
    _recordings(items)
    for item in Interruption.objects.select_related("device"):
        items[item.agency_id].append(
            ("interruption.explained", ("interruption", item.pk), _interruption(item))
        )
    closing = [
        (c.agency_id, ("case.closed", ("case", c.pk), {"ended_at": c.ended_at}))
        for c in Case.objects.filter(ended_at__isnull=False)
    ]
    for agency_id, item in closing:
        items[agency_id].append(item)
    actor = Actor.system()
    count = 0
    for agency_id, facts in items.items():
        for start in range(0, len(facts), BATCH):
            with transaction.atomic():
                append_facts(actor, facts[start : start + BATCH], agencies[agency_id])
        count += len(facts)
    return count


def _agency(agency: Agency) -> dict[str, Any]:
    return {
        "code": agency.code,
        "name": agency.name,
        "level": agency.level,
        "pack": agency.pack_id,
        "parent": None,
    }


def _device(device: Device) -> dict[str, Any]:
    return {
        "serial": device.serial,
        "kind": device.kind,
        "model": device.model,
        "capabilities": device.capabilities,
        "keeper": None,
        "from_case_file": False,
    }


def _cases(items: dict[int, list[Item]]) -> dict[int, int]:
    codes = dict(Agency.objects.values_list("pk", "code"))
    case_agency = {}
    for case in Case.objects.order_by("pk"):
        case_agency[case.pk] = case.agency_id
        payload = case_payload(case, codes[case.agency_id], [])
        items[case.agency_id].append(("case.opened", ("case", case.pk), payload))
    return case_agency


def _records(items: dict[int, list[Item]], case_agency: dict[int, int]) -> dict[int, int]:
    records = {r.pk: r for r in Record.objects.all()}
    version_agency = {}
    for version in RecordVersion.objects.order_by("record_id", "number"):
        record = records[version.record_id]
        agency_id = case_agency[record.case_id]
        version_agency[version.pk] = agency_id
        if version.number == 1:
            payload = {
                "case": record.case_id,
                "kind": record.kind,
                "stage": record.stage,
                "version": version_payload(version),
            }
            items[agency_id].append(("record.added", ("record", record.pk), payload))
        else:
            payload = {"record": record.pk, "corrects": None, "version": version_payload(version)}
            items[agency_id].append(("record.corrected", ("record_version", version.pk), payload))
    return version_agency


def _signature(signature: Signature) -> dict[str, Any]:
    return {
        "version": signature.version_id,
        "role": signature.role,
        "signer": signature.signer_name,
        "officer": None,
        "refusal": None,
        "signed_at": signature.signed_at,
    }


def _recordings(items: dict[int, list[Item]]) -> None:
    officers: dict[int, list[str]] = defaultdict(list)
    through = Recording.officers.through.objects.values_list("recording_id", "officer__cert_no")
    for recording_id, cert in through:
        officers[recording_id].append(cert)
    names = (
        "session started_at ended_at place scenario production_method maker file_name size "
        "sha256 uploaded_at opening_statement device_checked party_informed delay_reason "
        "returned_at used_as_evidence"
    ).split()
    for recording in Recording.objects.select_related("device"):
        payload = {name: getattr(recording, name) for name in names}
        payload |= {
            "case": recording.case_id,
            "device": recording.device.serial,
            "original": None,
            "sidecar": None,
            "officers": officers[recording.pk],
            "records": [],
        }
        items[recording.agency_id].append(
            ("recording.described", ("recording", recording.pk), payload)
        )


def _interruption(item: Interruption) -> dict[str, Any]:
    return {
        "case": item.case_id,
        "device": item.device.serial,
        "session": item.session,
        "started_at": item.started_at,
        "ended_at": item.ended_at,
        "reason": item.reason,
        "resumed": item.resumed,
        "spoken_explanation": item.spoken_explanation,
        "statement": item.statement,
        "signers": [],
    }
