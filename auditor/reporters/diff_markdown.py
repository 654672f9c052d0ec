"""The Markdown of a ``wsaudit diff`` report: the pull-request comment of a comparison.

The layout lives in ``reports/templates/report.diff.md.j2``, its words in the report's
language catalog (``reports/i18n/<lang>.yaml``, group ``diff``); this module picks the pairs
that changed and, when the whole comment would pass GitHub's limit, leaves out the
per-manifest details (the summary table and the verdict always stay).
"""

from __future__ import annotations

from typing import TextIO

from auditor.model.report import Report
from auditor.reporters import RenderOptions


def render_diff(report: Report, out: TextIO, options: RenderOptions) -> None:
    from auditor.rules.i18n import report_language
    from auditor.reporters.markdown import COMMENT_LIMIT, LIMIT, html_text, size
    from auditor.reporters.text import diff_verdict, gate_word
    from auditor.reporters.templating import markdown_environment

    environment = markdown_environment()
    environment.filters.setdefault("html_text", html_text)
    template = environment.get_template("report.diff.md.j2")
    diff = report.diff
    t = report_language(report)
    values = {
        "t": t,
        "gate": gate_word(options.fail_on, t),
        "verdict": diff_verdict(diff, options.fail_on, t),
        "diff": diff,
        "changed": [pair for pair in diff.manifests if pair.state != "unchanged"],
        "blocking": len(diff.blocking(options.fail_on)),
        "fail_on": options.fail_on,
        # English has always written the limit with a comma between thousands.
        "limit": f"{COMMENT_LIMIT:,}" if t.lang == "en" else t.number(COMMENT_LIMIT),
    }
    document = template.render(details=True, **values)
    if size(document) > LIMIT:
        document = template.render(details=False, **values)
    out.write(document)
