"""The README's two commands are the ones CI and users run."""

from __future__ import annotations

import re

from tests.helpers import REPO


def readme_commands() -> list[str]:
    section = (REPO / "README.md").read_text().split("## Try it", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]


def test_ci_runs_the_readme_test_command():
    run, test = readme_commands()
    assert "wsaudit audit examples/manifests" in run and "pip install -q ." in run
    assert "pytest" in test
    ci_lines = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci_lines[-1] == test
