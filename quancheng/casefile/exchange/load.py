"""Loading an exchange document into the database, through the ordinary actions.

The whole case goes in one transaction: officers and devices the agency does not know yet,
the case with its parties, every record version with its signatures and refusals, the
recordings and interruptions, then the stage, end and archiving. Each action writes its own
ledger facts; a last fact says the case was imported and from what. Any problem raises
``ActionError`` with the path into the document, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.agencies.actions import create_officer
from quancheng.agencies.models import Agency, Officer
from quancheng.casefile.exchange.parse import CaseFile, join, parse_document
from quancheng.cases.actions import (
    DocumentInput,
    PartyInput,
    add_record,
    archive_case,
    correct_record,
    end_case,
    move_to_stage,
    open_case,
)
from quancheng.cases.compliance import deferred_refresh
from quancheng.cases.models import Case, Record
from quancheng.cases.signing import RefusalInput, SignatureInput
from quancheng.devices.actions import register_device
from quancheng.devices.models import Device
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.ledger.reconcile import TIME
from quancheng.media.actions import (
    InterruptionInput,
    RecordingInput,
    add_recording_metadata,
    explain_interruption,
)
from quancheng.media.evidence import add_evidence_note
from quancheng.media.values import RECORDING_VALUES, REQUIRED, unsaid


@contextmanager
def at_path(prefix: str) -> Iterator[None]:
    """Re-raise an action's error with its path placed under ``prefix``."""
    try:
        yield
    except ActionError as exc:
        raise ActionError(exc.message, join(prefix, exc.path)) from None


