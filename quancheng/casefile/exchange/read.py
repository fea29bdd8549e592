"""Reading a case exchange file, bounded before anything else looks at it: at most
QUANCHENG_EXCHANGE_MAX_BYTES bytes (never more is read), UTF-8, JSON nested at most
``MAX_DEPTH`` levels, numbers Python can convert, and every text without NUL and at most
QUANCHENG_MAX_TEXT characters (the JSON Schema bounds shorter columns). Every refusal is an
``InvalidCaseFile``, so the commands exit 2 with a message instead of a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from quancheng.casefile.exchange.parse import MAX_DEPTH, InvalidCaseFile, Problem


def max_bytes() -> int:
    return int(settings.QUANCHENG_EXCHANGE_MAX_BYTES)


def read_bytes(path: str | Path, stream: BinaryIO | None = None) -> bytes:
    """The bytes of the file (or of ``stream``): at most ``max_bytes()``, else refused
    without reading further (``/dev/zero`` is refused, not read to the end)."""
    limit = max_bytes()
    try:
        if stream is not None:
            data = stream.read(limit + 1)
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise InvalidCaseFile([Problem("", _("Cannot read the file: %(e)s") % {"e": exc})]) from exc
    if len(data) > limit:
        raise InvalidCaseFile(
            [
                Problem(
                    "",
                    _(
                        "The file is larger than %(n)s bytes "
                        "(QUANCHENG_EXCHANGE_MAX_BYTES); it is not read."
                    )
                    % {"n": limit},
                )
            ]
        )
    return data


def read_document(
    path: str | Path, text: str | None = None, *, stream: BinaryIO | None = None
) -> dict[str, Any]:
    """The JSON object in a file (``text`` when the caller already read it, or the bytes of
    ``stream``), bounded as the module says."""
    if text is None:
        try:
            text = read_bytes(path, stream).decode("utf-8")
        except UnicodeDecodeError as exc:
            message = _("Not UTF-8 text (byte %(at)d).") % {"at": exc.start}
            raise InvalidCaseFile([Problem("", message)]) from None
    elif len(text) > max_bytes():
        raise InvalidCaseFile([Problem("", _("The file is too large."))])
    data = _parse_json(text)
    if not isinstance(data, dict):
        raise InvalidCaseFile([Problem("", _("A case file must hold one JSON object."))])
    return data


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = _("line %(line)d, column %(col)d") % {"line": exc.lineno, "col": exc.colno}
        raise InvalidCaseFile(
            [Problem(where, _("Not valid JSON: %(e)s") % {"e": exc.msg})]
        ) from None
    except RecursionError:
        message = _("Nested more than %(n)d levels deep.") % {"n": MAX_DEPTH}
        raise InvalidCaseFile([Problem("", message)]) from None
    except ValueError:  # a number of more digits than Python converts (sys.int_info)
        message = _("Not valid JSON: a number with too many digits.")
        raise InvalidCaseFile([Problem("", message)]) from None
