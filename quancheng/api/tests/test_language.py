"""Error messages are translated when the request is answered, in the language it asks for.

The project's Chinese catalogue is collected later, so this test brings a small one of its
own: it proves the messages go through gettext per request (not once at import time)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

T = "2026-03-02T10:00:00+08:00"
CATALOGUE = {
    "": "Content-Type: text/plain; charset=UTF-8\n",
    "A time must carry its timezone.": "时间必须带时区。",
    "The request body is not valid JSON.": "请求正文不是有效的 JSON。",
    "“%(field)s” is required.": "“%(field)s”为必填项。",
    "No such case.": "没有这个案件。",
}


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU gettext .mo file (the format msgfmt writes), without a hash table."""
    keys = sorted(messages)
    ids = [k.encode() for k in keys]
    strs = [messages[k].encode() for k in keys]
    header = 7 * 4
    originals_at = header
    translations_at = originals_at + len(keys) * 8
    data_at = translations_at + len(keys) * 8
    table_o, table_t, blob = [], [], b""
    for text in ids:
        table_o.append((len(text), data_at + len(blob)))
        blob += text + b"\0"
    for text in strs:
        table_t.append((len(text), data_at + len(blob)))
        blob += text + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, len(keys), originals_at, translations_at, 0, 0)
    out += b"".join(struct.pack("<2I", *entry) for entry in table_o + table_t)
    path.parent.mkdir(parents=True)
    path.write_bytes(out + blob)


@pytest.fixture
def chinese(tmp_path, settings):
    write_mo(tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.mo", CATALOGUE)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]


def test_errors_in_the_requested_language(chinese, world, new_case, api):
    case = new_case()
    naive = {"kind": "ex_officio_start", "fields": {}, "occurred_at": "2026-03-02T10:00"}
    missing = {"kind": "ex_officio_start", "fields": {"source": "complaint"}, "occurred_at": T}
    path = f"/cases/{case.pk}/records"
    for lang, expected in (
        ("zh-hans", ["时间必须带时区。", "请求正文不是有效的 JSON。", "“启动原因”为必填项。"]),
        ("en", ["A time must carry its timezone.", "The request body is not valid JSON.", None]),
    ):
        answers = [
            api.post(world.officer, path, naive, lang=lang).json()["detail"],
            api.post(world.officer, path, raw="{", lang=lang).json()["detail"],
            api.post(world.officer, path, missing, lang=lang).json()["detail"],
        ]
        assert answers[:2] == expected[:2], lang
        assert answers[2] == (expected[2] or "“启动原因” is required.")
    assert api.get(world.other_officer, f"/cases/{case.pk}", lang="zh-hans").json() == {
        "detail": "没有这个案件。",
        "path": None,
    }
    # no Accept-Language: the default language, Simplified Chinese
    response = api.client.get(
        f"/api/v1/cases/{case.pk}",
        headers={"Authorization": f"Bearer {api.token(world.other_officer)}"},
    )
    assert response.json()["detail"] == "没有这个案件。"
