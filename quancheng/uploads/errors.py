"""An upload request refused: an HTTP status, a message in the user's language, and the
path of the offending value (``metadata.device``, ``Upload-Offset``) as the API gives it."""

from __future__ import annotations


class UploadError(Exception):
    def __init__(self, status: int, message: str, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.path = path
        self.headers: dict[str, str] = {}

    def __str__(self) -> str:
        return f"{self.status} {self.path}: {self.message}" if self.path else self.message
