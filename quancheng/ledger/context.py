"""Who is acting, and from where: passed to every action so the ledger can say so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quancheng.ledger.choices import Channel

if TYPE_CHECKING:
    from django.http import HttpRequest

    from quancheng.agencies.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    channel: str
    remote_addr: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest, channel: str = Channel.WEB) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, channel=channel, remote_addr=request.META.get("REMOTE_ADDR"))

    @classmethod
    def system(cls, channel: str = Channel.SYSTEM, user: User | None = None) -> Actor:
        return cls(user=user, channel=channel)

    @property
    def label(self) -> str:
        if self.user is None:
            return f"[{self.channel}]"
        return self.user.get_username()
