"""Speaking tus to the server through Django's test client, as a persona with a token."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from django.test import Client

from quancheng.api.actions import create_token
from quancheng.devices.actions import register_device
from quancheng.ledger.public import Actor

BASE = "/api/v1/uploads/"
OCTETS = "application/offset+octet-stream"


def encode(meta: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())


class Tus:
    def __init__(self) -> None:
        self.client = Client()
        self.tokens: dict[int, str] = {}

    def headers(self, user: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Tus-Resumable": "1.0.0", "Accept-Language": "en"}
        if user is not None:
            if user.pk not in self.tokens:
                self.tokens[user.pk] = create_token(Actor.system(), user, "tests")[1]
            headers["Authorization"] = f"Bearer {self.tokens[user.pk]}"
        headers.update(extra or {})
        return headers

    def create(self, user: Any, length: int, meta: dict[str, str], **extra: str) -> Any:
        headers = self.headers(
            user, {"Upload-Length": str(length), "Upload-Metadata": encode(meta)}
        )
        headers.update(extra)
        return self.client.generic("POST", BASE, headers=headers)

    def head(self, user: Any, url: str, **extra: str) -> Any:
        return self.client.head(url, headers=self.headers(user, extra))

    def patch(self, user: Any, url: str, offset: int, data: bytes, **extra: str) -> Any:
        headers = self.headers(user, {"Upload-Offset": str(offset), "Content-Type": OCTETS})
        headers.update(extra)
        return self.client.generic("PATCH", url, data=data, content_type=OCTETS, headers=headers)

    def delete(self, user: Any, url: str) -> Any:
        return self.client.delete(url, headers=self.headers(user))


@pytest.fixture
def tus() -> Tus:
    return Tus()


@pytest.fixture
def device(world) -> Any:
    return register_device(Actor.system(), world.a, serial="DSJ-A-001", kind="body_camera")


@pytest.fixture
def meta(new_case, device) -> dict[str, str]:
    """Metadata for a recording of a fresh case of agency A by its officer."""
    case = new_case()
    return {
        "filename": "DSJ-A-001_20260302_0900.mp4",
        "filetype": "video/mp4",
        "case": str(case.pk),
        "device": device.serial,
        "officers": "AH-0001",
        "started_at": "2026-03-02T09:00:00+08:00",
        "ended_at": "2026-03-02T09:20:00+08:00",
        "scenario": "liberty_life_property",
        "place": "合肥市蜀山区某路1号",
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
