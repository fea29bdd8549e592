"""Reading a case exchange document: JSON → checked structure → ``CaseSnap``.

Two passes. The JSON Schema (``case-exchange.schema.json``, checked in ``parse_schema.py``)
checks the structure; then the document is checked against its policy pack (pack, stages,
record kinds and their fields, scenarios), its own cross-references (officers, devices, record
ids) and the house rules (aware times, corrections with reasons). Before both, every value is
bounded: nested at most ``MAX_DEPTH`` levels, text without NUL and at most QUANCHENG_MAX_TEXT
characters. Every problem names its path into the document,
``records[3].versions[0].fields.reason``. Nothing here touches the database. Reading the
file, bounded in size, is ``read.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from quancheng import bounds
from quancheng.casefile.exchange.parse_schema import (
    InvalidCaseFile,
    Problem,
    check_structure,
    format_path,
    join,
)
from quancheng.cases.validation import clean_fields
from quancheng.errors import ActionError
from quancheng.ledger.reconcile import TIME
from quancheng.media.values import RECORDING_VALUES, REQUIRED, SNAPSHOT_VALUES, unsaid
from quancheng.policies.registry import UnknownPack, get_pack
from quancheng.policies.schema import Pack
from quancheng.policies.snapshot import (
    CaseSnap,
    EvidenceNoteSnap,
    InterruptionSnap,
    RecordingSnap,
    RecordSnap,
    RefusalSnap,
    SignatureSnap,
    VersionSnap,
)

FORMAT = "quancheng-case"
FORMAT_VERSION = 1
# The format nests six levels deep (records[].versions[].fields.x[]); anything far deeper is
# not a case file, and would exhaust the recursion of the JSON Schema check.
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A checked document, the pack it is evaluated under, and the engine's view of it."""

    document: dict[str, Any]
    pack: Pack
    snapshot: CaseSnap


def _bounds_problem(document: dict[str, Any]) -> Problem | None:
    """The first value too deep, text with NUL or over QUANCHENG_MAX_TEXT, walking the
    document without recursion."""
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, parts = stack.pop()
        if len(parts) > MAX_DEPTH:
            message = _("Nested more than %(n)d levels deep.") % {"n": MAX_DEPTH}
            return Problem(format_path(parts), message)
        if isinstance(value, str):
            text_problem = bounds.text_problem(value)
            if text_problem:
                return Problem(format_path(parts), text_problem)
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    return Problem(format_path([*parts, key]), bounds.nul_message())
                stack.append((item, [*parts, key]))
        elif isinstance(value, list):
            stack.extend((item, [*parts, index]) for index, item in enumerate(value))
    return None


def parse_document(
    document: dict[str, Any], *, pack_id: str | None = None, strict: bool = False
) -> CaseFile:
    """Check ``document`` and build its snapshot, evaluated under ``pack_id`` (else its own).

    ``strict`` refuses a record version that leaves out a field its kind requires, as the
    actions do; otherwise that is left to the engine, which reports it as a finding.
    """
    problem = _bounds_problem(document)
    if problem:
        raise InvalidCaseFile([problem])
    check_structure(document)
    return _Builder(document, strict).build(pack_id)


