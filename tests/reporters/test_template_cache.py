"""Compiled report templates are kept between runs, and the cache never fails a run.

Each test runs ``wsaudit`` as a user would, in a child process whose cache folder (or home)
is the test's own. A template compiled again is written again, as a new file: a file that
keeps its inode across a run was read, not compiled.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES, run_wsaudit

EXAMPLE = str(sorted(EXAMPLES.glob("*.yaml"))[0])


def _environment(**settings: str | None) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("WSAUDIT_CACHE_DIR", "XDG_CACHE_HOME")}
    environment.update({name: value for name, value in settings.items() if value is not None})
    return environment


def _report(folder: Path, name: str, environment: dict[str, str], output_format: str = "html") -> str:
    out = folder / name
    run = run_wsaudit("audit", EXAMPLE, "--format", output_format, "-o", str(out), env=environment)
    assert run.code == 0, run.stderr
    return out.read_text(encoding="utf-8")


def _files(folder: Path) -> dict[str, int]:
    """The cache's files by name, with their inodes."""
    return {path.name: path.stat().st_ino for path in sorted(folder.glob("templates/*"))}


@pytest.mark.parametrize(("output_format", "kind"), [("html", "html"), ("markdown", "markdown")])
def test_a_second_run_reads_the_templates_the_first_compiled(tmp_path, output_format, kind):
    environment = _environment(WSAUDIT_CACHE_DIR=str(tmp_path / "cache"))
    first = _report(tmp_path, "first", environment, output_format)
    kept = _files(tmp_path / "cache")
    second = _report(tmp_path, "second", environment, output_format)
    assert (second == first, _files(tmp_path / "cache") == kept, all(name.startswith(kind + "-") for name in kept),
            len(kept) > 0) == (True, True, True, True)


def test_the_cache_is_in_the_user_s_cache_folder_readable_by_the_user_alone(tmp_path):
    _report(tmp_path, "report", _environment(HOME=str(tmp_path / "home")))
    folder = tmp_path / "home" / ".cache" / "wsaudit" / "templates"
    assert (stat.S_IMODE(folder.stat().st_mode), len(_files(folder.parent)) > 0) == (0o700, True)


def test_xdg_cache_home_is_followed_when_it_is_an_absolute_path(tmp_path):
    _report(tmp_path, "report", _environment(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "xdg")))
    assert (len(_files(tmp_path / "xdg" / "wsaudit")) > 0, (tmp_path / "home" / ".cache").exists()) == (True, False)


def test_an_empty_cache_folder_setting_keeps_nothing(tmp_path):
    _report(tmp_path, "report", _environment(HOME=str(tmp_path / "home"), WSAUDIT_CACHE_DIR=""))
    assert list((tmp_path / "home").glob("**/*")) == []


def test_without_a_home_folder_the_cache_is_not_kept_in_the_current_folder(monkeypatch):
    from auditor.reporters.template_cache import cache_folder

    # What Python answers for "~" when HOME is unset and the user has no account entry (a
    # container run under an arbitrary user id): "~" itself, a relative path.
    for name in ("WSAUDIT_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert cache_folder() is None


def test_damaged_cache_files_are_compiled_again(tmp_path):
    from jinja2.bccache import bc_magic

    environment = _environment(WSAUDIT_CACHE_DIR=str(tmp_path / "cache"))
    first = _report(tmp_path, "first", environment)
    files = sorted((tmp_path / "cache" / "templates").iterdir())
    for index, path in enumerate(files):
        # Cut short, emptied, or garbage where Jinja's header ends and its checksum would be.
        data = path.read_bytes()
        path.write_bytes((data[:len(data) // 2], b"", bc_magic + b"\x00\xff" * 64)[index % 3])
    second = _report(tmp_path, "second", environment)
    assert (second == first, [path.read_bytes()[:2] for path in files]) == (True, [b"j2"] * len(files))


def test_a_cache_folder_others_can_write_to_is_not_used(tmp_path):
    folder = tmp_path / "cache" / "templates"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    report = _report(tmp_path, "report", _environment(WSAUDIT_CACHE_DIR=str(tmp_path / "cache")))
    assert (list(folder.iterdir()), report.startswith("<!DOCTYPE html>")) == ([], True)


def test_a_cache_folder_that_cannot_be_made_does_not_stop_the_report(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder would be", encoding="utf-8")
    environment = _environment(WSAUDIT_CACHE_DIR=str(tmp_path / "cache"))
    out = tmp_path / "report"
    run = run_wsaudit("audit", EXAMPLE, "--format", "html", "-o", str(out), env=environment)
    assert (run.code, run.stderr, out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")) == (0, "", True)


def test_a_cache_file_that_cannot_be_written_does_not_stop_the_report(tmp_path):
    import resource
    import subprocess
    import sys

    from tests.helpers import REPO

    def no_files_written() -> None:  # pipes are not files: the report still reaches stdout
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    environment = _environment(WSAUDIT_CACHE_DIR=str(tmp_path / "cache"))
    child = subprocess.run([sys.executable, "-m", "auditor", "audit", EXAMPLE, "--format", "html"], cwd=REPO,
                           env=environment, capture_output=True, timeout=120, preexec_fn=no_files_written)
    report = child.stdout.decode("utf-8")
    assert (child.returncode, report.startswith("<!DOCTYPE html>"), list((tmp_path / "cache" / "templates").iterdir())
            ) == (0, True, []), child.stderr.decode("utf-8", "replace")
