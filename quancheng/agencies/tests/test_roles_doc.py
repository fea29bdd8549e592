"""docs/roles.md is the table of agencies/roles.py, generated; it cannot drift."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from quancheng.agencies.roles import ACTION_ROLES
from quancheng.agencies.roles_doc import DOC_PATH, roles_markdown


def test_docs_roles_md_is_the_generated_table():
    assert DOC_PATH.read_text(encoding="utf-8") == roles_markdown(), (
        "docs/roles.md is out of date: run `quancheng roles --write`"
    )


def test_every_action_is_in_the_doc_with_its_basis():
    text = roles_markdown()
    for action, rule in ACTION_ROLES.items():
        assert f"| `{action}` |" in text
        assert rule.basis in text


def test_the_command_prints_the_table():
    out = StringIO()
    call_command("roles", stdout=out)
    assert out.getvalue() == roles_markdown()
