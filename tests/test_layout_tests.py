"""The tests' own layout: each test module stands alone, tests mirror the package, and an
exit code a test asserts comes with what the command said.

A test module that imports another runs that module's tests' set-up twice and ties two
files together; shared code lives in ``tests/helpers.py`` (or a folder's ``support.py``)
and fixtures in ``conftest.py``, which pytest loads itself. An exit-code assertion without
the child's stderr fails with ``assert 4 == 2`` and nothing to act on.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO

TESTS = REPO / "tests"
EXIT_CODE_ATTRIBUTES = {"returncode", "code", "exit_code"}


def python_files_of_the_tests() -> list[Path]:
    """Every Python file of the tests, outside installed tools (``node_modules``)."""
    return sorted(path for path in TESTS.rglob("*.py") if "node_modules" not in path.parts)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def imported_test_modules(path: Path, source: str) -> list[str]:
    """The test modules (``test_*``) and ``conftest`` modules that ``source``, the text of the
    file at ``path``, imports, each as ``line: module``."""
    package = _module_name(path).rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from tests.reporters import test_sarif`` imports a test module by its name; a
            # test function imported by name would be collected, and run, twice.
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found += [f"{node.lineno}: {name}" for name in names if _is_test_module(name)]
    return found


def _compared_items(node: ast.Compare) -> list[ast.expr]:
    """The values a comparison compares: its sides, or a tuple side's items."""
    sides = [node.left, *node.comparators]
    return [item for side in sides for item in (side.elts if isinstance(side, ast.Tuple) else [side])]


def _exit_code_compared(expression: ast.expr) -> bool:
    """Whether ``expression`` compares an exit code without the output beside it (a tuple
    ``(result.code, result.stderr)`` shows the output when it fails)."""
    for node in ast.walk(expression):
        if isinstance(node, ast.Compare):
            items = _compared_items(node)
            exit_code = any(isinstance(item, ast.Attribute) and item.attr in EXIT_CODE_ATTRIBUTES for item in items)
            stderr = any(isinstance(part, ast.Attribute) and part.attr == "stderr"
                         for item in items for part in ast.walk(item))
            if exit_code and not stderr:
                return True
    return False


def silent_exit_code_asserts(path: Path, source: str) -> list[int]:
    """Lines of ``source`` whose ``assert`` compares an exit code (``.returncode``, ``.code``,
    ``.exit_code``) without a message, nor the child's stderr beside it, to show when it fails."""
    return [node.lineno for node in ast.walk(ast.parse(source, filename=str(path)))
            if isinstance(node, ast.Assert) and node.msg is None and _exit_code_compared(node.test)]


def misplaced_top_level_tests(tests: Path = TESTS, package: Path = REPO / "auditor") -> list[str]:
    """Top-level ``tests/test_*.py`` files named after a package whose tests have a folder of
    their own (``tests/scan/``): they belong in that folder."""
    folders = {path.name for path in tests.iterdir() if path.is_dir() and (path / "__init__.py").is_file()}
    misplaced = []
    for path in sorted(tests.glob("test_*.py")):
        subject = path.stem.removeprefix("test_")
        owner = next((folder for folder in sorted(folders) if subject == folder or subject.startswith(f"{folder}_")),
                     None)
        if owner and (package / owner).is_dir():
            misplaced.append(f"{path.name} belongs in tests/{owner}/")
    return misplaced


# ---------------------------------------------------------------- the tree as it is

def test_no_test_module_imports_another_or_a_conftest():
    found = {str(path.relative_to(REPO)): imported for path in python_files_of_the_tests()
             if (imported := imported_test_modules(path, path.read_text(encoding="utf-8")))}
    assert found == {}, "move what they share into tests/helpers.py or a folder's support.py"


def test_every_exit_code_assertion_shows_what_the_command_said():
    found = {str(path.relative_to(REPO)): lines for path in python_files_of_the_tests()
             if (lines := silent_exit_code_asserts(path, path.read_text(encoding="utf-8")))}
    assert found == {}, "add the child's stderr as the assertion's message"


def test_top_level_tests_do_not_belong_to_a_package_folder():
    assert misplaced_top_level_tests() == []


# ---------------------------------------------------------------- the checks catch what they look for

@pytest.mark.parametrize(("line", "module"), [
    ("from tests.reporters.test_sarif import sarif_schema_errors", "tests.reporters.test_sarif"),
    ("import tests.reporters.test_junit", "tests.reporters.test_junit"),
    ("from tests.reporters import test_html", "tests.reporters.test_html"),
    ("from .test_gate import edited", "tests.diff.test_gate"),
    ("from ..policy_check.test_matching import MANIFEST", "tests.policy_check.test_matching"),
    ("from tests.probe.conftest import CLIENT_ID", "tests.probe.conftest"),
    ("from . import conftest", "tests.diff.conftest"),
])
def test_an_import_of_a_test_module_or_conftest_is_found(line, module):
    assert imported_test_modules(TESTS / "diff" / "test_example.py", f"x = 1\n{line}\n") == [f"2: {module}"]


@pytest.mark.parametrize("line", [
    "from tests.helpers import run_wsaudit",
    "from tests.reporters.support import render",
    "from auditor.rules import i18n",
    "import pytest",
])
def test_an_import_of_shared_code_is_allowed(line):
    assert imported_test_modules(TESTS / "diff" / "test_example.py", f"{line}\n") == []


@pytest.mark.parametrize("statement", [
    "assert result.returncode == 2",
    "assert r.code == 0",
    "assert outcome.exit_code in (0, 1)",
    "assert r.code == 1 and 'x' in r.stdout",
    "assert (medium.code, high.code) == (1, 0)",
])
def test_an_exit_code_assertion_without_a_message_is_found(statement):
    assert silent_exit_code_asserts(Path("test_example.py"), f"r = None\n{statement}\n") == [2]


@pytest.mark.parametrize("statement", [
    "assert result.returncode == 2, result.stderr",
    "assert r.code == 0, (r.stdout, r.stderr)",
    "assert r.stdout == ''",
    "assert (r.code, r.stderr.strip()) == (2, 'app.yaml: error: no such file')",
])
def test_an_exit_code_assertion_with_a_message_passes(statement):
    assert silent_exit_code_asserts(Path("test_example.py"), f"{statement}\n") == []


def test_a_top_level_test_of_a_package_with_a_test_folder_is_found(tmp_path):
    tests, package = tmp_path / "tests", tmp_path / "auditor"
    for folder in (tests / "scan", package / "scan", package / "rules"):
        folder.mkdir(parents=True)
    (tests / "scan" / "__init__.py").write_text("")
    for name in ("test_scan.py", "test_scan_cli.py", "test_rules.py", "test_readme.py"):
        (tests / name).write_text("")
    # rules has no test folder yet, readme is no package: only the scan tests are misplaced.
    assert misplaced_top_level_tests(tests, package) == ["test_scan.py belongs in tests/scan/",
                                                         "test_scan_cli.py belongs in tests/scan/"]
