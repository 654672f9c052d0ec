"""Reports built in-process the way ``wsaudit audit`` builds them, and the inputs they use."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

from auditor import __version__
from auditor.rules.batch import AuditSettings, audit_paths
from auditor.rules.baseline import Baseline, load_baseline
from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.report import ManifestResult, PackInfo, Report
from auditor.rules.packs import load_packs
from auditor.reporters import RenderOptions, renderer
from auditor.rules.waivers import WaiverSet, load_waivers
from auditor.manifest.file_reading import DEFAULT_MAX_BYTES

from tests.helpers import EXAMPLES, REPO

AS_OF = datetime.date(2026, 11, 21)
AS_OF_ARGS = ("--as-of", AS_OF.isoformat())
EXAMPLE_PATHS = [str(path.relative_to(REPO)) for path in sorted(EXAMPLES.glob("*.yaml"))]


def audit_results(paths: list[str], waivers: str | None = None, baseline: str | None = None
                  ) -> tuple[list[ManifestResult], WaiverSet, list]:
    packs = load_packs()
    settings = AuditSettings(tuple(packs), ScopeCatalog.load(), AS_OF, DEFAULT_MAX_BYTES)
    waiver_set = WaiverSet(load_waivers(waivers) if waivers else [], AS_OF)
    accepted = Baseline(load_baseline(baseline) if baseline else [])
    results = []
    for outcome in audit_paths(paths, settings, 1):
        assert isinstance(outcome, ManifestResult), outcome
        results.append(accepted.apply(waiver_set.apply(outcome)))
    return results, waiver_set, packs


def make_report(results: list[ManifestResult], waiver_set: WaiverSet | None = None, packs: list | None = None) -> Report:
    """A fresh report over ``results`` (a report's results can be iterated once)."""
    packs = load_packs() if packs is None else packs
    return Report.of(__version__, tuple(PackInfo(p.id, p.version, p.title, len(p.rules), p.source) for p in packs),
                     AS_OF.isoformat(), results, waiver_set.notes() if waiver_set else (),
                     rules=tuple(rule for pack in packs for rule in pack.rules))


def render(format_name: str, report: Report, verbose: bool = False) -> str:
    out = io.StringIO()
    renderer(format_name)(report, out, RenderOptions(verbose=verbose))
    return out.getvalue()


def write_review_files(folder: Path) -> tuple[str, str]:
    """A waiver file (one waiver in force, one expired, one matching nothing) and a baseline
    accepting one failure, over the examples: together they give every status."""
    waivers = folder / "waivers.yaml"
    waivers.write_text(
        "waivers_version: 1\n"
        "waivers:\n"
        "  - rule: WUD-SC-004\n"
        "    manifest: examples/manifests/calendar-connector.yaml\n"
        "    pointer: /scopes/0\n"
        "    reason: Calendar sync needs calendars and events <together> | reviewed\n"
        "    approved_by: privacy@example.com\n"
        "    expires: 2027-03-31\n"
        "  - rule: WUD-SE-011\n"
        "    manifest: examples/manifests/calendar-connector.yaml\n"
        "    reason: Migration to KMS is planned.\n"
        "    approved_by: security@example.com\n"
        "    expires: 2026-01-31\n"
        "  - rule: WUD-HA-001\n"
        "    manifest: examples/manifests/nowhere.yaml\n"
        "    reason: Left over from an old review.\n"
        "    approved_by: security@example.com\n"
        "    expires: 2027-01-31\n",
        encoding="utf-8",
    )
    baseline = folder / "baseline.json"
    baseline.write_text(json.dumps({
        "baseline_version": 1,
        "tool": {"name": "wsaudit", "version": __version__},
        "findings": [baseline_record("examples/manifests/room-booking-service.yaml", "WUD-HA-002")],
    }), encoding="utf-8")
    return str(waivers), str(baseline)


def baseline_record(manifest: str, rule_id: str) -> dict:
    results, _, _ = audit_results([manifest])
    [finding] = [f for f in results[0].findings if f.rule_id == rule_id and f.status == "fail"]
    return {"rule_id": rule_id, "manifest": manifest, "pointer": finding.pointer, "fingerprint": finding.fingerprint}


# A manifest whose free-text fields try every way out of their context: HTML tags and
# attributes, a table cell break, a Markdown image that would load a URL, a link with a
# script URL, and the end of a <details> block.
HOSTILE_MANIFEST = """\
manifest_version: 1
app:
  name: "<script>window.pwned = 1</script> | ![x](http://127.0.0.1:9/name.png)"
  developer: "</td><td>Evil</td> onerror=alert(1)"
  type: web
  description: "<img src=x onerror=\\"window.pwned = 2\\"> and **bold** _under_ `code`"
  homepage_url: "javascript://example.com/%0Awindow.pwned=3"
  privacy_policy_url: "http://127.0.0.1:9/privacy"
scopes:
  - scope: gmail.readonly
    justification: "a | b | c </td></tr></table><script>window.pwned = 4</script>"
    requested: at_sign_in
    features: ["</details><script>window.pwned = 5</script>", "![x](http://127.0.0.1:9/feature.png)"]
data:
  - id: bodies
    description: "![tracker](http://127.0.0.1:9/data.png) [click](javascript:window.pwned=6) <b onmouseover=alert(1)>x</b>"
    source_scopes: [gmail.readonly]
    purposes: [advertising]
storage:
  - id: db
    data: [bodies]
    location: own_systems
    encryption_at_rest: {enabled: false}
    region: "<svg onload=alert(1)>"
transfers:
  - id: sink
    recipient: "</td></tr><script>window.pwned = 7</script> | ![x](http://127.0.0.1:9/recipient.png)"
    recipient_type: data_broker
    data: [bodies]
    purpose: sale
human_access:
  - role: "<img src=x onerror=alert(1)>|role"
    data: [bodies]
    basis: none
"""

# Strings that must reach a reader as text, exactly as written: the app's name and a
# recipient (both in every report, the recipient through finding messages) and the
# developer (shown by the HTML report's identity section).
HOSTILE_NAME = "<script>window.pwned = 1</script> | ![x](http://127.0.0.1:9/name.png)"
HOSTILE_RECIPIENT = "</td></tr><script>window.pwned = 7</script> | ![x](http://127.0.0.1:9/recipient.png)"
HOSTILE_DEVELOPER = "</td><td>Evil</td> onerror=alert(1)"
