"""``quancheng token create USERNAME [--name N]`` / ``token revoke ID|PREFIX`` / ``token list``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quancheng.agencies.models import User
from quancheng.api.actions import create_token, revoke_token
from quancheng.api.models import ApiToken
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel


class Command(BaseCommand):
    help = "Create, list and revoke API tokens. A new token is printed once and not stored."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token for a user and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        revoke = sub.add_parser("revoke", help="revoke a token by its id or its prefix")
        revoke.add_argument("token", help="the id, or the prefix shown by 'token list'")
        listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("username", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system(Channel.CLI)
        try:
            if options["action"] == "create":
                user = User.objects.filter(username=options["username"]).first()
                if user is None:
                    raise CommandError(f"no user {options['username']!r}")
                token, raw = create_token(actor, user, options["name"])
                self.stderr.write(
                    f"Token {token.pk} for {user.username}; shown once, keep it safe:"
                )
                self.stdout.write(raw)
            elif options["action"] == "revoke":
                token = _find(options["token"])
                revoke_token(actor, token)
                self.stdout.write(f"revoked token {token.pk} ({token.prefix}…)")
            else:
                tokens = ApiToken.objects.select_related("user").order_by("id")
                if options["username"]:
                    tokens = tokens.filter(user__username=options["username"])
                for t in tokens:
                    state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
                    used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
                    self.stdout.write(
                        f"{t.pk}\t{t.prefix}…\t{t.user.username}\t{t.name}\t{state}\tused {used}"
                    )
        except ActionError as exc:
            raise CommandError(str(exc)) from None


def _find(ident: str) -> ApiToken:
    tokens = ApiToken.objects.filter(pk=int(ident)) if ident.isdigit() else ApiToken.objects.none()
    if not tokens:
        tokens = ApiToken.objects.filter(prefix__startswith=ident) if len(ident) >= 6 else tokens
    found = list(tokens[:2])
    if len(found) != 1:
        raise CommandError(f"no single token matches {ident!r}")
    return found[0]
