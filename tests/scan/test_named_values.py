"""What a Python name stands for where it is used: a constant, a parameter of the function
it is in, or nothing known (auditor.scan.named_values)."""

from __future__ import annotations

import pytest

from auditor.scan.lexer import PYTHON, lex
from auditor.scan.named_values import Parameter, parameter_in, table_text
from tests.helpers import lines_run

CODE = '''\
API = "gmail"
VERSION = 'v1'
ALIAS = API

def make(secret, api_name, version="v3", *scopes, region="eu"):
    RENAMED = api_name
    use(RENAMED, version, region, scopes, API)
    API = "drive"
    use(API)

class Clients:
    def build_for(self, api: str, version: str = 'v2'):
        use(api, version)

def early():
    use(LATE)

LATE = "tasks"
options = dict(
    WORD='calendar',
)
TEXT = """
HIDDEN = 'sheets'
"""
use(ALIAS, WORD, HIDDEN, VERSION, unknown, computed())
'''


def _values(names_in_order: list[tuple[str, int]]) -> list:
    source = lex(CODE, PYTHON)
    uses = []
    for name, line in names_in_order:
        start = source.line_starts[line - 1]
        uses.append((name, CODE.index(name, start)))
    return source.python_values.values(uses)


def test_a_name_is_read_as_its_constant_its_function_parameter_or_nothing():
    assert _values([
        ("RENAMED", 7), ("version", 7), ("region", 7), ("scopes", 7), ("API", 7), ("API", 9),
        ("api", 13), ("version", 13), ("LATE", 16),
        ("ALIAS", 25), ("WORD", 25), ("HIDDEN", 25), ("VERSION", 25), ("unknown", 25), ("computed()", 25),
    ]) == [
        Parameter(1, "api_name"), Parameter(2, "version", "v3"), Parameter(None, "region", "eu"), None, "gmail",
        "drive",
        Parameter(0, "api"), Parameter(1, "version", "v2"), "tasks",
        # A keyword argument on a line of its own and a line of a string assign nothing.
        "gmail", None, None, "v1", None, None,
    ]


CALLS = '''\
API = "gmail"
def caller(name):
    f('secret', API, 'v1')
    f('secret', version='v2', api_name="drive")
    f('secret')
    f(*rest)
    f('secret', **options)
    f('secret', name)
'''


def test_a_call_fills_in_the_parameters_it_gives_by_position_keyword_or_default():
    source = lex(CALLS, PYTHON)
    wanted = [Parameter(1, "api_name", "tasks"), Parameter(2, "version")]
    calls = []
    for line in range(3, 9):
        opening = CALLS.index("(", source.line_starts[line - 1])
        calls.append((opening, CALLS.index("\n", opening), wanted))
    assert source.python_values.arguments(calls) == [
        ["gmail", "v1"], ["drive", "v2"], ["tasks", None],
        # An unpacked list may fill any place, an unpacked mapping any parameter; the
        # caller's own parameter is not followed.
        [None, None], [None, None], [None, None],
    ]


@pytest.mark.parametrize("value", ["gmail", "admin.directory_v1", Parameter(0, "api"), Parameter(None, "api", "v1"),
                                   Parameter(12, "version_", "v2beta")])
def test_a_table_holds_a_value_or_a_parameter_and_reads_it_back(value):
    text = table_text(value)
    assert parameter_in(text) == (value if isinstance(value, Parameter) else None)


@pytest.mark.parametrize("text", [
    lambda count: "".join(f"A{index + 1} = A{index}\n" for index in range(count))
    + "".join(f"use(A{index})\n" for index in range(count)),
    lambda count: "def f(a):\n" + "".join(f"    X{index} = a\n    use(X{index})\n" for index in range(count)),
    lambda count: "".join("API = 'gmail'\n" for _ in range(count)) + "".join("use(API)\n" for _ in range(count)),
], ids=["aliases", "one-function", "one-name"])
def test_names_are_read_in_linear_work(text):
    def run(count: int) -> None:
        code = text(count)
        source = lex(code, PYTHON)
        starts = [start + 4 for start in source.line_starts if code.startswith("use(", start)]
        source.python_values.values((code[start:code.index(")", start)], start) for start in starts)

    run(50)  # first use, not counted
    small, large = lines_run(lambda: run(300)), lines_run(lambda: run(600))
    assert large <= 2.2 * small