class _Builder:
    """The semantic pass: collects every problem, then raises them together."""

    def __init__(self, document: dict[str, Any], strict: bool) -> None:
        self.doc = document
        self.strict = strict
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def build(self, override: str | None) -> CaseFile:
        pack_id = override or self.doc["pack"]
        try:
            pack = get_pack(pack_id)
        except UnknownPack:
            message = _("Unknown policy pack “%(pack)s”.") % {"pack": pack_id}
            raise InvalidCaseFile([Problem("--pack" if override else "pack", message)]) from None
        self.pack = pack
        self.kinds = {k.id: k for k in pack.record_kinds}
        self.stages = {s.id: s for s in pack.stages}
        self.officers = self._officers()
        self.devices = self._devices()
        case = self._case()
        records = [self._record(i, r) for i, r in enumerate(self.doc["records"])]
        record_ids = {r["id"] for r in self.doc["records"]}
        recordings = [
            self._recording(i, r, record_ids) for i, r in enumerate(self.doc.get("recordings", []))
        ]
        interruptions = [
            self._interruption(i, r) for i, r in enumerate(self.doc.get("interruptions", []))
        ]
        self._unique("records", [r["id"] for r in self.doc["records"]], "id")
        self._unique("recordings", [r["id"] for r in self.doc.get("recordings", [])], "id")
        if self.problems:
            raise InvalidCaseFile(self.problems)
        snapshot = CaseSnap(
            **case,
            pack_id=pack.id,
            party_names=tuple(p["name"] for p in self.doc.get("parties", [])),
            records=records,  # type: ignore[arg-type]
            recordings=recordings,
            interruptions=interruptions,
        )
        return CaseFile(self.doc, pack, snapshot)

    # --- values -----------------------------------------------------------------------

    def time(self, value: str | None, path: str) -> dt.datetime | None:
        if value is None:
            return None
        moment, problem = bounds.parse_moment(value)
        if problem:
            self.fail(path, problem)
        return moment

    def date(self, value: str | None, path: str) -> dt.date | None:
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.fail(path, _("Must be a date such as 2026-03-01."))
            return None
        problem = bounds.date_problem(day)
        if problem:
            self.fail(path, problem)
            return None
        return day

    def cert(self, cert: str, path: str) -> str:
        if cert not in self.officers:
            self.fail(path, _("Certificate number “%(cert)s” is not in officers.") % {"cert": cert})
        return cert

    def _unique(self, where: str, values: list[str], key: str) -> None:
        seen: set[str] = set()
        for index, value in enumerate(values):
            if value in seen:
                self.fail(f"{where}[{index}].{key}", _("“%(v)s” appears twice.") % {"v": value})
            seen.add(value)

    # --- sections ---------------------------------------------------------------------

    def _officers(self) -> dict[str, str]:
        certs = [o["cert_no"] for o in self.doc["officers"]]
        self._unique("officers", certs, "cert_no")
        return {o["cert_no"]: o["name"] for o in self.doc["officers"]}

    def _devices(self) -> dict[str, tuple[str, ...]]:
        devices = self.doc.get("devices", [])
        self._unique("devices", [d["serial"] for d in devices], "serial")
        return {d["serial"]: tuple(d.get("capabilities", ())) for d in devices}

    def _case(self) -> dict[str, Any]:
        case = self.doc["case"]
        for index, action in enumerate(case["action_types"]):
            if action not in self.pack.scope.action_types:
                self.fail(
                    f"case.action_types[{index}]",
                    _("%(pack)s does not cover “%(a)s” (%(cite)s).")
                    % {"pack": self.pack.title, "a": action, "cite": self.pack.scope.citation},
                )
        if case["stage"] not in self.stages:
            self.fail("case.stage", _("Unknown stage “%(s)s”.") % {"s": case["stage"]})
        times = {
            name: self.time(case.get(name), f"case.{name}")
            for name in ("opened_at", "ended_at", "closed_at", "archived_at")
        }
        opened, ended = times["opened_at"], times["ended_at"]
        if opened and ended and ended < opened:
            self.fail("case.ended_at", _("A case cannot end before it opened."))
        if times["archived_at"] and case.get("closed_at") is None:
            self.fail("case.archived_at", _("Only a closed case can be archived."))
        self.closed_at = times["closed_at"]
        return {
            "ref": case["number"],
            "number": case["number"],
            "title": case["title"],
            "action_types": tuple(case["action_types"]),
            "start_mode": case["start_mode"],
            "is_major": case["is_major"],
            "stage": case["stage"],
            **times,
        }

    def _record(self, index: int, record: dict[str, Any]) -> RecordSnap | None:
        path = f"records[{index}]"
        kind = self.kinds.get(record["kind"])
        if kind is None:
            self.fail(
                f"{path}.kind",
                _("Unknown record kind “%(kind)s” in pack %(pack)s.")
                % {"kind": record["kind"], "pack": self.pack.id},
            )
            return None
        if record["stage"] != kind.stage:
            self.fail(
                f"{path}.stage",
                _("A “%(kind)s” belongs to stage “%(stage)s”.")
                % {"kind": kind.label, "stage": kind.stage},
            )
        after_close = self.stages[kind.stage].open_after_close
        versions = []
        for number, version in enumerate(record["versions"], start=1):
            vpath = f"{path}.versions[{number - 1}]"
            try:
                fields = clean_fields(kind, version["fields"], strict=self.strict or number > 1)
            except ActionError as exc:
                self.fail(join(vpath, exc.path), exc.message)
                fields = version["fields"]
            if number > 1 and not version.get("correction_reason", "").strip():
                self.fail(f"{vpath}.correction_reason", _("Say why the record is corrected."))
            occurred = self.time(version["occurred_at"], f"{vpath}.occurred_at")
            if occurred and self.closed_at and occurred > self.closed_at and not after_close:
                self.fail(
                    f"{vpath}.occurred_at",
                    _("Case %(number)s is closed; nothing more can be recorded.")
                    % {"number": self.doc["case"]["number"]},
                )
            versions.append(self._version(vpath, number, version, fields, occurred))
        return RecordSnap(record["id"], kind.id, kind.stage, versions[-1], len(versions))

    def _version(
        self,
        path: str,
        number: int,
        version: dict[str, Any],
        fields: dict[str, Any],
        occurred: dt.datetime | None,
    ) -> VersionSnap:
        document = version.get("document", {})
        signatures = []
        for index, sig in enumerate(version.get("signatures", [])):
            spath = f"{path}.signatures[{index}]"
            self.time(sig["signed_at"], f"{spath}.signed_at")
            cert = sig.get("cert_no")
            if cert is not None:
                self.cert(cert, f"{spath}.cert_no")
            signatures.append(SignatureSnap(sig["role"], sig["name"], cert))
        refusals = []
        for index, refusal in enumerate(version.get("refusals", [])):
            rpath = f"{path}.refusals[{index}]"
            ref = f"{path}/refusal{index}"
            self.time(refusal["noted_at"], f"{rpath}.noted_at")
            refusals.append(RefusalSnap(ref, refusal["note"]))
            for j, cert in enumerate(refusal["signed_by"]):
                self.cert(cert, f"{rpath}.signed_by[{j}]")
                signatures.append(
                    SignatureSnap("officer", self.officers.get(cert, cert), cert, ref)
                )
        return VersionSnap(
            number=number,
            fields=fields,
            occurred_at=occurred,  # type: ignore[arg-type]
            is_correction=number > 1,
            doc_number=document.get("number", "").strip(),
            doc_issued_on=self.date(document.get("issued_on"), f"{path}.document.issued_on"),
            doc_sealed=document.get("sealed", False),
            signatures=signatures,
            refusals=refusals,
        )

    def _device(self, serial: str, path: str) -> tuple[str, ...]:
        if serial not in self.devices:
            self.fail(path, _("Device “%(s)s” is not in devices.") % {"s": serial})
            return ()
        return self.devices[serial]

    def _recording(self, index: int, item: dict[str, Any], record_ids: set[str]) -> RecordingSnap:
        path = f"recordings[{index}]"
        capabilities = self._device(item["device"], f"{path}.device")
        started = self.time(item["started_at"], f"{path}.started_at")
        ended = self.time(item["ended_at"], f"{path}.ended_at")
        if started and ended and ended < started:
            self.fail(f"{path}.ended_at", _("A recording cannot end before it starts."))
        scenario = item.get("scenario", "")
        self._scenario(scenario, f"{path}.scenario")
        for j, ref in enumerate(item.get("records", [])):
            if ref not in record_ids:
                self.fail(f"{path}.records[{j}]", _("No record with id “%(r)s”.") % {"r": ref})
        values: dict[str, Any] = {
            name: self.time(item.get(name), f"{path}.{name}")
            if RECORDING_VALUES[name] == TIME
            else item.get(name, unsaid(name))
            for name in SNAPSHOT_VALUES
            if name not in REQUIRED
        }
        return RecordingSnap(
            ref=item["id"],
            device_serial=item["device"],
            started_at=started,  # type: ignore[arg-type]
            ended_at=ended,  # type: ignore[arg-type]
            device_capabilities=capabilities,
            officer_certs=tuple(
                self.cert(c, f"{path}.officers[{j}]")
                for j, c in enumerate(item.get("officers", []))
            ),
            record_refs=tuple(item.get("records", [])),
            evidence_notes=self._evidence_notes(path, item.get("evidence_notes", [])),
            **values,
        )

    def _scenario(self, scenario: str, path: str) -> None:
        if scenario and scenario not in {s.id for s in self.pack.audio_visual.scenarios}:
            self.fail(
                path,
                _("Unknown audio-visual scenario “%(s)s” in pack %(pack)s.")
                % {"s": scenario, "pack": self.pack.id},
            )

    def _evidence_notes(
        self, path: str, notes: list[dict[str, Any]]
    ) -> tuple[EvidenceNoteSnap, ...]:
        """The evidence notes of the recording at ``path``."""
        return tuple(
            EvidenceNoteSnap(
                taken_by=tuple(
                    self.cert(c, f"{path}.evidence_notes[{j}].taken_by[{k}]")
                    for k, c in enumerate(note["taken_by"])
                ),
                taken_at=self.time(note["taken_at"], f"{path}.evidence_notes[{j}].taken_at"),
                place=note["place"],
            )
            for j, note in enumerate(notes)
        )

    def _interruption(self, index: int, item: dict[str, Any]) -> InterruptionSnap:
        path = f"interruptions[{index}]"
        self._device(item["device"], f"{path}.device")
        started = self.time(item["started_at"], f"{path}.started_at")
        ended = self.time(item.get("ended_at"), f"{path}.ended_at")
        if started and ended and ended < started:
            self.fail(f"{path}.ended_at", _("Recording cannot resume before it stopped."))
        return InterruptionSnap(
            ref=item.get("id", f"i{index + 1}"),
            device_serial=item["device"],
            started_at=started,  # type: ignore[arg-type]
            ended_at=ended,
            reason=item["reason"],
            resumed=item.get("resumed", True),
            spoken_explanation=item.get("spoken_explanation", False),
            statement=item.get("statement", "").strip(),
            signer_certs=tuple(
                self.cert(c, f"{path}.signed_by[{j}]")
                for j, c in enumerate(item.get("signed_by", []))
            ),
            session=item.get("session", ""),
        )
