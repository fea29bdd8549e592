"""The ``Upload-Metadata`` header, and what its values say about the recording to be made.

The header is ``key base64(value),key2 base64(value2)``; the keys this server reads are
listed in ``docs/uploads.md``. Everything is checked when the upload is created, so a client
learns of a wrong device or case before it sends gigabytes, and checked again at completion.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from quancheng import bounds
from quancheng.agencies.models import Officer, User
from quancheng.agencies.roles import allowed, refusal
from quancheng.cases.models import Case, Record
from quancheng.devices.models import Device
from quancheng.media.actions import RecordingInput
from quancheng.media.models import Recording
from quancheng.policies.registry import get_pack
from quancheng.uploads.errors import UploadError

_KEY = re.compile(r"^[A-Za-z0-9_.\-]+$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_VALUE = 2000


def parse_metadata(header: str) -> dict[str, str]:
    """The decoded pairs of an ``Upload-Metadata`` header (values as UTF-8 text)."""
    result: dict[str, str] = {}
    for item in header.split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(" ")
        if len(parts) > 2 or not _KEY.match(parts[0]):
            raise UploadError(
                400,
                _("Upload-Metadata is malformed: “%(item)s”.") % {"item": item[:60]},
                "Upload-Metadata",
            )
        key = parts[0]
        if key in result:
            raise UploadError(
                400, _("Upload-Metadata names “%(key)s” twice.") % {"key": key}, f"metadata.{key}"
            )
        try:
            value = base64.b64decode(parts[1], validate=True).decode() if len(parts) == 2 else ""
        except (ValueError, UnicodeDecodeError):  # binascii.Error, or not ASCII at all
            raise UploadError(
                400,
                _("The value of “%(key)s” is not Base64-encoded UTF-8 text.") % {"key": key},
                f"metadata.{key}",
            ) from None
        if "\x00" in value:
            raise UploadError(400, bounds.nul_message(), f"metadata.{key}")
        if len(value) > MAX_VALUE:
            raise UploadError(
                400, _("At most %(n)s characters.") % {"n": MAX_VALUE}, f"metadata.{key}"
            )
        result[key] = value
    return result


def clean_filename(value: str) -> str:
    """A plain file name: no directory part, no control character, not empty."""
    name = value.strip()
    if not name:
        raise UploadError(400, _("The file name is missing."), "metadata.filename")
    if any(sep in name for sep in "/\\") or name in (".", ".."):
        raise UploadError(
            400, _("The file name must not contain path separators."), "metadata.filename"
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise UploadError(
            400, _("The file name must not contain control characters."), "metadata.filename"
        )
    if len(name) > 255:
        raise UploadError(400, _("At most %(n)s characters.") % {"n": 255}, "metadata.filename")
    return name


@dataclass
class Described:
    """What an upload's metadata says: the case, and the recording it will become."""

    case: Case
    recording: RecordingInput
    declared_sha256: str | None


def describe(user: User, meta: dict[str, str]) -> Described:
    """Check the metadata as ``user`` sends it and resolve case, device and officers.

    A case the user cannot read is "not found" (404), as in the API; one they read but may
    not change is 403; anything else wrong with the values is 422 with its path.
    """
    case = _case(user, meta)
    file_name = clean_filename(meta.get("filename") or meta.get("name") or "")
    device = _device(case, meta.get("device", ""))
    officers = _officers(user, case, meta)
    started_at = _time(meta, "started_at")
    ended_at = _time(meta, "ended_at")
    if ended_at < started_at:
        raise UploadError(422, _("A recording cannot end before it starts."), "metadata.ended_at")
    digest = (meta.get("sha256") or "").strip().lower() or None
    if digest is not None and not _HEX64.match(digest):
        raise UploadError(422, _("sha256 must be 64 hexadecimal digits."), "metadata.sha256")
    _check_scenario(case, meta.get("scenario", "").strip())
    data = RecordingInput(
        device=device,
        started_at=started_at,
        ended_at=ended_at,
        officers=officers,
        records=_records(case, meta.get("records", "")),
        file_name=file_name,
        sha256=digest or "",
        session=_text(meta, "session"),
        place=_text(meta, "place"),
        scenario=_text(meta, "scenario"),
        production_method=_text(meta, "production_method"),
        maker=_text(meta, "maker"),
        opening_statement=_bool(meta, "opening_statement"),
        device_checked=_bool(meta, "device_checked"),
        party_informed=_bool(meta, "party_informed"),
    )
    return Described(case=case, recording=data, declared_sha256=digest)


