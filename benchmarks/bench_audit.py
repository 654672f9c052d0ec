"""Throughput benchmark: audit N synthetic manifests and compare with parsing them alone.

    python benchmarks/bench_audit.py            # 10,000 manifests
    python benchmarks/bench_audit.py -n 2000 --keep out/

It generates N varied manifests (deterministic, seeded), then measures:

* PyYAML's C loader alone parsing every file (the baseline);
* ``wsaudit audit DIR --format json -o report.json`` end to end, as a user runs it:
  wall time, manifests per second, and peak memory of the whole process tree;
* the ratio of the two;
* one example manifest audited end to end, and ``wsaudit --help`` start-up (medians).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SCOPES = [
    "gmail.readonly", "gmail.send", "gmail.labels", "gmail.modify", "gmail.metadata", "gmail.compose",
    "https://mail.google.com/", "drive", "drive.file", "drive.readonly", "drive.appdata", "drive.metadata.readonly",
    "calendar", "calendar.events", "calendar.readonly", "calendar.app.created", "chat.messages",
    "chat.messages.readonly", "chat.spaces.readonly", "contacts.readonly", "directory.readonly",
    "spreadsheets", "documents.readonly", "tasks", "admin.directory.user.readonly", "gmail.settings.basic",
    "meetings.space.readonly", "forms.body.readonly", "classroom.courses.readonly", "gmail.insert",
    "drive.activity.readonly", "keep.readonly", "script.external_request", "calendar.events.readonly",
]
API_OF = {"gmail": "gmail", "mail.google.com": "gmail", "drive": "drive", "chat": "chat", "meetings": "meet"}
PURPOSES = ["user_facing_feature", "security", "legal_compliance", "personalized_model", "aggregated_analytics",
            "advertising"]
LOCATIONS = ["own_systems", "cloud_provider", "third_party", "portable_device", "end_user_device", "google_workspace"]


def _maybe(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def synthetic_manifest(index: int, rng: random.Random) -> str:
    scopes = rng.sample(SCOPES, rng.randint(2, 7)) + ["openid"]
    apis = sorted({API_OF.get(scope.split(".")[0].replace("https://", "").rstrip("/"), "") for scope in scopes} - {""})
    lines = [
        "# yaml-language-server: $schema=../../auditor/schemas/manifest-v1.schema.json",
        "manifest_version: 1",
        "app:",
        f"  name: Synthetic App {index}",
        f"  developer: Example Developer {index % 97} Ltd",
        f"  type: {rng.choice(['web', 'mobile', 'installed', 'workspace_addon', 'chat_app', 'service'])}",
        f"  description: A generated app used to measure audit throughput, number {index}.",
        f"  privacy_policy_url: {'https' if _maybe(rng, 0.9) else 'http'}://app{index}.example/privacy",
    ]
    if _maybe(rng, 0.7):
        lines += [
            "  limited_use_statement:",
            f"    url: https://app{index}.example/privacy#limited-use",
            "    text: >-",
            "      The use of information received from Workspace APIs will adhere to the Google",
            "      User Data Policy, including the Limited Use requirements.",
        ]
    if _maybe(rng, 0.8):
        lines.append(f"  data_deletion_docs_url: https://app{index}.example/help/delete")
    if apis:
        lines.append("use_cases:")
        for api in apis:
            use_case = rng.choice({"gmail": ["productivity", "email_client", "reporting"],
                                   "drive": ["sync_backup", "productivity"],
                                   "chat": ["messaging_client", "productivity"],
                                   "meet": ["media_processing", "reporting"]}[api])
            lines += [f"  - api: {api}", f"    use_case: {use_case}",
                      f"    description: The {api} feature of app {index}.",
                      f"    user_facing: {str(_maybe(rng, 0.9)).lower()}"]
    lines.append("scopes:")
    for scope in scopes:
        lines.append(f"  - scope: {scope}")
        if scope != "openid" and _maybe(rng, 0.85):
            lines.append(f"    justification: Needed by the {scope} feature that users open from the sidebar.")
        if _maybe(rng, 0.4):
            lines.append("    narrower_rejected_because: The narrower scope lacks the fields the feature shows.")
        if scope != "openid":
            lines.append(f"    requested: {rng.choice(['incremental', 'incremental', 'at_sign_in'])}")
            lines.append(f"    features: [feature-{rng.randint(1, 9)}]")
    if _maybe(rng, 0.7):
        lines += ["auth:", "  flow: authorization_code", "  incremental_auth: true", "  token_storage:",
                  "    location: cloud_provider", f"    encrypted: {str(_maybe(rng, 0.9)).lower()}",
                  f"    key_management: {rng.choice(['kms', 'hsm', 'application'])}"]
    if _maybe(rng, 0.75):
        lines += ["disclosure:", "  in_product: true", f"  placement: {rng.choice(['in_app', 'separate_dialog', 'settings_menu'])}",
                  "  shown_in_normal_usage: true", "  identifies_app: true", "  describes_data_types: true",
                  f"  describes_usage: {str(_maybe(rng, 0.9)).lower()}", "  describes_sharing: true",
                  "  bundled_with_unrelated: false"]
    if _maybe(rng, 0.7):
        lines += ["consent:", "  immediately_follows_disclosure: true",
                  f"  affirmative_action: {rng.choice(['button', 'checkbox', 'tap', 'none'])}",
                  "  navigation_away_counts_as_consent: false", "  auto_dismissing: false",
                  "  collection_before_consent: false"]
    data_ids = []
    lines.append("data:")
    for number in range(rng.randint(1, 5)):
        ident = f"element-{number}"
        data_ids.append(ident)
        sources = rng.sample([s for s in scopes if s != "openid"] or ["openid"], 1)
        purposes = rng.sample(PURPOSES[:4], rng.randint(1, 2))
        if _maybe(rng, 0.05):
            purposes.append(rng.choice(PURPOSES[4:]))
        lines += [f"  - id: {ident}", f"    description: Data element {number} that the app derives for its users.",
                  f"    source_scopes: [{', '.join(sources)}]", f"    categories: [{rng.choice(['email_content', 'file_metadata', 'calendar_events', 'other'])}]",
                  f"    purposes: [{', '.join(purposes)}]"]
    lines.append("storage:")
    for number in range(rng.randint(1, 3)):
        encrypted = str(_maybe(rng, 0.9)).lower()
        lines += [f"  - id: store-{number}", f"    data: [{', '.join(rng.sample(data_ids, rng.randint(1, len(data_ids))))}]",
                  f"    location: {rng.choice(LOCATIONS)}", "    encryption_at_rest:", f"      enabled: {encrypted}",
                  "      algorithm: AES-256-GCM", f"      key_management: {rng.choice(['kms', 'hsm', 'application'])}",
                  f"    retention: {rng.choice(['P30D', 'P1Y', 'until_user_deletes', 'indefinite'])}",
                  f"    region: {rng.choice(['EU', 'US', 'APAC'])}"]
    transfers = rng.randint(0, 3)
    lines.append("transfers:" if transfers else "transfers: []")
    for number in range(transfers):
        lines += [f"  - id: transfer-{number}", f"    recipient: Provider {number}",
                  f"    recipient_type: {rng.choice(['service_provider', 'service_provider', 'affiliate', 'data_broker'])}",
                  f"    data: [{rng.choice(data_ids)}]",
                  f"    purpose: {rng.choice(['provide_feature', 'provide_feature', 'security', 'advertising'])}",
                  f"    user_consent: {str(_maybe(rng, 0.8)).lower()}",
                  f"    transport: {{protocol: {rng.choice(['https', 'https', 'tls', 'http'])}, tls_min_version: \"{rng.choice(['1.2', '1.3', '1.0'])}\"}}",
                  f"    network: {rng.choice(['external', 'internal'])}"]
    if _maybe(rng, 0.6):
        lines += ["human_access:", "  - role: support", f"    data: [{data_ids[0]}]",
                  f"    basis: {rng.choice(['explicit_user_consent', 'security', 'none'])}", "    consent_documented: true"]
    lines += ["security:", f"  casa: {{completed: {str(_maybe(rng, 0.8)).lower()}, tier: 2, date: 2026-0{rng.randint(1, 9)}-15, letter_of_assessment: true}}",
              f"  isms: {rng.choice(['iso27001', 'soc2', 'none'])}", "  owasp_top10_reviewed: true",
              "  incident_response: {notifies_google: true, contact: security@example.com}",
              f"  https_only: {str(_maybe(rng, 0.9)).lower()}"]
    return "\n".join(lines) + "\n"


def generate(folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        path = folder / f"app-{index:05d}.yaml"
        path.write_text(synthetic_manifest(index, rng), encoding="utf-8")
        paths.append(path)
    return paths


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_measured(command: list[str]) -> tuple[float, int, int]:
    """Wall time, peak memory of the process tree (KiB) and exit code of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        sys.stderr.write(stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"audit failed with exit code {process.returncode}")
    return elapsed, peak, process.returncode


