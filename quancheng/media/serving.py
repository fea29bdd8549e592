"""How stored files reach a browser without ever becoming a page that runs script.

An upload is whatever its sender chose: ``evil.html`` or an SVG with a ``<script>``, served
inline from our origin, would run with the session of whoever opens it (a supervisor reads
every agency below). So a file is shown inline only if ffprobe found it to be audio, video
or a raster photo a browser plays as stored, and then with the type ffprobe's reading gives,
never one guessed from the file name or claimed by the client. Everything else is an
attachment of type ``application/octet-stream``.

Every media response also carries ``Content-Security-Policy: sandbox`` (opened on its own,
the file is in a unique origin with no script, no forms, no plugins) and
``X-Content-Type-Options: nosniff`` (the browser keeps the type we give).
"""

from __future__ import annotations

from typing import Any

from django.utils.http import content_disposition_header

from quancheng.media.probe import Kind, media_type

OCTET_STREAM = "application/octet-stream"
SANDBOX = "sandbox"

# What a browser plays or shows by itself and cannot run script in. Our own derivatives
# (proxy.mp4/.m4a, the JPEG thumbnail) are among them.
INLINE_TYPES = frozenset(
    {
        "video/mp4",
        "video/webm",
        "video/ogg",
        "audio/mp4",
        "audio/mpeg",
        "audio/aac",
        "audio/webm",
        "audio/ogg",
        "audio/wav",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
    }
)


def inline_type(info: Any) -> str | None:
    """The type to show ``info``'s original inline with (a ``MediaInfo`` or ``ProbeResult``),
    or ``None``: not read yet, not readable, or not something a browser plays as stored."""
    if info is None or not info.readable or not info.browser_playable:
        return None
    known = media_type(info)
    return known if known in INLINE_TYPES else None


def awaits_proxy(info: Any) -> bool:
    """Audio or video a browser cannot play as stored: a playable copy is being made."""
    return (
        info is not None
        and info.readable
        and info.kind in (Kind.VIDEO, Kind.AUDIO)
        and not info.browser_playable
    )


def served_type(content_type: str | None) -> str:
    """``content_type`` if it may be shown inline, else ``application/octet-stream``."""
    return content_type if content_type in INLINE_TYPES else OCTET_STREAM


def media_headers(content_type: str, filename: str) -> dict[str, str]:
    """The headers every response carrying a stored file's bytes gets: inline only for
    ``INLINE_TYPES``, an attachment otherwise; sandboxed and not sniffed either way."""
    attachment = content_type not in INLINE_TYPES
    disposition = content_disposition_header(attachment, filename)
    return {
        "Content-Disposition": disposition or ("attachment" if attachment else "inline"),
        "Content-Security-Policy": SANDBOX,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
