"""Fixtures of the fuzz properties: one working folder per module, reused by every example."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.pipeline import prepare_folder


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the files an example writes (overwritten by the next example)."""
    return prepare_folder(tmp_path_factory.mktemp("fuzz"))