def median_wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--count", type=int, default=10_000, help="manifests to generate (default 10000)")
    parser.add_argument("--seed", type=int, default=1121)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--jobs", type=int, help="passed to wsaudit audit --jobs")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="wsaudit-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        paths = generate(folder, args.count, args.seed)
        size = sum(path.stat().st_size for path in paths)

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        started = time.perf_counter()
        for path in paths:
            with open(path, encoding="utf-8") as handle:
                yaml.load(handle.read(), Loader=loader)
        parse_seconds = time.perf_counter() - started

        report = folder / "report.json"
        command = [sys.executable, "-m", "auditor", "audit", str(folder), "--format", "json", "-o", str(report),
                   "--as-of", "2026-11-21"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        audit_seconds, peak_kib, _code = run_measured(command)
        with open(report, encoding="utf-8") as handle:
            findings = len(json.load(handle)["findings"])

        example = [sys.executable, "-m", "auditor", "audit", "examples/manifests/inbox-digest.yaml", "--format", "json"]
        one_file = median_wall(example, 7)
        help_time = median_wall([sys.executable, "-m", "auditor", "--help"], 7)

        rows = [
            ("manifests", f"{args.count:,} ({size / 1e6:.1f} MB, {findings:,} findings)"),
            ("PyYAML C loader alone", f"{parse_seconds:.2f} s"),
            ("wsaudit audit --format json", f"{audit_seconds:.2f} s ({args.count / audit_seconds:,.0f} manifests/s)"),
            ("ratio audit / parse", f"{audit_seconds / parse_seconds:.2f} (target <= 3)"),
            ("peak memory (process tree)", f"{peak_kib / 1024:.0f} MiB (target < 300)"),
            ("one example, end to end", f"{one_file * 1000:.0f} ms (target < 500)"),
            ("wsaudit --help", f"{help_time * 1000:.0f} ms (target < 300)"),
            ("cores", str(os.cpu_count())),
        ]
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            print(f"{name:<{width}}  {value}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