def _time(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _when(value: str) -> dt.datetime:
    """A time the schema requires (already checked to be aware by the parse)."""
    return dt.datetime.fromisoformat(value)


def digest(document: dict[str, Any]) -> str:
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def import_case(actor: Actor, agency: Agency, document: dict[str, Any]) -> Case:
    """Create the case in ``document`` in ``agency``; raises ``InvalidCaseFile`` or
    ``ActionError`` (with a document path) before anything is kept."""
    parsed = parse_document(document, strict=True)
    _check_fits(parsed, agency)
    doc = parsed.document
    with deferred_refresh():
        officers = _officers(actor, agency, doc["officers"])
        devices = _devices(actor, agency, doc.get("devices", []))
        case = _open(actor, agency, doc, officers)
        records: dict[str, Record] = {}
        for index, item in enumerate(doc["records"]):
            with at_path(f"records[{index}]"):
                records[item["id"]] = _record(actor, case, item, officers)
        for index, item in enumerate(doc.get("recordings", [])):
            with at_path(f"recordings[{index}]"):
                recording = add_recording_metadata(
                    actor, case, _recording_input(item, devices, officers, records)
                )
                for j, note in enumerate(item.get("evidence_notes", [])):
                    with at_path(f"evidence_notes[{j}]"):
                        add_evidence_note(
                            actor,
                            recording,
                            taken_by=[officers[c] for c in note["taken_by"]],
                            taken_at=_when(note["taken_at"]),
                            place=note["place"],
                            matter=note.get("matter", ""),
                        )
        for index, item in enumerate(doc.get("interruptions", [])):
            with at_path(f"interruptions[{index}]"):
                explain_interruption(actor, case, _interruption_input(item, devices, officers))
        _finish(actor, case, doc["case"])
        append_fact(
            actor,
            "case.imported",
            ("case", case.pk),
            {
                "format_version": doc["format_version"],
                "sha256": digest(doc),
                "source": doc.get("source", {}),
            },
            agency,
        )
    return case


def _check_fits(parsed: CaseFile, agency: Agency) -> None:
    if parsed.pack.id != agency.pack_id:
        raise ActionError(
            _("The case is under pack “%(doc)s”, but %(agency)s works under “%(pack)s”.")
            % {"doc": parsed.pack.id, "agency": agency.name, "pack": agency.pack_id},
            "pack",
        )
    snap = parsed.snapshot
    if snap.closed_at is not None and snap.closed_at != snap.ended_at:
        raise ActionError(
            _("A case closes when its enforcement ends: closed_at must equal ended_at."),
            "case.closed_at",
        )


def _officers(actor: Actor, agency: Agency, items: list[dict[str, Any]]) -> dict[str, Officer]:
    """The officers named in the document: those of this agency reused, others created."""
    home = agency.enforcement_agency.path
    found = {
        o.cert_no: o for o in Officer.objects.filter(cert_no__in=[i["cert_no"] for i in items])
    }
    result: dict[str, Officer] = {}
    for index, item in enumerate(items):
        cert = item["cert_no"]
        officer = found.get(cert)
        if officer is None:
            with at_path(f"officers[{index}]"):
                officer = create_officer(actor, agency, name=item["name"], cert_no=cert)
        elif not officer.agency.path.startswith(home):
            raise ActionError(
                _("Certificate number %(c)s belongs to an officer of another agency.")
                % {"c": cert},
                f"officers[{index}].cert_no",
            )
        result[cert] = officer
    return result


def _devices(actor: Actor, agency: Agency, items: list[dict[str, Any]]) -> dict[str, Device]:
    home = agency.enforcement_agency.pk
    found = {d.serial: d for d in Device.objects.filter(serial__in=[i["serial"] for i in items])}
    result: dict[str, Device] = {}
    for index, item in enumerate(items):
        device = found.get(item["serial"])
        if device is None:
            with at_path(f"devices[{index}]"):
                device = register_device(
                    actor,
                    agency,
                    serial=item["serial"],
                    kind=item["kind"],
                    model=item.get("model", ""),
                    capabilities=item.get("capabilities", []),
                    from_case_file=True,
                )
        elif device.agency.enforcement_agency.pk != home:
            raise ActionError(
                _("Device %(serial)s belongs to another agency.") % {"serial": item["serial"]},
                f"devices[{index}].serial",
            )
        result[item["serial"]] = device
    return result


def _open(actor: Actor, agency: Agency, doc: dict[str, Any], officers: dict[str, Officer]) -> Case:
    case = doc["case"]
    with at_path("case"):
        return open_case(
            actor,
            agency,
            number=case["number"],
            title=case["title"],
            action_types=list(case["action_types"]),
            start_mode=case["start_mode"],
            opened_at=_when(case["opened_at"]),
            is_major=case["is_major"],
            confidential=case.get("confidential", False),
            officers=[officers[o["cert_no"]] for o in doc["officers"] if o.get("on_case", True)],
            parties=[
                PartyInput(
                    kind=p["kind"],
                    name=p["name"],
                    id_number=p.get("id_number", ""),
                    address=p.get("address", ""),
                    phone=p.get("phone", ""),
                )
                for p in doc.get("parties", [])
            ],
        )


def _record(actor: Actor, case: Case, item: dict[str, Any], officers: dict[str, Officer]) -> Record:
    """Add the record's first version and correct it with each later one; an action's
    error comes back with its path under ``versions[i]`` (a refusal of the kind as is)."""
    record: Record | None = None
    for index, version in enumerate(item["versions"]):
        kwargs = _version_inputs(version, officers)
        occurred = _when(version["occurred_at"])
        try:
            if record is None:
                record = add_record(
                    actor,
                    case,
                    item["kind"],
                    version["fields"],
                    occurred,
                    **kwargs,
                )
            else:
                correct_record(
                    actor,
                    record,
                    version["fields"],
                    occurred,
                    version.get("correction_reason", ""),
                    **kwargs,
                )
        except ActionError as exc:
            # A refusal of the kind (unknown, or not for the author's role) is the record's.
            path = exc.path if exc.path == "kind" else join(f"versions[{index}]", exc.path)
            raise ActionError(exc.message, path) from None
    return record  # type: ignore[return-value]


def _version_inputs(version: dict[str, Any], officers: dict[str, Officer]) -> dict[str, Any]:
    """The document, signatures and refusals of one record version, as the keyword
    arguments of ``add_record`` and ``correct_record``."""
    document = version.get("document", {})
    return {
        "document": DocumentInput(
            number=document.get("number", ""),
            issued_on=dt.date.fromisoformat(document["issued_on"])
            if document.get("issued_on")
            else None,
            sealed=document.get("sealed", False),
        ),
        "signatures": [
            SignatureInput(
                role=s["role"],
                name=s["name"],
                signed_at=_when(s["signed_at"]),
                officer=officers[s["cert_no"]] if s.get("cert_no") else None,
            )
            for s in version.get("signatures", [])
        ],
        "refusals": [
            RefusalInput(
                note=r["note"],
                noted_at=_when(r["noted_at"]),
                officers=[officers[c] for c in r["signed_by"]],
            )
            for r in version.get("refusals", [])
        ],
    }


def _recording_input(
    item: dict[str, Any],
    devices: dict[str, Device],
    officers: dict[str, Officer],
    records: dict[str, Record],
) -> RecordingInput:
    return RecordingInput(
        device=devices[item["device"]],
        started_at=_when(item["started_at"]),
        ended_at=_when(item["ended_at"]),
        officers=[officers[c] for c in item.get("officers", [])],
        records=[records[r] for r in item.get("records", [])],
        **{name: _value(item, name) for name in RECORDING_VALUES if name not in REQUIRED},
    )


def _value(item: dict[str, Any], name: str) -> Any:
    """One of a recording's values as the file gives it (a time parsed), or its unsaid value."""
    if name not in item:
        return unsaid(name)
    return _time(item[name]) if RECORDING_VALUES[name] == TIME else item[name]


def _interruption_input(
    item: dict[str, Any], devices: dict[str, Device], officers: dict[str, Officer]
) -> InterruptionInput:
    return InterruptionInput(
        device=devices[item["device"]],
        started_at=_when(item["started_at"]),
        ended_at=_time(item.get("ended_at")),
        reason=item["reason"],
        resumed=item.get("resumed", True),
        spoken_explanation=item.get("spoken_explanation", False),
        statement=item.get("statement", ""),
        signers=[officers[c] for c in item.get("signed_by", [])],
        session=item.get("session", ""),
    )


def _finish(actor: Actor, case: Case, data: dict[str, Any]) -> None:
    """Stage, end and archiving, in the order the actions allow."""
    if data["stage"] != case.stage:
        with at_path("case"):
            move_to_stage(actor, case, data["stage"])
    if data.get("ended_at"):
        with at_path("case"):
            end_case(actor, case, _when(data["ended_at"]))
    if data.get("archived_at"):
        with at_path("case"):
            archive_case(actor, case, _when(data["archived_at"]))
