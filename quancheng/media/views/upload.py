"""The page that uploads a recording of a case from the browser, resumably (tus, through
``static/web/tus-upload.js`` and ``/api/v1/uploads/``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from quancheng.agencies.models import Officer
from quancheng.agencies.requests import signed_in_user
from quancheng.cases.access import get_case_for_user, require_write
from quancheng.devices.choices import DeviceStatus
from quancheng.devices.models import Device
from quancheng.policies.labels import label
from quancheng.policies.registry import get_pack


@login_required
@require_GET
def recording_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk)
    require_write(request, case, "upload.create")
    home = case.agency.enforcement_agency
    devices = Device.objects.filter(agency__path__startswith=home.path).exclude(
        status=DeviceStatus.RETIRED
    )
    officers = Officer.objects.filter(agency__path__startswith=home.path).exclude(cert_no="")
    own = (
        Officer.objects.filter(user=signed_in_user(request))
        .values_list("cert_no", flat=True)
        .first()
    )
    pack = get_pack(case.pack_id)
    now = timezone.localtime()
    offset = now.strftime("%z")
    return render(
        request,
        "media/recording_upload.html",
        {
            "case": case,
            "devices": devices,
            "officers": officers,
            "own_cert": own,
            "scenarios": [(s.id, label(s)) for s in pack.audio_visual.scenarios],
            "endpoint": reverse("uploads:collection"),
            "utc_offset": f"{offset[:3]}:{offset[3:]}",
            "max_size": settings.QUANCHENG_UPLOAD_MAX_SIZE,
        },
    )
