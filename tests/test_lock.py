"""The lock file is what the tests install, and it follows ``pyproject.toml``."""

from __future__ import annotations

import re
import tomllib

from packaging.markers import default_environment
from packaging.requirements import Requirement

from tests.helpers import REPO

LOCK = REPO / "requirements-test.txt"


def locked_versions() -> dict[str, str]:
    """``{normalised name: version}`` of every pin in the lock that applies to this platform."""
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #-":
            continue
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate(default_environment()):
            (version,) = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            pins[normalise(requirement.name)] = version
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = locked_versions()
    outside = [
        f"{requirement} (locked: {pins.get(normalise(requirement.name))})"
        for requirement in declared_requirements()
        if normalise(requirement.name) not in pins
        or not requirement.specifier.contains(pins[normalise(requirement.name)], prereleases=True)
    ]
    assert outside == [], "refresh requirements-test.txt with the command at its top"


def test_every_pin_carries_a_hash():
    entries: list[list[str]] = []
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and line[0] not in " #":
            entries.append([line])
        elif entries and line.strip().startswith("--hash="):
            entries[-1].append(line)
    unhashed = [entry[0] for entry in entries if len(entry) < 2]
    assert entries and unhashed == []


def test_the_installed_packages_are_the_locked_ones():
    from importlib.metadata import PackageNotFoundError, version

    pins = locked_versions()
    differ = {}
    for name, pinned in pins.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            differ[name] = (pinned, installed)
    assert differ == {}, "install with the README's test command"
