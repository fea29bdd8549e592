"""What an agency installs (``requirements.lock``) must hold every package the application
imports; the test environment has more (``requirements-dev.lock``), so a missing runtime
dependency would otherwise only show on a fresh ``make run``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imported when present, with a fallback when not (jsonschema's format checkers, Django's
# test utilities trying Jinja2, setuptools' start-up hook): their absence from an agency's
# install changes nothing.
OPTIONAL = {"rfc3339-validator", "jsonpointer", "jinja2", "markupsafe", "setuptools"}

# Run in a fresh interpreter, so only what the application itself loads is counted (not
# pytest, its plugins, or what other tests imported).
PROBE = """
import importlib, json, pkgutil, sys
from importlib.metadata import packages_distributions
import django
django.setup()
import quancheng
for module in pkgutil.walk_packages(quancheng.__path__, "quancheng."):
    parts = module.name.split(".")
    if "tests" in parts or "migrations" in parts:
        continue
    importlib.import_module(module.name)
owners = packages_distributions()
tops = {name.split(".")[0] for name in sys.modules} - set(sys.stdlib_module_names)
print(json.dumps(sorted({d for top in tops for d in owners.get(top, [])})))
"""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_package_the_application_imports_is_in_the_runtime_lock(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "quancheng.settings", "QUANCHENG_DATA_DIR": str(tmp_path)}
    out = subprocess.run(  # noqa: S603 - our own probe
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    imported = {_normalise(d) for d in json.loads(out.stdout.strip().splitlines()[-1])}
    text = (ROOT / "requirements.lock").read_text()
    locked = {_normalise(m) for m in re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)}
    missing = imported - locked - {"quancheng"} - OPTIONAL
    assert not missing, f"imported by the application but not in requirements.lock: {missing}"
