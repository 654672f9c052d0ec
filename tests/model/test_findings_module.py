"""The findings module keeps answering for the whole result model, as the README documents it."""

from __future__ import annotations

import pytest

from auditor.model import findings, report

REPORT_TYPES = ["FlowStep", "Inventory", "ManifestResult", "PackInfo", "Report", "ReportStream", "ScopeUse",
                "Summary", "SummaryTally", "WaiverNote"]


@pytest.mark.parametrize("name", REPORT_TYPES)
def test_a_report_type_imported_from_the_findings_module_is_the_report_modules_own(name):
    assert getattr(findings, name) is getattr(report, name)


def test_a_from_import_of_the_report_from_the_findings_module_works():
    from auditor.model.findings import Report, Severity

    assert (Report, Severity) == (report.Report, findings.Severity)


def test_a_name_the_findings_module_never_had_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        getattr(findings, "NoSuchThing")
