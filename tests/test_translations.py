"""The Simplified Chinese catalog is complete: every message translated, none fuzzy, none
missing from the code's current strings, and the compiled catalog matches the source.

After adding strings, run ``scripts/messages`` and translate what it adds.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

PACKAGE = Path(__file__).resolve().parent.parent / "quancheng"
CATALOG = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


@dataclass
class Entry:
    msgid: str = ""
    plural: str | None = None
    context: str | None = None
    strings: dict[str, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)


def read_catalog(path: Path) -> list[Entry]:
    """The entries of a PO file (header excluded, obsolete ``#~`` entries ignored)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, parts, key = Entry(), {}, ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry.fuzzy = True
            elif match := _LINE.match(line):
                key = match.group(1)
                parts[key] = [match.group(2)]
            elif line.startswith('"') and key:
                parts[key].append(line)
        text = {k: "".join(ast.literal_eval(s) for s in v) for k, v in parts.items()}
        if "msgid" not in text:
            continue
        entry.msgid, entry.plural = text["msgid"], text.get("msgid_plural")
        entry.context = text.get("msgctxt")
        entry.strings = {k: v for k, v in text.items() if k.startswith("msgstr")}
        if entry.msgid:
            entries.append(entry)
        elif entry.fuzzy:
            pytest.fail(f"{path}: the header is marked fuzzy")
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = read_catalog(CATALOG)
    assert len(entries) > 300
    untranslated = [e.msgid for e in entries if not all(e.strings.values()) or not e.strings]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert not untranslated, f"untranslated in {CATALOG.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {CATALOG.name}: {fuzzy}"


def test_the_compiled_catalog_is_the_current_one():
    """Django serves the ``.mo`` that scripts/bootstrap compiles from the ``.po``."""
    stale = []
    with translation.override("zh-hans"):
        for entry in read_catalog(CATALOG):
            expected = entry.strings.get("msgstr") or entry.strings.get("msgstr[0]")
            if entry.plural is not None:
                got = translation.ngettext(entry.msgid, entry.plural, 1)
            elif entry.context is not None:
                got = translation.pgettext(entry.context, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            if got != expected:
                stale.append(entry.msgid)
    assert not stale, f"run scripts/bootstrap to compile the catalog; stale: {stale[:5]}"


def test_makemessages_would_add_nothing(tmp_path):
    """Every translatable string in the code is in the catalog (makemessages is run on a
    copy, so the real catalog is left alone)."""
    copy = tmp_path / "quancheng"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (tmp_path / "messages_settings.py").write_text(
        "from quancheng.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "messages_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PACKAGE.parent)]),
        "QUANCHENG_SECRET_KEY": "makemessages",
        "QUANCHENG_DATA_DIR": str(tmp_path / "var"),
    }
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    known = {e.key for e in read_catalog(CATALOG)}
    regenerated = read_catalog(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    new = sorted(e.msgid for e in regenerated if e.key not in known)
    assert not new, f"not in the catalog yet (run scripts/messages and translate): {new}"