def _case(user: User, meta: dict[str, str]) -> Case:
    cases = Case.objects.visible_to(user).select_related("agency")
    if meta.get("case"):
        if not meta["case"].strip().isdigit():
            raise UploadError(422, _("Must be a whole number."), "metadata.case")
        case = cases.filter(pk=int(meta["case"])).first()
    elif meta.get("case_number"):
        case = cases.filter(
            number=meta["case_number"].strip(),
            agency__path__startswith=user.agency.enforcement_agency.path if user.agency else "-",
        ).first()
    else:
        raise UploadError(
            422, _("Name the case (metadata “case” or “case_number”)."), "metadata.case"
        )
    if case is None:
        raise UploadError(404, _("No such case."), "metadata.case")
    if not allowed(user, "upload.create", case=case):
        raise UploadError(403, refusal(user, "upload.create", case=case), "metadata.case")
    if case.is_closed:
        raise UploadError(
            422,
            _("Case %(number)s is closed; nothing more can be recorded.") % {"number": case.number},
            "metadata.case",
        )
    return case


def _check_scenario(case: Case, scenario: str) -> None:
    """A scenario, when named, is one of the audio-visual scenarios of the case's pack."""
    if not scenario:
        return
    known = [s.id for s in get_pack(case.pack_id).audio_visual.scenarios]
    if scenario not in known:
        raise UploadError(
            422,
            _("Unknown scenario “%(s)s”; the pack knows %(known)s.")
            % {"s": scenario, "known": ", ".join(known)},
            "metadata.scenario",
        )


def _device(case: Case, serial: str) -> Device:
    serial = serial.strip()
    if not serial:
        raise UploadError(
            422,
            _("Name the device that made the recording (its serial number)."),
            "metadata.device",
        )
    device = Device.objects.select_related("agency").filter(serial=serial).first()
    home = case.agency.enforcement_agency.pk
    if device is None or device.agency.enforcement_agency.pk != home:
        raise UploadError(
            422, _("Unknown device “%(serial)s”.") % {"serial": serial}, "metadata.device"
        )
    return device


def _officers(user: User, case: Case, meta: dict[str, str]) -> list[Officer]:
    """The officers named by certificate number, or the uploading officer by default."""
    raw = meta.get("officers", meta.get("officer"))
    if raw is None:
        officer = Officer.objects.filter(user=user).first()
        if officer is None or not officer.cert_no.strip():
            raise UploadError(
                422,
                _("Name the officer(s) who recorded by enforcement certificate number."),
                "metadata.officers",
            )
        return [officer]
    certs = [c.strip() for c in raw.split(",")]
    if not certs or any(not c for c in certs):
        raise UploadError(422, _("An officer needs a certificate number."), "metadata.officers")
    found = {
        o.cert_no: o for o in Officer.objects.select_related("agency").filter(cert_no__in=certs)
    }
    home = case.agency.enforcement_agency.path
    officers = []
    for index, cert in enumerate(certs):
        officer = found.get(cert)
        if officer is None or not officer.agency.path.startswith(home):
            raise UploadError(
                422,
                _("No officer with certificate number “%(cert)s” in this agency.") % {"cert": cert},
                f"metadata.officers.{index}",
            )
        officers.append(officer)
    return officers


def _time(meta: dict[str, str], key: str) -> dt.datetime:
    raw = meta.get(key, "").strip()
    if not raw:
        raise UploadError(422, _("This field is required."), f"metadata.{key}")
    value, problem = bounds.parse_moment(raw)
    if value is None:
        raise UploadError(422, problem or "", f"metadata.{key}")
    return value


def _text(meta: dict[str, str], key: str) -> str:
    """A label of the recording, bounded by its column."""
    value = meta.get(key, "").strip()
    limit = getattr(Recording._meta.get_field(key), "max_length", None)
    if limit is not None and len(value) > limit:
        raise UploadError(422, _("At most %(n)s characters.") % {"n": limit}, f"metadata.{key}")
    return value


def _bool(meta: dict[str, str], key: str) -> bool | None:
    raw = meta.get(key, "").strip().lower()
    if not raw:
        return None
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise UploadError(422, _("Must be true or false."), f"metadata.{key}")


def _records(case: Case, raw: str) -> list[Record]:
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if any(not part.isdigit() for part in ids):
        raise UploadError(422, _("Must be a whole number."), "metadata.records")
    found = {r.pk: r for r in Record.objects.filter(case=case, pk__in=[int(i) for i in ids])}
    for index, ident in enumerate(ids):
        if int(ident) not in found:
            raise UploadError(422, _("No such record in this case."), f"metadata.records.{index}")
    return [found[int(i)] for i in ids]
