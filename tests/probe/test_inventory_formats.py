"""A domain inventory is a report like any other: every registered format renders an empty
and a full one from the same Report, the Markdown section keeps to its share of a comment,
and the apps' names, which come from third parties, stay inert text."""

from __future__ import annotations

import datetime
import io
import json
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from auditor import __version__
from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.report import ManifestResult, PackInfo, Report
from auditor.manifest.load import load_manifest
from auditor.probe.evidence import judge_grants, load_probe_pack
from auditor.probe.inventory_model import AppReport, DomainInventory, FailedUser, GrantedScope
from auditor.reporters import FORMATS, RenderOptions, renderer
from auditor.reporters.markdown import COMMENT_LIMIT, size

from tests.probe.support import CLIENT_ID, MANIFEST

AS_OF = datetime.date(2026, 11, 21)
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
DRIVE = "https://www.googleapis.com/auth/drive"
HOSTILE_NAME = "Drive <b>Thing</b> \x1b[2J\u202e @someone"


def domain_report(inventory: DomainInventory) -> Report:
    pack = load_probe_pack()
    results = [ManifestResult(app.manifest, app.app_name or "", app.drift) for app in inventory.apps if app.reviewed]
    return Report.of(__version__, (PackInfo(pack.id, pack.version, pack.title, len(pack.rules), pack.source),),
                     AS_OF.isoformat(), results, rules=pack.rules, domain_inventory=inventory)


def empty_inventory() -> DomainInventory:
    return DomainInventory(apps=(), users_listed=0, users_scanned=0, users_gone=0, complete=True)


@pytest.fixture
def full_inventory(write) -> DomainInventory:
    """Two apps, one reviewed with drift and one unreviewed with a hostile name, and a user
    whose lookup failed."""
    manifest = load_manifest(str(write("manifests/mail.yaml", MANIFEST)))
    catalog = ScopeCatalog.load()
    users = {GMAIL_MODIFY: 2, GMAIL_READONLY: 7, "openid": 7}
    drift = tuple(judge_grants(manifest, users, load_probe_pack(), catalog, AS_OF, users=users))
    mail = AppReport(CLIENT_ID, "Mail Helper", 7, tuple(GrantedScope(scope, catalog.classify(scope) or "unknown", count)
                                                        for scope, count in users.items()),
                     manifest.path, manifest.app_name, drift)
    drive = AppReport("222-drivething.apps.googleusercontent.com", HOSTILE_NAME, 3,
                      (GrantedScope(DRIVE, "restricted", 3),), None, None, ())
    return DomainInventory(apps=(mail, drive), users_listed=11, users_scanned=10, users_gone=1, complete=False,
                           failed_users=(FailedUser("u9", "user9@corp.example", "answered HTTP 403: Backend Error"),))


def render(format_name: str, report: Report) -> str:
    out = io.StringIO()
    renderer(format_name)(report, out, RenderOptions())
    return out.getvalue()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):  # noqa: D401 - HTMLParser's interface
        self.tags.append((tag, dict(attrs)))


def check_document(format_name: str, text: str) -> None:
    """Proof that ``text`` is a well-formed document of its format."""
    assert text.endswith("\n")
    if format_name in ("json", "sarif"):
        json.loads(text)
    elif format_name == "junit":
        assert ElementTree.fromstring(text.encode("utf-8")).tag == "testsuites"
    elif format_name == "html":
        parser = _Tags()
        parser.feed(text)
        assert ("section", {"class": "panel", "id": "domain-inventory", "aria-labelledby": "domain-inventory-title"}) \
            in parser.tags
    elif format_name == "markdown":
        assert text.splitlines()[0].startswith(("❌", "⚠️", "✅")) and "### Domain inventory" in text
    elif format_name == "text":
        assert text.startswith("Domain inventory (")


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_every_format_renders_an_empty_and_a_full_inventory(format_name, full_inventory):
    empty = render(format_name, domain_report(empty_inventory()))
    check_document(format_name, empty)
    full = render(format_name, domain_report(full_inventory))
    check_document(format_name, full)
    assert len(full) > len(empty) and "WUD-PR-001" in full
    assert render(format_name, domain_report(full_inventory)) == full
    assert "\x1b" not in full and "\u202e" not in full


def test_json_adds_the_inventory_next_to_the_findings(full_inventory):
    report = json.loads(render("json", domain_report(full_inventory)))
    inventory = report["inventory"]
    assert (inventory["complete"], inventory["interrupted"], inventory["stopped_by"]) == (False, False, None)
    assert inventory["users"] == {"listed": 11, "scanned": 10, "gone": 1, "failed": 1}
    assert inventory["failed_users"] == [{"id": "u9", "email": "user9@corp.example",
                                          "reason": "answered HTTP 403: Backend Error"}]
    mail, drive = inventory["apps"]
    assert (mail["review"], drive["review"], drive["display_name"]) == ("reviewed", "unreviewed", HOSTILE_NAME)
    # The drift of an app is the report's findings about its manifest, the same objects.
    assert mail["drift"] == report["findings"] and report["manifests"] == [{"app": "Mail Helper",
                                                                            "path": mail["manifest"]}]
    assert inventory["summary"] == {"apps": 2, "unreviewed": 1, "with_restricted_scopes": 2,
                                    "unreviewed_with_restricted_scopes": 1,
                                    "drift_fail_by_severity": report["summary"]["fail_by_severity"]}


def test_text_markdown_and_html_show_the_apps_as_inert_text(full_inventory):
    report = domain_report(full_inventory)
    text = render("text", report)
    assert "Drive <b>Thing</b> \\x1b[2J\\u202e @someone  [client 222-drivething" in text
    assert "INCOMPLETE: 10 of 11 listed users scanned; the token lookup failed for 1 user" in text
    assert "1 user disappeared between listing and lookup" in text
    markdown = render("markdown", domain_report(full_inventory))
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "apps.googleusercontent.com" in line]
    assert len(rows) == 2 and "Drive &lt;b&gt;Thing&lt;/b&gt;" in rows[1] and "`@someone`" in rows[1]
    assert "- user9@corp.example: answered HTTP 403: Backend Error" in markdown
    html = render("html", domain_report(full_inventory))
    parser = _Tags()
    parser.feed(html)
    assert "b" not in {tag for tag, _ in parser.tags} and "<bdi>Drive &lt;b&gt;Thing&lt;/b&gt;" in html


def test_the_markdown_inventory_keeps_to_its_share_of_a_comment():
    apps = tuple(AppReport(f"{index:05d}-app.apps.googleusercontent.com", "An app with a long name " * 8, 5000 - index,
                           (GrantedScope(DRIVE, "restricted", 1), GrantedScope(GMAIL_READONLY, "restricted", 1)),
                           None, None, ()) for index in range(5000))
    inventory = DomainInventory(apps=apps, users_listed=9000, users_scanned=9000, users_gone=0, complete=True,
                                failed_users=tuple(FailedUser(f"u{n}", f"user{n}@corp.example", "x" * 5000)
                                                   for n in range(40)))
    markdown = render("markdown", domain_report(inventory))
    assert size(markdown) < COMMENT_LIMIT
    shown = sum(1 for line in markdown.splitlines() if "-app.apps.googleusercontent.com" in line)
    assert 10 < shown < 5000
    assert f"… and {5000 - shown} more apps, left out for length; the JSON report lists every one." in markdown
    assert "- … and 20 more (the JSON report names every one)" in markdown
