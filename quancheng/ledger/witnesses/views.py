"""``POST /api/v1/witness/add-checkpoint`` (C2SP tlog-witness). Public on purpose: the log's
signature on the checkpoint is the authentication, as the protocol says."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from quancheng.ledger.checkpoints.keys import KeyFileError
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.witnesses import witness
from quancheng.ledger.witnesses.protocol import MAX_BODY, SIZE_CONTENT_TYPE, size_body

_TEXT = "text/plain; charset=utf-8"


@csrf_exempt
@require_POST
def add_checkpoint(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return HttpResponse("request body too large\n", status=413, content_type=_TEXT)
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return HttpResponse("request body too large\n", status=413, content_type=_TEXT)
    actor = Actor(user=None, channel=Channel.API, remote_addr=request.META.get("REMOTE_ADDR"))
    try:
        line = witness.add_checkpoint(actor, body)
    except witness.Refusal as refusal:
        if refusal.status == 409 and refusal.size is not None:
            return HttpResponse(size_body(refusal.size), status=409, content_type=SIZE_CONTENT_TYPE)
        return HttpResponse(refusal.message + "\n", status=refusal.status, content_type=_TEXT)
    except KeyFileError as exc:
        return HttpResponse(str(exc) + "\n", status=503, content_type=_TEXT)
    return HttpResponse(line, content_type=_TEXT)
