"""Rule messages: placeholders filled from what a rule read about an element."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.rules.message_templates import _placeholder_text, compiled_template, render_message

SUBJECT = {
    "id": "inbox",
    "facts": {"label": "data element 'inbox'", "scopes": ["gmail.readonly", "drive.file"], "none": [],
              "flag": False, "count": 3, "gap": None},
    "name": "plain text",
    "items": ["first", "second"],
}


@pytest.mark.parametrize(("template", "expected"), [
    ("{id} is kept", "inbox is kept"),
    ("{facts.label} reads {facts.scopes}", "data element 'inbox' reads gmail.readonly, drive.file"),
    ("[{facts.none}]", "[(none)]"),
    ("{facts.flag}/{facts.count}/{facts.gap}", "false/3/(none)"),
    ("{facts.missing} and {missing.deeper}", "(none) and (none)"),
    ("{name.deeper}", "(none)"),          # a text has no fields: the path goes nowhere
    ("{items.1} then {items.7}", "second then (none)"),
    ("no placeholder", "no placeholder"),
])
def test_placeholders_are_filled_from_the_subject(template, expected):
    assert render_message(template, SUBJECT) == expected


_KEYS = st.sampled_from(["a", "b", "0", "1"])
_NAMES = st.sampled_from(["a", "b"])  # a placeholder starts with a letter
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(subject=st.dictionaries(_KEYS, _VALUES, max_size=4),
       paths=st.lists(st.tuples(_NAMES, st.lists(_KEYS, max_size=2)), min_size=1, max_size=3))
def test_every_placeholder_reads_as_the_general_rule_words_it(subject, paths):
    # Messages read the usual placeholder (texts through mappings) inline: the result must
    # be what the general rule gives for any subject.
    template = " ~ ".join("{" + ".".join([first, *rest]) + "}" for first, rest in paths)
    _head, placeholders = compiled_template(template)
    assert len(placeholders) == len(paths)
    expected = " ~ ".join(_placeholder_text(subject, name, path, "(none)", None) for name, path, _ in placeholders)
    assert render_message(template, subject) == expected
