"""The ``quancheng`` command: Django's management commands under friendlier names."""

from __future__ import annotations

import os
import sys

# Commands whose natural name is a Python keyword or clashes with Django's own.
ALIASES = {"import": "import_case", "export": "export_case", "check": "check_case"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quancheng.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "verify-proof":
        # checks a proof bundle with no database and without loading Django, in the language
        # a command speaks: settings.LANGUAGE_CODE, from QUANCHENG_LANGUAGE (default zh-hans)
        from quancheng.ledger.portable import language_for
        from quancheng.ledger.portable import main as verify_proof

        language = language_for(os.environ.get("QUANCHENG_LANGUAGE"))
        sys.exit(verify_proof(args[2:], language=language))
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["quancheng", *args[1:]])


if __name__ == "__main__":
    main()
