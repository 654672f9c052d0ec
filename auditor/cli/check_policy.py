"""``wsaudit check-policy`` and ``wsaudit verify-readiness``: thin commands over
:mod:`auditor.policy_check` and :mod:`auditor.verification`.

Only click is imported here; the checks, ``requests`` and the reporters load when a command
runs.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor.cli.common import (EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ByteSize, ExitCode, exit_code_for, fail, output_style_options,
                                pair_outputs, parse_date, refuse_clashing_outputs, write_reports)
from auditor.reporters import FORMATS as REPORT_FORMATS

FAIL_ON = ["critical", "high", "medium", "low", "info", "never"]


class PolicyLanguage(click.ParamType):
    """``auto`` or a language with word lists (``en``, ``fr``…), checked when the command runs."""

    name = "language"

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        from auditor.policy_check.vocabulary import available_languages

        return "[" + "|".join(["auto", *available_languages()]) + "]"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from auditor.policy_check.vocabulary import available_languages

        if value != "auto" and value not in available_languages():
            self.fail(f"{value!r} is not 'auto' or a language with word lists "
                      f"({', '.join(available_languages())})", param, ctx)
        return str(value)


@click.command("check-policy")
@click.argument("policy", metavar="POLICY")
@click.option("--manifest", "manifest_path", required=True, metavar="FILE",
              help="The app manifest whose facts the policy must disclose.")
@click.option("--lang", "language", type=PolicyLanguage(), default="auto", show_default=True,
              help="Language of the policy; auto tells English from French by their common words.")
@click.option("--format", "formats", multiple=True, type=click.Choice(list(REPORT_FORMATS)),
              help="Report format (default text). Repeat it, each with its own -o, to write several reports.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report there instead of stdout (pairs with --format, in order).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="high", show_default=True,
              help="Exit 1 when a finding of this severity or above fails.")
@click.option("--strict", is_flag=True, help="Count incomplete findings as failures for --fail-on.")
@click.option("-v", "--verbose", is_flag=True, help="Text format: list passed findings too.")
@click.option("--max-size", type=ByteSize(), default="5MiB", show_default=True,
              help="Refuse a policy (file or page) larger than this.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Seconds allowed for fetching a policy URL, all redirects and the body included.")
@output_style_options
def check_policy(policy: str, manifest_path: str, language: str, formats: tuple[str, ...], outputs: tuple[str, ...],
                 fail_on: str, strict: bool, verbose: bool, max_size: int, timeout: float) -> None:
    """Check that a published privacy policy discloses what the app manifest declares.

    POLICY is a local HTML, Markdown or text file, or an https URL. Each fact the manifest
    declares (each Google API and kind of access, each kind of data and its purposes, each
    recipient, where data is kept and for how long, how users delete data, a security
    contact) and the Limited Use statement yields one finding: pass with the words that
    matched and where, or fail naming what is missing. A blanket claim the manifest
    contradicts ("we never share", with a transfer declared) fails too.

    Exit codes: 0 nothing at or above --fail-on failed; 1 something did; 2 bad usage, or
    an unreadable manifest or policy file; 3 the policy URL could not be fetched.
    """
    from auditor.api import check_policy as run_check
    from auditor.model.errors import AuditorError
    from auditor.policy_check.fetch import PolicyFetchError

    targets = pair_outputs(formats, outputs)
    refuse_clashing_outputs([("-o/--output", output) for _, output in targets], [manifest_path, policy])
    try:
        report = run_check(policy, manifest_path, language=None if language == "auto" else language,
                           max_size=max_size, timeout=timeout)
    except PolicyFetchError as error:
        fail(error, ExitCode.UNREACHABLE)
    except AuditorError as error:
        fail(error, EXIT_USAGE)
    write_reports(report, targets, verbose, fail_on, strict)
    sys.exit(exit_code_for(report, fail_on, strict))


@click.command("verify-readiness")
@click.argument("manifest_path", metavar="MANIFEST")
@click.option("--format", "output_format", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="The answers document: Markdown to paste, or a self-contained HTML page.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write there instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="medium", show_default=True,
              help="Exit 1 when a missing piece of this severity or above fails.")
@click.option("--strict", is_flag=True, help="Count incomplete findings as failures for --fail-on.")
@click.option("--as-of", callback=parse_date, metavar="DATE",
              help="Judge the security assessment's due date as of this day, YYYY-MM-DD (default today).")
@output_style_options
def verify_readiness(manifest_path: str, output_format: str, output: str | None, fail_on: str, strict: bool,
                     as_of: Any) -> None:
    """Write the answers Google's OAuth verification asks for, from an app manifest.

    Whether the app needs verification at all (app.audience), the homepage and privacy
    policy on one registrable https domain, each sensitive and restricted scope with its
    justification and what the demo video must show, and when the next security assessment
    of restricted scopes is due. Missing pieces are findings, listed in the document and on
    stderr.

    Exit codes: 0 nothing at or above --fail-on is missing; 1 something is; 2 bad usage or
    an invalid manifest.
    """
    from auditor.api import verify_readiness as assess
    from auditor.cli.common import write_output
    from auditor.model.errors import AuditorError
    from auditor.model.report import Summary
    from auditor.model.text_safety import printable
    from auditor.verification.render import render_readiness

    refuse_clashing_outputs([("-o/--output", output)], [manifest_path])
    try:
        readiness = assess(manifest_path, as_of=as_of)
    except AuditorError as error:
        fail(error, EXIT_USAGE)
    write_output(render_readiness(readiness, output_format), output)
    for finding in readiness.findings:
        # A finding of its own fails the gate exactly when it counts against --fail-on.
        if Summary.of([finding]).failed(fail_on, strict):
            click.echo(printable(f"{finding.manifest}:{finding.line}:{finding.column}: {finding.status}: "
                                 f"{finding.rule_id} {finding.message}"), err=True)
    sys.exit(EXIT_FINDINGS if Summary.of(readiness.findings).failed(fail_on, strict) else EXIT_OK)
