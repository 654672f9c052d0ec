"""Speed benchmark: ``wsaudit scan-code`` against ``grep -rn googleapis.com/auth`` on one tree.

    python benchmarks/bench_scan.py                    # 20,000 files (~200 MB), 3 rounds
    python benchmarks/bench_scan.py -n 2000 --repeat 5 --keep tree/

It generates a deterministic (seeded) source tree of N files in five languages, about 10 KB
each: most are ordinary code with no Google API in it, one in fifty holds scope strings and
client-library or raw HTTP calls. Then it times, interleaved and repeated (medians):

* ``grep -rn googleapis.com/auth TREE`` (the floor: one fixed string, no parsing);
* ``wsaudit scan-code TREE --manifest M --format json -o report.json`` as a user runs it.

The page cache is warmed first by one grep, so both read from memory. The target is a
ratio of at most 10 on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILLER = {
    ".py": "def handler_{n}(request, items):\n    total = sum(item.price * item.quantity for item in items)\n"
           "    if total > {n}:\n        return {{'status': 'ok', 'total': total}}  # plain code\n    return None\n\n",
    ".js": "function handler{n}(req, res) {{\n  const items = req.body.items || [];\n"
           "  const total = items.reduce((a, b) => a + b.price, 0);\n  res.json({{ total, n: {n} }});\n}}\n\n",
    ".java": "    public int handler{n}(List<Item> items) {{\n        int total = 0;\n"
             "        for (Item item : items) {{ total += item.price(); }}\n        return total + {n};\n    }}\n\n",
    ".go": "func handler{n}(items []Item) int {{\n\ttotal := 0\n\tfor _, item := range items {{\n"
           "\t\ttotal += item.Price\n\t}}\n\treturn total + {n}\n}}\n\n",
    ".ts": "export function handler{n}(items: Item[]): number {{\n  let total = 0;\n"
           "  for (const item of items) {{ total += item.price; }}\n  return total + {n};\n}}\n\n",
}
GOOGLE = {
    ".py": 'SCOPES = ["https://www.googleapis.com/auth/gmail.readonly"]\nservice = build("gmail", "v1", credentials=c)\n'
           'labels = service.users().labels().list(userId="me").execute()\n',
    ".js": "const gmail = google.gmail({version: 'v1', auth});\nconst s = 'https://www.googleapis.com/auth/gmail.send';\n"
           "gmail.users.messages.send({userId: 'me', requestBody: {raw}});\n",
    ".java": "    static final String S = \"https://www.googleapis.com/auth/drive.file\";\n",
    ".go": "var scope = \"https://www.googleapis.com/auth/calendar.readonly\"\n",
    ".ts": "await fetch('https://gmail.googleapis.com/gmail/v1/users/me/messages/send', {method: 'POST'});\n"
           "const scope = 'https://www.googleapis.com/auth/gmail.send';\n",
}
MANIFEST = """\
manifest_version: 1
app: {name: Bench, developer: Bench Ltd, type: web}
scopes:
  - scope: gmail.readonly
  - scope: gmail.send
"""


def generate(root: Path, count: int, size: int, seed: int = 7) -> int:
    """Write ``count`` files of about ``size`` bytes below ``root``; return the total bytes."""
    rng = random.Random(seed)
    suffixes = sorted(FILLER)
    total = 0
    for index in range(count):
        suffix = suffixes[index % len(suffixes)]
        folder = root / f"pkg{index % 50:02d}" / f"mod{index % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        parts = []
        if index % 50 == 0:
            parts.append(GOOGLE[suffix])
        length = sum(map(len, parts))
        while length < size:
            piece = FILLER[suffix].format(n=rng.randrange(10 ** 6))
            parts.append(piece)
            length += len(piece)
        text = "".join(parts)
        (folder / f"file{index:05d}{suffix}").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--files", type=int, default=20000)
    parser.add_argument("--size", type=int, default=10000, help="bytes per file (about)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-scan-")) if args.keep is None else args.keep
    tree = work / "tree"
    try:
        total = generate(tree, args.files, args.size)
        manifest = work / "app.wsaudit.yaml"
        manifest.write_text(MANIFEST, encoding="utf-8")
        report = work / "report.json"
        grep = ["grep", "-rn", "googleapis.com/auth", str(tree)]
        scan = [sys.executable, "-m", "auditor", "scan-code", str(tree), "--manifest", str(manifest),
                "--format", "json", "-o", str(report)]
        timed(grep)  # warm the page cache
        grep_times, scan_times = [], []
        for _ in range(args.repeat):
            grep_times.append(timed(grep))
            scan_times.append(timed(scan))
        grep_median, scan_median = statistics.median(grep_times), statistics.median(scan_times)
        print(f"tree: {args.files} files, {total / 1e6:.0f} MB; {os.cpu_count()} core(s); {args.repeat} round(s)")
        print(f"grep -rn googleapis.com/auth  {grep_median:7.2f} s")
        print(f"wsaudit scan-code             {scan_median:7.2f} s")
        print(f"ratio                         {scan_median / grep_median:7.1f}x (target: at most 10x)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
