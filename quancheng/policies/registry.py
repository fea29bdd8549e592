"""Loading policy packs from their YAML files, and looking them up by id."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from django.conf import settings
from pydantic import ValidationError

from quancheng.policies.references import PackReferenceError
from quancheng.policies.schema import Pack


class PackError(Exception):
    """A pack file that cannot be used; the message names the file, the key and the problem."""


class UnknownPack(LookupError):
    """No pack with that id is installed."""

    def __init__(self, pack_id: str) -> None:
        super().__init__(pack_id)
        self.pack_id = pack_id


def load_pack_file(path: Path) -> Pack:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"{path}: cannot read pack: {exc}") from exc
    if not isinstance(data, dict):
        raise PackError(f"{path}: a pack must be a mapping at the top level")
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        raise PackError(_describe(path, exc, data)) from exc
    if pack.id != path.stem:
        raise PackError(f"{path}: id: {pack.id!r} must match the file name {path.stem!r}")
    return pack


def _describe(path: Path, exc: ValidationError, data: object) -> str:
    lines = []
    for error in exc.errors():
        loc, message = error["loc"], error["msg"]
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, PackReferenceError):
            # A cross-reference is checked on the whole pack; the error knows its own key.
            loc, message = (*loc, *cause.loc), str(cause)
        key = _key_path(loc, data) or "(top level)"
        lines.append(f"{path}: {key}: {message}")
    return "\n".join(lines)


def _key_path(loc: tuple[int | str, ...], data: object) -> str:
    """``record_kinds[6 inquiry].fields[2]``: list positions with the item's id where it has one."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1] += f"[{part} {ident}]" if ident else f"[{part}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts)


def load_packs(directories: Iterable[Path]) -> dict[str, Pack]:
    packs: dict[str, Pack] = {}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.yaml")):
            pack = load_pack_file(path)
            if pack.id in packs:
                raise PackError(f"{path}: id: pack {pack.id!r} is defined twice")
            packs[pack.id] = pack
    return packs


_packs: dict[str, Pack] | None = None


def all_packs() -> dict[str, Pack]:
    global _packs
    if _packs is None:
        _packs = load_packs(settings.QUANCHENG_PACK_DIRS)
    return _packs


def get_pack(pack_id: str) -> Pack:
    try:
        return all_packs()[pack_id]
    except KeyError:
        raise UnknownPack(pack_id) from None


def pack_choices() -> list[tuple[str, str]]:
    return [(pack.id, pack.title) for pack in all_packs().values()]
