"""A pack that fails validation is refused with its file, the key path and the problem; an
unknown pack id is refused by name; a broken pack stops start-up."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from quancheng.policies.registry import (
    PackError,
    UnknownPack,
    all_packs,
    get_pack,
    load_pack_file,
    load_packs,
)

PACKS_DIR = Path(settings.QUANCHENG_PACK_DIRS[0])
ANHUI = yaml.safe_load((PACKS_DIR / "anhui.yaml").read_text(encoding="utf-8"))


def kind(data: dict, kind_id: str) -> dict:
    return next(k for k in data["record_kinds"] if k["id"] == kind_id)


def write(tmp_path: Path, data: object, name: str = "anhui") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_packs_load():
    packs = all_packs()
    assert {"anhui", "hebei-street"} <= set(packs)
    hebei = get_pack("hebei-street")
    assert hebei.source_file == "001_07fc1937d021d127.txt"
    assert hebei.signatures.refusal.min_officer_signatures == 2
    assert hebei.archive.deadline.amount == 30


BROKEN: list[tuple[str, Callable[[dict], None], str, str]] = [
    (
        "unknown key in a record kind",
        lambda d: kind(d, "inquiry").update(colour="red"),
        "record_kinds[5 inquiry].colour",
        "Extra inputs are not permitted",
    ),
    (
        "unknown top-level key",
        lambda d: d.update(deadlines={}),
        "deadlines",
        "Extra inputs are not permitted",
    ),
    (
        "unknown stage",
        lambda d: kind(d, "acceptance").update(stage="hearing_stage"),
        "record_kinds[3 acceptance].stage",
        "unknown stage 'hearing_stage'",
    ),
    (
        "requirement naming an unknown kind",
        lambda d: d["requirements"][3].update(kinds=["credentials"]),
        "requirements[3 investigation.credentials].kinds[0]",
        "unknown record kind 'credentials'",
    ),
    (
        "scenario waiting for an activity nobody produces",
        lambda d: d["audio_visual"]["scenarios"][1].update(activities=["premises"]),
        "audio_visual.scenarios[1 case_premises].activities",
        "no record kind produces activity 'premises'",
    ),
    (
        "stage id twice",
        lambda d: d["stages"].append(copy.deepcopy(d["stages"][0])),
        "stages[5 initiation].id",
        "appears twice",
    ),
    (
        "wrong type: amount",
        lambda d: d["audio_visual"]["upload_deadline"].update(amount="twenty-four"),
        "audio_visual.upload_deadline.amount",
        "valid integer",
    ),
    (
        "wrong type: unit",
        lambda d: d["archive"]["deadline"].update(unit="weeks"),
        "archive.deadline.unit",
        "'hours', 'days' or 'working_days'",
    ),
    (
        "wrong type: a list where a mapping belongs",
        lambda d: d.update(signatures=["party"]),
        "signatures",
        "valid dictionary",
    ),
    (
        "wrong type: field type",
        lambda d: kind(d, "inquiry")["fields"][0].update(type="string"),
        "record_kinds[5 inquiry].fields[0 interviewee].type",
        "Input should be",
    ),
    (
        "bad citation",
        lambda d: d["scope"].update(citation="Article 2"),
        "scope.citation",
        "must look like '§7'",
    ),
    (
        "choice field without choices",
        lambda d: kind(d, "ex_officio_start")["fields"][0].pop("choices"),
        "record_kinds[0 ex_officio_start].fields[0 source]",
        "needs choices",
    ),
    (
        "missing required key",
        lambda d: d.pop("scope"),
        "scope",
        "Field required",
    ),
]


@pytest.mark.parametrize(("_name", "breaks", "key", "problem"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_pack_names_file_key_and_problem(tmp_path, _name, breaks, key, problem):
    data = copy.deepcopy(ANHUI)
    assert load_pack_file(write(tmp_path, data)).id == "anhui"
    breaks(data)
    path = write(tmp_path, data)
    with pytest.raises(PackError) as err:
        load_pack_file(path)
    lines = str(err.value).splitlines()
    assert any(line.startswith(f"{path}: {key}: ") and problem in line for line in lines), lines


def test_id_must_match_the_file_name(tmp_path):
    path = write(tmp_path, ANHUI, name="zhejiang")
    with pytest.raises(PackError, match=r"zhejiang\.yaml: id: 'anhui' must match the file name"):
        load_pack_file(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("id: anhui\nstages: [\n", "cannot read pack"), ("- anhui\n", "must be a mapping")],
)
def test_unreadable_pack_names_the_file(tmp_path, text, problem):
    path = tmp_path / "anhui.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match=problem) as err:
        load_pack_file(path)
    assert str(err.value).startswith(str(path))


def test_same_pack_twice_is_refused(tmp_path):
    write(tmp_path, ANHUI)
    with pytest.raises(PackError, match="'anhui' is defined twice"):
        load_packs([PACKS_DIR, tmp_path])


def test_unknown_pack_id():
    with pytest.raises(UnknownPack) as err:
        get_pack("zhejiang")
    assert err.value.pack_id == "zhejiang"


def test_unknown_pack_for_an_agency_is_refused(db):
    from conftest import SYSTEM
    from quancheng.agencies.actions import create_agency
    from quancheng.errors import ActionError

    with pytest.raises(ActionError) as err:
        create_agency(SYSTEM, code="zj", name="浙江某局", level="agency", pack_id="zhejiang")
    assert err.value.path == "pack_id"


def test_a_broken_pack_stops_start_up(tmp_path):
    data = copy.deepcopy(ANHUI)
    data["id"] = "broken"
    kind(data, "acceptance")["stage"] = "nowhere"
    path = write(tmp_path, data, name="broken")
    env = {**os.environ, "QUANCHENG_EXTRA_PACK_DIRS": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "quancheng.cli", "calendar", "show", "2026"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert f"{path}: record_kinds[3 acceptance].stage: " in result.stderr
    assert "unknown stage 'nowhere'" in result.stderr
