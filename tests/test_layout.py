"""The shape of the package: short functions, and exit codes decided by the command line only.

A function past 60 lines does several things at once and is split into named steps. Only
``auditor/cli/`` ends the process, and its ``ExitCode`` enum is the one place exit codes are
numbered: library code raises ``AuditorError`` and a program using it is never exited from
under it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "auditor"
CLI = PACKAGE / "cli"
LONGEST_FUNCTION = 60
# Calls that end the process.
_EXITING_CALLS = {("sys", "exit"), ("os", "_exit"), (None, "exit"), (None, "quit")}


def _modules(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    shown = path.relative_to(REPO) if REPO in path.parents else path.name
    return f"{shown}:{getattr(node, 'lineno', 0)}"


def long_functions(root: Path) -> list[str]:
    """Every function (or method) under ``root`` longer than :data:`LONGEST_FUNCTION` lines,
    from ``def`` to its last line (decorators not counted)."""
    found = []
    for path in _modules(root):
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    found.append(f"{_where(path, node)}: {node.name} has {length} lines")
    return found


def _called(node: ast.Call) -> tuple[str | None, str] | None:
    function = node.func
    if isinstance(function, ast.Name):
        return None, function.id
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        return function.value.id, function.attr
    return None


def _name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_int(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _mentions_exit(name: str) -> bool:
    return "exit" in name.lower()


def exit_problems(path: Path) -> list[str]:
    """What in the module at ``path`` ends the process or numbers an exit code."""
    problems = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and _called(node) in _EXITING_CALLS:
            problems.append(f"{_where(path, node)}: calls {ast.unparse(node.func)}")
        elif isinstance(node, ast.Raise) and node.exc is not None and "SystemExit" in ast.unparse(node.exc):
            problems.append(f"{_where(path, node)}: raises SystemExit")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_int(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_mentions_exit(_name_of(target)) for target in targets):
                problems.append(f"{_where(path, node)}: numbers an exit code")
        elif isinstance(node, ast.keyword) and node.arg and _mentions_exit(node.arg) and _is_int(node.value):
            problems.append(f"{_where(path, node.value)}: passes a numeric exit code ({node.arg}=)")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_mentions_exit(_name_of(side)) for side in sides) and any(_is_int(side) for side in sides):
                problems.append(f"{_where(path, node)}: compares an exit code with a number")
        elif isinstance(node, ast.ClassDef) and _mentions_exit(node.name):
            problems.append(f"{_where(path, node)}: defines exit codes ({node.name})")
    return problems


def numeric_exits_in_cli(path: Path) -> list[str]:
    """Calls in a command module that exit (or ``fail``) with a bare number instead of an
    ``ExitCode`` member."""
    problems = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and _called(node) in {*_EXITING_CALLS, (None, "fail")}:
            if any(_is_int(argument) for argument in node.args[1 if _name_of(node.func) == "fail" else 0:]):
                problems.append(f"{_where(path, node)}: {ast.unparse(node)}")
    return problems


def test_no_function_in_the_package_is_longer_than_60_lines():
    assert long_functions(PACKAGE) == []


def test_only_the_command_line_exits_or_numbers_exit_codes():
    library = [path for path in _modules(PACKAGE) if CLI not in path.parents]
    assert library, "the package has modules outside auditor/cli"
    assert [problem for path in library for problem in exit_problems(path)] == []


def test_commands_exit_with_exit_code_members_not_numbers():
    assert [problem for path in _modules(CLI) for problem in numeric_exits_in_cli(path)] == []


def untyped_reports(root: Path) -> list[str]:
    """Functions under ``root`` whose ``report`` parameter is not annotated as the one
    result model, :class:`~auditor.model.report.Report`."""
    found = []
    for path in _modules(root):
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for argument in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                    shown = ast.unparse(argument.annotation) if argument.annotation else "nothing"
                    if argument.arg == "report" and shown != "Report":
                        found.append(f"{_where(path, node)}: {node.name} types its report as {shown}")
    return found


def test_every_reporter_takes_the_typed_report():
    from auditor.reporters import FORMATS

    assert untyped_reports(PACKAGE / "reporters") == []
    for module in FORMATS.values():
        path = REPO / (module.replace(".", "/") + ".py")
        [render] = [node for node in _tree(path).body if isinstance(node, ast.FunctionDef) and node.name == "render"]
        assert ast.unparse(render.args.args[0].annotation) == "Report", module
        assert ast.unparse(render.returns) in ("None", "str"), module


def test_the_layout_checks_catch_what_they_look_for(tmp_path):
    offender = tmp_path / "offender.py"
    body = "\n".join(f"    step_{index} = {index}" for index in range(LONGEST_FUNCTION))
    offender.write_text(
        "import sys\n"
        "EXIT_BAD_INPUT = 2\n"
        f"def long():\n{body}\n"
        "def leave(outcome):\n"
        "    if outcome.exit_code == 3:\n"
        "        sys.exit(4)\n"
        "    fail('message', 2)\n"
        "    raise SystemExit(1)\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in long_functions(tmp_path)] == [f"long has {LONGEST_FUNCTION + 1} lines"]
    found = [line.split(": ", 1)[1] for line in exit_problems(offender)]
    assert sorted(found) == sorted(["numbers an exit code", "compares an exit code with a number",
                                    "calls sys.exit", "raises SystemExit"])
    untyped = tmp_path / "reporter.py"
    untyped.write_text("def render(report, out, options):\n    pass\n", encoding="utf-8")
    assert [line.split(": ", 1)[1] for line in untyped_reports(tmp_path)] == ["render types its report as nothing"]
    assert sorted(line.split(": ", 1)[1] for line in numeric_exits_in_cli(offender)) == ["fail('message', 2)",
                                                                                          "sys.exit(4)"]
