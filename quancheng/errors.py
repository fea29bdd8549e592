"""The error every action raises for a request its rules refuse (the base of the layers:
it imports nothing of Quancheng)."""

from __future__ import annotations


class ActionError(Exception):
    """A request the rules refuse. Nothing has been written when it is raised."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message
