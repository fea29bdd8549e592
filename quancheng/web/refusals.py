"""A refusal (403) in the log is one line: method, path, user, reason; not a traceback.

Django logs a ``PermissionDenied`` on ``django.request`` with the exception attached, so the
handler prints its whole traceback for what is a user's ordinary mistake. This filter, on that
logger (``LOGGING`` in settings), rewrites each 403 record into one line and drops the
exception. Other records pass unchanged: a 500 keeps its traceback.
"""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or getattr(record, "one_line", False):
            return True  # not a refusal, or done already (each logging set-up adds a filter)
        record.one_line = True
        request = getattr(record, "request", None)
        reason = ""
        if record.exc_info and record.exc_info[1] is not None:
            reason = str(record.exc_info[1]) or type(record.exc_info[1]).__name__
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        record.msg = "Forbidden: %s %s (user %s)%s"
        record.args = (
            getattr(request, "method", "-"),
            _escaped(getattr(request, "path", "-")),
            _escaped(who),
            f": {_escaped(reason)}" if reason else "",
        )
        record.exc_info = None
        record.exc_text = None
        return True


def _escaped(text: str) -> str:
    """One line whatever the path or name holds (as Django escapes the path it logs)."""
    return text.encode("unicode_escape").decode("ascii")
