"""The example app under examples/least-privilege: its README states the least privilege the scan finds."""

from __future__ import annotations

import json
import re

from tests.helpers import REPO, run_wsaudit

EXAMPLE = REPO / "examples" / "least-privilege"


def _section(name: str) -> str:
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    return re.search(f"<!-- expected-{name} -->(.*?)<!-- /expected-{name} -->", readme, re.S).group(1)


def test_the_readme_states_what_the_scan_finds():
    result = run_wsaudit("scan-code", str(EXAMPLE), "--manifest", str(EXAMPLE / "app.wsaudit.yaml"), "--format", "json")
    assert result.code == 0, result.stderr
    least = json.loads(result.stdout)["least_privilege"]
    assert least["needed"] == re.findall(r"^- `([^`]+)`", _section("needed"), re.M)
    stated = re.findall(r"^- `([^`]+)` → `([^`]+)`", _section("broader"), re.M)
    assert [(item["scope"], ", ".join(item["instead"])) for item in least["broader_than_needed"]] == stated
    assert least["unauthorized_calls"] == [] and least["unresolved"] == []
    assert {call["file"].split("/")[0] for call in least["calls"]} == {"python", "node", "apps-script"}
