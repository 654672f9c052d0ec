"""The throughput benchmark measures audits, the same ones each time.

Its generated manifests must stay valid as the manifest vocabulary changes: a refused
manifest costs far less than an audited one, so a corpus gone invalid would make the
benchmark's figures look better while measuring nothing. And a seed gives the same corpus,
so that runs of two versions compare.
"""

from __future__ import annotations

import importlib.util

from auditor.manifest.load import load_manifest
from auditor.model.errors import AuditorError, errors_in
from tests.helpers import REPO


def _bench_audit():
    spec = importlib.util.spec_from_file_location("bench_audit", REPO / "benchmarks" / "bench_audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_generated_manifest_is_valid(tmp_path):
    refused = {}
    for path in _bench_audit().generate(tmp_path, 300, seed=1121):
        try:
            load_manifest(str(path))
        except AuditorError as error:
            refused[path.name] = [str(each) for each in errors_in(error)][:3]
    assert refused == {}


def test_a_seed_generates_the_same_corpus(tmp_path):
    bench = _bench_audit()
    corpora = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        corpora.append([path.read_bytes() for path in bench.generate(tmp_path / name, 50, seed=7)])
    assert corpora[0] == corpora[1]
