"""``wsaudit probe --domain``: the per-app inventory over a simulated Directory, with paging,
retries, failures, interruption, a terminal progress bar, and 10,000 users."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

from auditor.reporters import FORMATS

from tests.helpers import REPO, default_ctrl_c
from tests.probe.support import (
    ADMIN,
    CLIENT_ID,
    MANIFEST,
    SA_EMAIL,
    assert_no_secret,
    closed_port,
    safe_env,
    service_account_file,
)
from tests.probe.fake_google import DIRECTORY_SCOPES, fault

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
DRIVE = "https://www.googleapis.com/auth/drive"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
DRIVE_CLIENT = "222-drivething.apps.googleusercontent.com"
CALENDAR_CLIENT = "333-calendarpeek.apps.googleusercontent.com"


def grants(index: int) -> list[dict]:
    """Every third user uses Mail Helper (every 300th with an undeclared scope), every fifth
    an unreviewed Drive app, every seventh a calendar app; user 1 adds oddities."""
    items: list[dict] = []
    if index % 3 == 0:
        scopes = [GMAIL_READONLY, "openid"] + ([GMAIL_MODIFY] if index % 100 == 0 else [])
        items.append({"clientId": CLIENT_ID, "displayText": "Mail Helper", "scopes": scopes,
                      "nativeApp": False, "anonymous": False})
    if index % 5 == 0:
        items.append({"clientId": DRIVE_CLIENT, "displayText": "Drive Thing", "scopes": [DRIVE],
                      "nativeApp": "false", "anonymous": "false"})
    if index % 7 == 0:
        items.append({"clientId": CALENDAR_CLIENT, "displayText": "Calendar \x1b[2JPeek", "scopes": [CALENDAR_READONLY]})
    if index == 1:
        items += [{"displayText": "no client id"}, "not an object",
                  {"clientId": CALENDAR_CLIENT, "displayText": "Calendar \x1b[2JPeek", "scopes": [CALENDAR_READONLY]},
                  {"clientId": CALENDAR_CLIENT, "displayText": "Calendar \x1b[2JPeek", "scopes": ["openid"]}]
    return items


def admin_token(google) -> str:
    return google.issue_token(" ".join(sorted(DIRECTORY_SCOPES)), "admin-client", ADMIN)


def domain_args(google, *extra: str) -> tuple[str, ...]:
    return ("--domain", "--access-token-env", "ADMIN_TOKEN", "--admin-api-url", google.url, *extra)


def manifests_folder(write) -> str:
    write("manifests/mail-helper.yaml", MANIFEST)
    write("manifests/unrelated.yaml", MANIFEST.replace(CLIENT_ID, "444-unused.apps.googleusercontent.com"))
    return str(write("manifests/mail-helper.yaml", MANIFEST).parent)


def test_inventory_reports_each_app_with_its_manifest_and_drift(google, probe, write):
    google.add_users(1203, grants)
    folder = manifests_folder(write)
    run = probe(*domain_args(google, "--manifests", folder, "--format", "json", "-o", str(probe.out / "inv.json"),
                             "--format", "text", "-o", str(probe.out / "inv.txt")),
                env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 1, run.stderr  # the undeclared gmail.modify is critical drift
    assert run.stderr == "" and run.stdout == ""  # no progress bar off a terminal
    report = run.report("inv.json")["inventory"]
    assert report["complete"] is True and report["users"] == {"listed": 1203, "scanned": 1203, "gone": 0, "failed": 0}
    assert report["failed_users"] == []
    apps = {app["client_id"]: app for app in report["apps"]}
    assert [app["client_id"] for app in report["apps"]] == [CLIENT_ID, DRIVE_CLIENT, CALENDAR_CLIENT]  # by users

    mail = apps[CLIENT_ID]
    assert (mail["users"], mail["display_name"], mail["review"]) == (401, "Mail Helper", "reviewed")
    assert mail["manifest"].endswith("manifests/mail-helper.yaml") and mail["app"] == "Mail Helper"
    assert {s["scope"]: (s["classification"], s["users"]) for s in mail["scopes"]} == {
        GMAIL_MODIFY: ("restricted", 5), GMAIL_READONLY: ("restricted", 401), "openid": ("non_sensitive", 401)}
    assert mail["restricted_scopes"] == [GMAIL_MODIFY, GMAIL_READONLY]
    drift = {(f["rule_id"], f["status"]): f for f in mail["drift"]}
    assert "5 users granted restricted scope " + GMAIL_MODIFY in drift["WUD-PR-001", "fail"]["message"]
    assert drift["WUD-PR-001", "fail"]["severity"] == "critical"
    assert "no user of the domain has granted it" in drift["WUD-PR-002", "fail"]["message"]
    assert drift["WUD-PR-004", "pass"]["clause"] == "SC-2"

    drive = apps[DRIVE_CLIENT]
    assert (drive["users"], drive["review"], drive["manifest"], drive["drift"]) == (241, "unreviewed", None, [])
    assert drive["restricted_scopes"] == [DRIVE]
    calendar = apps[CALENDAR_CLIENT]
    assert calendar["users"] == 173  # user 1's two tokens for one app count once; malformed items are skipped
    assert {s["scope"]: s["users"] for s in calendar["scopes"]} == {CALENDAR_READONLY: 173, "openid": 1}
    assert report["summary"]["unreviewed_with_restricted_scopes"] == 1

    text = run.reports["inv.txt"]
    assert "no manifest: unreviewed app" in text and "Mail Helper  [client " + CLIENT_ID + "]" in text
    assert "\x1b" not in text and "Calendar \\x1b[2JPeek" in text  # third-party names cannot drive the terminal
    assert f"restricted scopes: {DRIVE}" in text
    # Users were listed in three pages, each lookup by user id, the token only in a header.
    assert google.counts["users"] == 3 and google.counts["user_tokens"] == 1203
    assert sum("pageToken=after-" in line for line in google.request_lines) == 2


def test_one_inventory_is_written_in_every_report_format(google, probe, write, open_page):
    google.add_users(60, grants)
    folder = manifests_folder(write)
    targets = [arg for name in sorted(FORMATS) for arg in ("--format", name, "-o", str(probe.out / f"inv.{name}"))]
    run = probe(*domain_args(google, "--manifests", folder, *targets), env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 1, run.stderr  # user 0 granted the undeclared gmail.modify: critical drift
    assert google.counts["users"] == 1 and google.counts["user_tokens"] == 60  # one inventory, six renderings
    reports = run.reports

    document = json.loads(reports["inv.json"])
    assert [app["display_name"] for app in document["inventory"]["apps"]] == [
        "Mail Helper", "Drive Thing", "Calendar \x1b[2JPeek"]
    undeclared = [f for f in document["findings"] if (f["rule_id"], f["status"]) == ("WUD-PR-001", "fail")]
    assert [f["message"] for f in undeclared] == [f"1 user granted restricted scope {GMAIL_MODIFY}, which the manifest "
                                                  "does not declare"]
    assert [p["id"] for p in document["policies"]] == ["wsaudit-live-probe"]
    assert document["summary"]["fail_by_severity"]["critical"] == 1

    sarif = json.loads(reports["inv.sarif"])
    [sarif_run] = sarif["runs"]
    assert sorted(rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]) == [
        "WUD-PR-001", "WUD-PR-002", "WUD-PR-003", "WUD-PR-004"]
    assert "WUD-PR-001" in {result["ruleId"] for result in sarif_run["results"]}

    junit = ElementTree.fromstring(reports["inv.junit"].encode("utf-8"))
    failed_cases = [case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None]
    assert any(name.startswith("WUD-PR-001 ") for name in failed_cases)

    text = reports["inv.text"]
    assert text.startswith("Domain inventory (complete: 60 users scanned)\n3 third-party apps: 2 unreviewed")
    assert "CRITICAL  WUD-PR-001" in text and "\x1b" not in text

    markdown = reports["inv.markdown"]
    app_rows = [line for line in markdown.splitlines() if line.startswith("| ") and ".apps.googleusercontent.com |" in line]
    assert len(app_rows) == 3 and "no manifest: unreviewed app" in app_rows[1]
    assert "| fail | critical | WUD-PR-001 |" in markdown

    html = probe.out / "inv.html"
    opened = open_page(html)
    rows = opened.page.locator("#domain-inventory table tbody tr")
    assert rows.count() == 3 and "Calendar \\x1b[2JPeek" in rows.nth(2).inner_text()
    assert opened.console_errors == [] and opened.requests == [html.resolve().as_uri()]


def test_inventory_fail_on_and_deterministic_output(google, probe, write):
    google.add_users(60, grants)
    folder = manifests_folder(write)
    env = {"ADMIN_TOKEN": admin_token(google)}
    first = probe(*domain_args(google, "--manifests", folder, "--format", "json", "--fail-on", "never",
                               "--concurrency", "3"), env=env)
    second = probe(*domain_args(google, "--manifests", folder, "--format", "json", "--fail-on", "never",
                                "--concurrency", "7"), env=env)
    assert first.code == second.code == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout


def test_inventory_retries_429_and_5xx(google, probe, write):
    google.add_users(700, grants)
    google.queue("users", fault(429, retry_after="1"))
    google.queue("user_tokens", fault(500), fault(503), fault(429, retry_after="0"), fault(502))
    run = probe(*domain_args(google, "--format", "json", "--log-requests"), env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 0, run.stderr[-2000:]
    report = json.loads(run.stdout)["inventory"]
    assert report["complete"] is True and report["users"]["scanned"] == 700
    assert google.counts["users"] == 3 and google.counts["user_tokens"] == 704
    assert run.stderr.count("retrying in") == 5
    assert run.seconds >= 1.0


def failing_users(google) -> dict[str, str]:
    """21 of the users fail for good, in every way a lookup can: 5xx after every retry,
    refusals, malformed and oversized answers. User email → what the reason must say."""
    plan = {}
    for number, index in enumerate(range(37, 2000, 95)):
        key, email = google.users[index]
        kind = number % 5
        if kind == 0:
            google.user_faults[key], plan[email] = fault(500), "answered HTTP 500 after 5 attempts: Backend Error"
        elif kind == 1:
            google.user_faults[key], plan[email] = fault(403), "answered HTTP 403: Backend Error"
        elif kind == 2:
            google.user_faults[key], plan[email] = fault(400, body={"error": {"message": "Invalid Input: userKey"}}), \
                "answered HTTP 400: Invalid Input: userKey"
        elif kind == 3:
            google.user_faults[key], plan[email] = fault(malformed=True), "answered HTTP 200 with malformed JSON"
        else:
            google.user_faults[key], plan[email] = fault(body={"items": "x" * (17 * 1024 * 1024)}), \
                "answered with more than 16 MiB"
    return plan


def test_users_whose_lookup_fails_are_listed_and_the_rest_is_scanned(google, probe, write):
    google.add_users(2000, grants)
    plan = failing_users(google)
    assert len(plan) == 21
    run = probe(*domain_args(google, "--format", "json", "-o", str(probe.out / "inv.json"), "--format", "text",
                             "-o", str(probe.out / "inv.txt"), "--format", "markdown", "-o", str(probe.out / "inv.md"),
                             "--concurrency", "8"),
                env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "the token lookup failed for 21 of 2000 listed users" in line and "covers 1979 of 2000" in line
    assert line.startswith(f"{google.url}/admin/directory/v1/users: error: ")
    report = run.report("inv.json")["inventory"]
    assert report["complete"] is False and report["interrupted"] is False and report["stopped_by"] is None
    assert report["users"] == {"listed": 2000, "scanned": 1979, "gone": 0, "failed": 21}
    failed = report["failed_users"]
    assert [user["email"] for user in failed] == sorted(plan)  # every one, in order
    for user in failed:
        assert plan[user["email"]] in user["reason"], user
        assert user["id"] == "u" + user["email"][len("user"):].split("@")[0]
    # The users after the failures were scanned: every third user holds Mail Helper.
    failed_indexes = {int(user["id"][1:]) for user in failed}
    mail = next(app for app in report["apps"] if app["client_id"] == CLIENT_ID)
    assert mail["users"] == sum(1 for index in range(2000) if index % 3 == 0 and index not in failed_indexes)
    assert "the token lookup failed for 21 users (the JSON report names them)" in run.reports["inv.txt"]
    markdown = run.reports["inv.md"]
    assert "**incomplete**: 1979 of 2000 listed users scanned; the token lookup failed for 21 users" in markdown
    assert "- … and 1 more (the JSON report names every one)" in markdown  # 20 are listed
    # Only the 500s were retried: 5 users, 4 more attempts each.
    assert google.counts["user_tokens"] == 2000 + 5 * 4


def test_many_failures_in_a_row_stop_the_run(google, probe, write):
    google.add_users(400, grants)
    for key, _email in google.users[100:]:
        google.user_faults[key] = fault(403)
    run = probe(*domain_args(google, "--format", "json", "--concurrency", "4"),
                env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 3, run.stderr
    report = json.loads(run.stdout)["inventory"]
    assert "user lookups in a row failed, so the run stopped" in report["stopped_by"]
    assert report["users"]["scanned"] == 100 and 50 <= report["users"]["failed"] < 100
    assert google.counts["user_tokens"] < 300
    assert "in a row failed" in run.stderr


def test_vanished_user_is_counted_not_fatal(google, probe, write):
    google.add_users(30, grants)
    google.fault_hook = lambda route, number: (
        fault(404, body={"error": {"code": 404, "message": "Resource Not Found: userKey"}})
        if route == "user_tokens" and number == 5 else None)
    run = probe(*domain_args(google, "--format", "json"), env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["inventory"]["users"] == {"listed": 30, "scanned": 30, "gone": 1, "failed": 0}


def test_directory_refusal_and_unreachable_admin_api_exit_3(google, probe, write):
    google.add_users(10, grants)
    not_admin = google.issue_token("openid", "admin-client", "someone@corp.example")
    run = probe(*domain_args(google), env={"ADMIN_TOKEN": not_admin})
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "the Directory API answered HTTP 403: Not Authorized to access this resource/api" in line
    assert "domain-wide delegation" in line
    dead = f"http://127.0.0.1:{closed_port()}"
    run = probe("--domain", "--access-token-env", "ADMIN_TOKEN", "--admin-api-url", dead,
                env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 3 and "cannot reach the Directory API: connection refused" in run.stderr, run.stderr
    assert "covers 0 of 0 listed users" in run.stderr


def test_domain_with_a_delegated_service_account(google, probe, write, rsa_key):
    google.add_users(40, grants)
    credentials = service_account_file(google, write, rsa_key)
    google.service_accounts[SA_EMAIL].delegated[ADMIN] = set(DIRECTORY_SCOPES)
    run = probe("--domain", "--credentials", str(credentials), "--subject", ADMIN, "--admin-api-url", google.url,
                "--format", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["inventory"]["users"]["scanned"] == 40
    assert google.counts["token"] == 1
    # Without delegation for that admin, the token endpoint refuses.
    run = probe("--domain", "--credentials", str(credentials), "--subject", "intern@corp.example",
                "--admin-api-url", google.url)
    assert run.code == 3 and "unauthorized_client" in run.stderr, run.stderr


def test_domain_usage_errors_exit_2(google, probe, write):
    folder = manifests_folder(write)
    env = {"ADMIN_TOKEN": admin_token(google)}
    two_formats = probe(*domain_args(google, "--format", "json", "--format", "sarif"), env=env)
    assert two_formats.code == 2 and "need as many -o/--output" in two_formats.stderr, two_formats.stderr
    result = probe(*domain_args(google), str(write("m.yaml", MANIFEST)), env=env)
    assert result.code == 2, result.stderr
    write("manifests/copy.yaml", MANIFEST)  # claims the same client id as mail-helper.yaml
    run = probe(*domain_args(google, "--manifests", folder), env=env)
    assert run.code == 2 and f"client id {CLIENT_ID} is also claimed by" in run.stderr, run.stderr
    assert google.counts["users"] == 0


def test_ten_thousand_users(google, probe, write, capsys):
    """The inventory scale target: 10,000 users, every lookup answered after 5 ms."""
    google.add_users(10_000, grants)
    google.latency["user_tokens"] = 0.005
    concurrency = 16
    run = probe(*domain_args(google, "--manifests", manifests_folder(write), "--format", "json",
                             "-o", str(probe.out / "big.json"), "--concurrency", str(concurrency)),
                env={"ADMIN_TOKEN": admin_token(google)})
    assert run.code == 1, run.stderr  # the critical drift of Mail Helper
    report = run.report("big.json")["inventory"]
    assert report["complete"] is True and report["users"]["scanned"] == 10_000
    users = {app["client_id"]: app["users"] for app in report["apps"]}
    assert users == {CLIENT_ID: 3334, DRIVE_CLIENT: 2000, CALENDAR_CLIENT: 1430}  # user 1 too
    assert google.counts["users"] == 20 and google.counts["user_tokens"] == 10_000
    assert google.max_in_flight <= concurrency
    # Lookups overlap: serial ones would each find only itself in flight (1.0 on average). How
    # many more overlap depends on the machine: both ends' CPU, not the 5 ms, limits them here
    # (about 3 on two cores), so the bound is what serial lookups can never reach.
    average = google.in_flight_at_start / google.counts["user_tokens"]
    assert average >= 1.5, f"{average:.1f} lookups in flight on average, at most {google.max_in_flight}"
    with capsys.disabled():
        print(f"\n[inventory] 10000 users in {run.seconds:.1f} s; --concurrency {concurrency}, "
              f"{average:.1f} token lookups in flight on average, at most {google.max_in_flight}")


def test_interruption_writes_a_partial_inventory(google, probe, write, tmp_path):
    google.add_users(5000, grants)
    google.latency["user_tokens"] = 0.01
    token = admin_token(google)
    output = probe.out / "interrupted.json"
    command = [sys.executable, "-m", "auditor", "probe", *domain_args(google, "--format", "json", "-o", str(output),
                                                                      "--format", "html", "-o", str(probe.out / "i.html"),
                                                                      "--concurrency", "4")]
    process = subprocess.Popen(command, cwd=REPO, env=safe_env(probe.home, {"ADMIN_TOKEN": token}),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=default_ctrl_c)
    deadline = time.monotonic() + 30
    while google.counts["user_tokens"] < 200 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr.decode()
    [line] = stderr.decode().splitlines()
    assert line.startswith("error: interrupted; the inventory written covers")
    report = json.loads(output.read_text())["inventory"]
    assert report["complete"] is False and report["interrupted"] is True and report["stopped_by"] == "interrupted"
    scanned = report["users"]["scanned"]
    assert 200 <= scanned < 5000
    # Every counted user was scanned in full: the app tallies agree with the users scanned.
    mail = next(app for app in report["apps"] if app["client_id"] == CLIENT_ID)
    assert mail["users"] <= scanned
    html = (probe.out / "i.html").read_text()
    assert f"Incomplete (interrupted): {scanned} of {report['users']['listed']} listed users scanned" in html
    assert_no_secret([stdout.decode(), stderr.decode(), output.read_text(), html], probe.secrets())


def on_terminal(google, probe, token: str, *extra: str) -> tuple[int, str]:
    """Run the inventory with stderr on a pseudo-terminal; return the exit code and what was drawn."""
    command = [sys.executable, "-m", "auditor", "probe", *domain_args(google, "--format", "json",
                                                                      "-o", str(probe.out / "p.json"), *extra)]
    primary, secondary = pty.openpty()
    process = subprocess.Popen(command, cwd=REPO, env=safe_env(probe.home, {"ADMIN_TOKEN": token}),
                               stdout=subprocess.PIPE, stderr=secondary)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(primary)
    drawn = b"".join(chunks).decode()
    assert_no_secret([drawn], probe.secrets())
    return process.returncode, drawn


def test_progress_bar_only_on_a_terminal(google, probe, write):
    google.add_users(800, grants)
    google.latency["user_tokens"] = 0.004
    token = admin_token(google)
    code, drawn = on_terminal(google, probe, token)
    assert code == 0
    assert "/800 users" in drawn and "\r" in drawn and drawn.endswith("\r\x1b[K")  # cleared at the end
    code, drawn = on_terminal(google, probe, token, "--no-progress")
    assert code == 0 and drawn == ""
    # Off a terminal nothing is drawn.
    assert probe(*domain_args(google, "--format", "json"), env={"ADMIN_TOKEN": token}).stderr == ""
