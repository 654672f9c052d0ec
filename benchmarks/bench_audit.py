"""Throughput benchmark: audit N synthetic manifests and compare with parsing them alone.

    python benchmarks/bench_audit.py                 # 10,000 manifests, 3 rounds
    python benchmarks/bench_audit.py -n 2000 --repeat 5 --keep out/
    python benchmarks/bench_audit.py --instructions  # and instruction counts (valgrind)

It generates N varied manifests (deterministic, seeded), then measures, CPU for CPU:

* two floors, each run with as many processes as the audit uses and the same chunking:
  PyYAML's C ``compose`` (the node tree with positions, which the auditor needs) and
  PyYAML's C ``load`` (plain data), every file read and parsed;
* ``wsaudit audit DIR --format json -o report.json`` end to end, as a user runs it.

The three runs are interleaved and repeated; each figure is the median of its rounds. CPU is
user plus system time of the command and every process it started; wall time is shown
beside it. With ``--instructions`` the audit and both floors are also counted in
instructions by valgrind's callgrind, which other work on the machine does not disturb (see
``instruction_counts.py``). Then each report format (and all six in one run) is audited
once more to measure the peak memory of the largest process; one manifest with 5,000
entries in each list is audited (beside its own ``compose`` floor), and one example
manifest and ``wsaudit --help`` are timed (medians). Every command runs with Python's
bytecode cache in use, as an installed copy does (see ``use_bytecode_cache``).
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


MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.buffer.write(code.stderr[-2000:])
print(json.dumps({"code": code.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_kib": usage.ru_maxrss}))
"""
FORMATS = ("json", "text", "markdown", "html", "sarif", "junit")


def measured(command: list[str]) -> dict:
    """Run ``command`` under a small supervisor process that reports its wall time, the CPU of
    the command and all its descendants, and the peak resident memory of the largest of them."""
    completed = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=REPO, capture_output=True, text=True)
    result = json.loads(completed.stdout)
    if result["code"] not in (0, 1):
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"{' '.join(command[:4])} … failed with exit code {result['code']}")
    return result


def round_ratios(rounds: dict[str, list[dict]], floor: str) -> str:
    """The audit's CPU over ``floor``'s in each round (a round runs the floors and the audit
    in turn): how far the machine's other work moves the ratio of the medians."""
    return ", ".join(f"{audit['cpu'] / parsed['cpu']:.2f}" for audit, parsed in zip(rounds["audit"], rounds[floor]))


def parse_floor(folder: str, mode: str, jobs: int) -> None:
    """Read and parse every manifest of ``folder`` with PyYAML's C parser, in ``jobs``
    processes with the audit's chunking: the floor the audit is measured against."""
    import multiprocessing

    paths = sorted(str(path) for path in Path(folder).glob("*.yaml"))
    if jobs <= 1:
        for path in paths:
            _parse(path, mode)
        return
    with multiprocessing.get_context("fork").Pool(processes=jobs) as pool:
        for _ in pool.imap(_parse_compose if mode == "compose" else _parse_load, paths, chunksize=32):
            pass


def _parse(path: str, mode: str) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if mode == "compose":
        yaml.compose(text, Loader=loader)
    else:
        yaml.load(text, Loader=loader)


def _parse_compose(path: str) -> None:
    _parse(path, "compose")


def _parse_load(path: str) -> None:
    _parse(path, "load")


