"""The JSON report writes each finding from its rule's text encoded once: byte for byte what
encoding the finding's whole document would give."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.model.findings import Citation, Finding, InferredClassification, RuleInfo, Status, Waiver
from auditor.model.text_safety import json_safe
from auditor.reporters.json_report import FindingEncoder

from tests.reporters.support import EXAMPLE_PATHS, audit_results, write_review_files


def whole_document(finding: Finding) -> str:
    """The finding as the report wrote it before: its whole document through json.dumps."""
    return json_safe(json.dumps(finding.to_json(), sort_keys=True, ensure_ascii=False))


def test_every_finding_of_the_examples_encodes_as_its_whole_document(tmp_path):
    waivers, baseline = write_review_files(tmp_path)
    results, _, _ = audit_results(EXAMPLE_PATHS, waivers, baseline)
    findings = [finding for result in results for finding in result.findings]
    encoder = FindingEncoder()
    mismatched = [finding.fingerprint for finding in findings if encoder.encode(finding) != whole_document(finding)]
    # Every status, a waiver and an inferred classification are among them.
    assert ({finding.status for finding in findings} == set(Status), any(f.waiver for f in findings),
            any(f.inferred for f in findings), mismatched) == (True, True, True, [])


# Text from outside: controls, bidi overrides, lone surrogates, quotes, backslashes, non-ASCII.
_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=40)
_MAYBE_TEXT = st.none() | _TEXT


@st.composite
def findings(draw) -> Finding:
    citation = Citation(draw(_TEXT), draw(_TEXT), draw(_TEXT), draw(_MAYBE_TEXT))
    rule = RuleInfo(draw(_TEXT), draw(_MAYBE_TEXT), draw(_TEXT), draw(st.sampled_from(["high", "low"])),
                    draw(_TEXT), draw(_TEXT), citation)
    waiver = draw(st.none() | st.builds(Waiver, _TEXT, _TEXT, _MAYBE_TEXT, _TEXT, _TEXT, _TEXT, _TEXT,
                                        st.integers(1, 10**6)))
    inferred = tuple(draw(st.lists(st.builds(InferredClassification, _TEXT, _TEXT, _TEXT), max_size=2)))
    return Finding(rule, draw(st.sampled_from(list(Status))), draw(_TEXT), draw(_TEXT), draw(st.integers(1, 10**7)),
                   draw(st.integers(1, 10**4)), draw(_TEXT), draw(_TEXT), waiver, inferred)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(findings(), min_size=1, max_size=3))
def test_any_finding_encodes_as_its_whole_document(batch):
    # One encoder for the batch, the first finding twice: its rule's pieces are reused.
    encoder = FindingEncoder()
    for finding in [*batch, batch[0]]:
        assert encoder.encode(finding) == whole_document(finding)
