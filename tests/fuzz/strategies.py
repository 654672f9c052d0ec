"""The inputs of each fuzz target: a seed, then a mutation of it."""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.mutations import data_mutant, json_text_mutant, parse_seed, text_mutant, values_by_key
from tests.fuzz.pipeline import context
from tests.fuzz.seeds import Mutant, Seed, manifest_seeds, pack_seeds, waiver_seeds


@cache
def _donors(seeds: tuple[Seed, ...], dump: str) -> dict[str, list[Any]]:
    return values_by_key([parse_seed(seed.raw, dump) for seed in seeds])


@st.composite
def _mutant(draw: Any, seeds: tuple[Seed, ...], level: str, dump: str = "yaml") -> Mutant:
    seed = draw(st.sampled_from(seeds))
    if level == "text":
        return Mutant(seed, draw(json_text_mutant(seed.raw) if dump == "json" else text_mutant(seed.raw)))
    return Mutant(seed, draw(data_mutant(seed.raw, dump, _donors(seeds, dump))))


def manifest_mutants(level: str) -> st.SearchStrategy[Mutant]:
    return _mutant(manifest_seeds(), level)


def pack_mutants(level: str) -> st.SearchStrategy[Mutant]:
    return _mutant(pack_seeds(), level)


def waiver_mutants() -> st.SearchStrategy[Mutant]:
    return st.one_of(_mutant(waiver_seeds(), "text"), _mutant(waiver_seeds(), "data"))


def baseline_mutants() -> st.SearchStrategy[Mutant]:
    # Deferred: the seed baseline comes from an audit, which must not run at collection time.
    def build() -> st.SearchStrategy[Mutant]:
        seeds = (Seed("baseline.json", context().baseline),)
        return st.one_of(_mutant(seeds, "text", "json"), _mutant(seeds, "data", "json"))

    return st.deferred(build)
