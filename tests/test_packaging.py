"""A plain (non-editable) install carries the data folders and finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=REPO, check=True, capture_output=True, timeout=300,
    )
    [built] = out.glob("workspace_auditor-*.whl")
    return built


def test_wheel_contains_policies_templates_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted(REPO.joinpath("policies").rglob("*")):
        if path.is_file():
            assert f"auditor/_data/policies/{path.relative_to(REPO / 'policies').as_posix()}" in names
    for path in sorted(REPO.joinpath("reports", "templates").rglob("*")):
        if path.is_file():
            assert f"auditor/_data/templates/{path.relative_to(REPO / 'reports' / 'templates').as_posix()}" in names
    for path in sorted(REPO.joinpath("reports", "i18n").rglob("*.yaml")):
        assert f"auditor/_data/report-i18n/{path.name}" in names
    assert "auditor/_data/policies/scope-catalog.json" in names
    assert "auditor/schemas/manifest-v1.schema.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "wsaudit = auditor.cli.main:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_finds_its_data_outside_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    probe = (
        "import auditor.resources as r, auditor.catalog.scope_catalog as c;"
        "print(r.policies_dir()); print(r.templates_dir()); print(len(c.ScopeCatalog.load()))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    completed = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    policies, templates, count = completed.stdout.split()
    assert Path(policies) == target / "auditor" / "_data" / "policies"
    assert Path(templates) == target / "auditor" / "_data" / "templates"
    assert int(count) > 100