def use_bytecode_cache(base: Path) -> None:
    """Measure the commands as an installed copy runs them, with Python's bytecode cached.

    An environment that sets ``PYTHONDONTWRITEBYTECODE`` (some containers and CI images do)
    makes every run compile each module of the tool again (about 60 ms of the imports of an
    audit on a 2-core machine): start-up that no installed copy pays. The benchmark's
    commands keep their cache in ``base`` (not beside the sources), filled by one run of
    each format before any is timed.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(base / "bytecode")
    example = REPO / "examples" / "manifests" / "inbox-digest.yaml"
    command = [sys.executable, "-m", "auditor", "audit", str(example)]
    for output_format in FORMATS:
        command += ["--format", output_format, "-o", str(base / f"warm-up.{output_format}")]
    subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def median_wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def audit_command(folder: Path, jobs: int, formats: tuple[str, ...]) -> list[str]:
    command = [sys.executable, "-m", "auditor", "audit", str(folder), "--as-of", "2026-11-21", "--jobs", str(jobs)]
    for output_format in formats:
        command += ["--format", output_format, "-o", str(folder.parent / f"report.{output_format}")]
    return command


LARGE_ENTRIES = 5_000


def large_manifest_rows(base: Path) -> list[tuple[str, str]]:
    """One manifest with 5,000 entries in each list (data elements, storage, transfers,
    human access) plus, in each of the last three, an entry naming all 5,000 elements:
    its audit end to end and its C ``compose`` floor, both in one process, medians of 3.
    The floor is run twice: as the bulk floors run (Python's cyclic collector on, which
    scans the growing node tree again and again) and with the collector paused, as the
    audit pauses it while it reads and judges a manifest: the floor to compare with."""
    sys.path.insert(0, str(REPO))
    from tests.helpers import big_manifest  # the shape the linear-cost tests use

    path = base / "large.yaml"
    path.write_text(big_manifest(LARGE_ENTRIES), encoding="utf-8")
    audit = [sys.executable, "-m", "auditor", "audit", str(path), "--format", "json", "-o", str(base / "large.json")]
    compose = ("import sys, yaml; yaml.compose(open(sys.argv[1], encoding='utf-8').read(), "
               "Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))")
    commands = (("audit", audit), ("compose", [sys.executable, "-c", compose, str(path)]),
                ("paused", [sys.executable, "-c", "import gc; gc.disable(); " + compose, str(path)]))
    runs = {name: [measured(command) for _ in range(3)] for name, command in commands}
    cpu = {name: statistics.median(run["cpu"] for run in found) for name, found in runs.items()}
    wall = statistics.median(run["wall"] for run in runs["audit"])
    peak = max(run["peak_kib"] for run in runs["audit"]) / 1024
    size = path.stat().st_size / 1e6
    return [(f"one manifest, {LARGE_ENTRIES:,} per list", f"{size:.1f} MB: wall {wall:.2f} s, CPU {cpu['audit']:.2f} s, "
                                                           f"peak {peak:.0f} MiB"),
            ("  its C compose alone", f"CPU {cpu['paused']:.2f} s with the collector paused (as the audit), "
                                      f"{cpu['compose']:.2f} s with it running")]


def instruction_rows(paths: list[Path], sample: int, base: Path, floors: dict[str, list[str]],
                     jobs: int) -> list[tuple[str, str]]:
    """Instructions per manifest of the audit and both floors, counted by callgrind (see
    ``instruction_counts``), with the same number of processes as the CPU runs."""
    from auditor.rules.batch import PARALLEL_THRESHOLD
    from instruction_counts import per_manifest

    if sample < PARALLEL_THRESHOLD:
        raise SystemExit(f"--instructions needs a sample of at least {PARALLEL_THRESHOLD} manifests, the smallest "
                         "batch the audit spreads over several processes")
    commands = {"compose": lambda folder: [*floors["compose"][:-1], str(folder)],
                "load": lambda folder: [*floors["load"][:-1], str(folder)],
                "audit": lambda folder: audit_command(folder, jobs, ("json",))}
    counts = per_manifest(paths, sample, base, commands, REPO)
    return [("instructions per manifest", f"compose {counts['compose'] / 1e6:.2f} M, load {counts['load'] / 1e6:.2f} M, "
                                          f"audit {counts['audit'] / 1e6:.2f} M (callgrind, {sample} more manifests)"),
            ("instruction ratio audit / compose", f"{counts['audit'] / counts['compose']:.2f}"),
            ("instruction ratio audit / load", f"{counts['audit'] / counts['load']:.2f}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--count", type=int, default=10_000, help="manifests to generate (default 10000)")
    parser.add_argument("--seed", type=int, default=1121)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--jobs", type=int, help="processes for the audit and the floors (default: all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds of floor and audit (default 3)")
    parser.add_argument("--no-memory", action="store_true", help="skip the per-format memory runs")
    parser.add_argument("--instructions", type=int, nargs="?", const=100, metavar="SAMPLE",
                        help="also count instructions with valgrind: what SAMPLE more manifests cost (default 100)")
    parser.add_argument("--floor", choices=("compose", "load"), help=argparse.SUPPRESS)
    parser.add_argument("folder", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:  # the floor itself, run by the benchmark under its supervisor
        parse_floor(args.folder, args.floor, args.jobs or 1)
        return

    from auditor.rules.batch import default_jobs

    jobs = args.jobs or default_jobs()
    base = args.keep or Path(tempfile.mkdtemp(prefix="wsaudit-bench-"))
    folder = base / "manifests"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        use_bytecode_cache(base)
        paths = generate(folder, args.count, args.seed)
        size = sum(path.stat().st_size for path in paths)
        floors = {mode: [sys.executable, str(Path(__file__).resolve()), "--floor", mode, "--jobs", str(jobs),
                         str(folder)] for mode in ("compose", "load")}
        audit = audit_command(folder, jobs, ("json",))
        rounds: dict[str, list[dict]] = {"compose": [], "load": [], "audit": []}
        for round_number in range(args.repeat):
            order = ["compose", "load", "audit"]
            order = order[round_number % 3:] + order[:round_number % 3]  # interleaved, rotated
            for name in order:
                rounds[name].append(measured(audit if name == "audit" else floors[name]))
        cpu = {name: statistics.median(run["cpu"] for run in runs) for name, runs in rounds.items()}
        wall = {name: statistics.median(run["wall"] for run in runs) for name, runs in rounds.items()}
        with open(base / "report.json", encoding="utf-8") as handle:
            findings = len(json.load(handle)["findings"])

        rows = [
            ("manifests", f"{args.count:,} ({size / 1e6:.1f} MB, {findings:,} findings), {jobs} process(es), "
                          f"median of {args.repeat} rounds"),
            ("floor: C compose", f"CPU {cpu['compose']:.2f} s, wall {wall['compose']:.2f} s"),
            ("floor: C load", f"CPU {cpu['load']:.2f} s, wall {wall['load']:.2f} s"),
            ("wsaudit audit --format json", f"CPU {cpu['audit']:.2f} s, wall {wall['audit']:.2f} s "
                                            f"({args.count / wall['audit']:,.0f} manifests/s)"),
            ("CPU ratio audit / compose", f"{cpu['audit'] / cpu['compose']:.2f} (each round: "
                                          f"{round_ratios(rounds, 'compose')})"),
            ("CPU ratio audit / load", f"{cpu['audit'] / cpu['load']:.2f} (each round: {round_ratios(rounds, 'load')})"),
        ]
        if args.instructions:
            rows += instruction_rows(paths, args.instructions, base, floors, jobs)
        if not args.no_memory:
            for output_format in FORMATS:
                run = measured(audit_command(folder, jobs, (output_format,)))
                rows.append((f"peak memory, {output_format}", f"{run['peak_kib'] / 1024:.0f} MiB (largest process)"))
            run = measured(audit_command(folder, jobs, FORMATS))
            rows.append(("peak memory, all six at once", f"{run['peak_kib'] / 1024:.0f} MiB (largest process)"))
        rows += large_manifest_rows(base)
        example = [sys.executable, "-m", "auditor", "audit", "examples/manifests/inbox-digest.yaml", "--format", "json"]
        rows.append(("one example, end to end", f"{median_wall(example, 7) * 1000:.0f} ms"))
        rows.append(("wsaudit --help", f"{median_wall([sys.executable, '-m', 'auditor', '--help'], 7) * 1000:.0f} ms"))
        rows.append(("cores", str(os.cpu_count())))
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            print(f"{name:<{width}}  {value}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
