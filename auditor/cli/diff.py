"""``wsaudit diff``: what a change does to compliance, for a pull-request gate."""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor.cli.common import (output_style_options, exit_code_for, fail, lang_option, max_size_option, pair_outputs,
                                parse_date, refuse_clashing_outputs, write_reports)
from auditor.reporters import FORMATS as REPORT_FORMATS


@click.command()
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--git-ref", metavar="REF",
              help="Compare the working tree with revision REF; the arguments are then the paths to compare "
                   "(default: the current folder).")
@click.option("--format", "formats", multiple=True, type=click.Choice(list(REPORT_FORMATS)),
              help="Report format (default text; markdown suits a pull-request comment). Repeat it, each with its "
                   "own -o, to write several reports in one run.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report there instead of stdout (pairs with --format, in order).")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info", "never"]), default="high",
              show_default=True, help="Exit 1 when the change introduces a failing finding of this severity or above "
                                      "(escalations are info: they block only with --fail-on info).")
@click.option("--policy", "policies", multiple=True, type=click.Path(), metavar="PATH", help="Add a custom policy pack.")
@click.option("--no-builtin-policy", is_flag=True, help="Evaluate only the packs given with --policy.")
@click.option("--as-of", callback=parse_date, metavar="DATE", help="Judge dates as of this day (default today).")
@max_size_option
@output_style_options
@lang_option
def diff(base: str | None, head: str | None, git_ref: str | None, formats: tuple[str, ...], outputs: tuple[str, ...],
         fail_on: str, policies: tuple[str, ...], no_builtin_policy: bool, as_of: Any, max_size: int,
         lang: str) -> None:
    """Compare two versions of manifests in compliance terms.

    BASE and HEAD are two manifests or two folders of manifests (paired by relative path).
    With --git-ref REF, the working tree is compared with REF. Reports scopes added or
    removed with their classification, escalations, changes to recipients, purposes,
    storage, encryption and human access, and the findings introduced and fixed. Each
    change is a finding of a WUD-DIFF rule: failing (severity info) for an escalation,
    passing otherwise; introduced findings fail as the audit reports them; fixed ones pass.
    Exits 1 when the change introduces a failing finding at or above --fail-on.
    """
    from auditor.api import diff_sides
    from auditor.diff.run import side_from_git, side_from_paths, sides_for
    from auditor.model.errors import AuditorError
    from auditor.manifest.load import expand_paths
    from auditor.rules.packs import expand_policy_paths

    targets = pair_outputs(formats, outputs)
    try:
        if git_ref:
            paths = [path for path in (base, head) if path] or ["."]
            old, new = side_from_git(git_ref, paths, max_size), side_from_paths(paths, max_size)
            new = type(new)("working tree", new.manifests)
        elif base and head:
            old, new = sides_for(base, head, max_size)
        else:
            raise click.UsageError("give BASE and HEAD, or --git-ref REF")
        given = [path for path in (base, head) if path]
        refuse_clashing_outputs([("-o/--output", output) for _, output in targets],
                                [*given, *([] if git_ref else expand_paths(given)), *policies,
                                 *expand_policy_paths(list(policies))])
        report = diff_sides(old, new, policies=policies, builtin_policies=not no_builtin_policy, as_of=as_of,
                            lang=lang, max_size=max_size)
    except AuditorError as error:
        fail(error)
    write_reports(report, targets, fail_on=fail_on)
    sys.exit(exit_code_for(report, fail_on))
