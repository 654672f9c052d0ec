"""The ``wsaudit`` command line: parse options, call the library, map outcomes to exit codes.

Kept thin and cheap to import: every command imports what it needs inside its body, so
``wsaudit --help`` loads click and nothing heavy.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor import __version__
from auditor.cli.common import (EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, apply_config, color_option, fail, lang_option,
                                max_size_option,
                                output_style_options, pair_outputs, quiet,
                                parse_date, refuse_clashing_outputs, refuse_repeated_stdin, remember_traceback_flag,
                                exit_code_for, run_command, use_color, write_output, write_reports)
from auditor.reporters import FORMATS as REPORT_FORMATS

@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="wsaudit")
@click.option("--traceback", is_flag=True, expose_value=False, is_eager=True, callback=remember_traceback_flag,
              help="On an internal error, show the traceback (also WSAUDIT_TRACEBACK=1).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read defaults from FILE (default: the nearest .wsaudit.toml, or pyproject.toml with "
                   "[tool.wsaudit], from here upwards).")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, no_config: bool) -> None:
    """Audit Google Workspace API integrations against Google's Workspace API User Data
    and Developer Policy.

    Describe an integration in a YAML app manifest (see `wsaudit schema`), then check it
    with `wsaudit validate`.

    Exit codes: 0 ran and nothing at or above --fail-on failed; 1 a finding did; 2 bad usage
    or bad input; 3 an endpoint could not be reached; 4 internal error (a bug); 130
    interrupted.

    Defaults for the gate (fail-on, strict, policy, waivers, baseline, manifest paths) may
    come from .wsaudit.toml or [tool.wsaudit] in pyproject.toml; options on the command line
    win. `wsaudit config` shows the settings in effect.
    """
    apply_config(ctx, config_path, no_config)


def run(argv: list[str] | None = None) -> None:
    """The ``wsaudit`` entry point: every outcome becomes its own exit code."""
    run_command(main, argv)


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@max_size_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per error on stderr; json: a machine-readable list on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, not the files that are valid.")
@color_option
def validate(paths: tuple[str, ...], max_size: int, output_format: str, quiet: bool) -> None:
    """Check manifests against the manifest schema and their cross-references.

    A PATH may be a file, a folder (every *.yaml / *.yml below it) or - for standard input.
    Every error of every file is printed as `path:line:col: error: message`. Exits 0 when
    all are valid and 2 otherwise.
    """
    from auditor.model.errors import AuditorError, errors_in
    from auditor.manifest.load import expand_paths, load_manifest
    from auditor.model.text_safety import printable
    from auditor.reporters.validation import render_validation_json

    results: list[tuple[str, list[AuditorError]]] = []
    refuse_repeated_stdin(paths)
    try:
        files = list(expand_paths(list(paths)))
    except AuditorError as error:
        fail(error)
    for path in files:
        try:
            load_manifest(path, max_size)
        except AuditorError as error:
            results.append((path, errors_in(error)))
        else:
            results.append((path, []))

    invalid = [path for path, errors in results if errors]
    if output_format == "json":
        click.echo(render_validation_json(results), nl=False)
    else:
        for path, errors in results:
            for error in errors:
                click.echo(str(error), err=True)
            if not errors and not quiet:
                click.echo(f"{printable(path)}: valid")
        count = sum(len(errors) for _, errors in results)
        if invalid:
            click.echo(f"{len(invalid)} of {len(results)} manifest(s) invalid, {count} error(s)", err=True)
        elif not quiet:
            click.echo(f"all {len(results)} manifest(s) valid")
    sys.exit(EXIT_USAGE if invalid else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "formats", multiple=True, type=click.Choice(list(REPORT_FORMATS)),
              help="Report format (default text). Repeat it, each with its own -o, to write several reports in one run.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report there instead of stdout (pairs with --format, in order).")
@click.option("--policy", "policies", multiple=True, type=click.Path(), metavar="PATH",
              help="Add a custom policy pack (a file, or a folder of *.yaml). May repeat.")
@click.option("--no-builtin-policy", is_flag=True, help="Evaluate only the packs given with --policy.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info", "never"]), default="high",
              show_default=True, help="Exit 1 when a finding of this severity or above fails.")
@click.option("--strict", is_flag=True, help="Count incomplete findings as failures for --fail-on.")
@click.option("--waivers", type=click.Path(), metavar="FILE", help="A reviewer's waiver file (see docs/rules.md).")
@click.option("--baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Findings recorded in FILE are reported as baselined and do not fail the run.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record the current failing and incomplete findings in FILE.")
@click.option("--as-of", callback=parse_date, metavar="DATE",
              help="Judge dates (CASA age, waiver expiry) as of this day, YYYY-MM-DD (default today).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for large batches (default: all cores).")
@click.option("-v", "--verbose", is_flag=True, help="Text format: list passed findings too.")
@click.option("--code", "code_paths", multiple=True, type=click.Path(), metavar="PATH",
              help="Also judge the scopes by the app's code there (a folder or file; may repeat): a scope broader "
                   "than its calls need fails WUD-SC-004, one no call or scope string uses fails WUD-SC-006. "
                   "With several manifests, the code is judged against each.")
@output_style_options
@lang_option
@max_size_option
def audit(paths: tuple[str, ...], formats: tuple[str, ...], outputs: tuple[str, ...], policies: tuple[str, ...],
          no_builtin_policy: bool, fail_on: str, strict: bool, waivers: str | None, baseline: str | None,
          write_baseline: str | None, as_of: Any, jobs: int | None, verbose: bool, lang: str, max_size: int,
          code_paths: tuple[str, ...] = ()) -> None:
    """Validate manifests, evaluate every rule of every loaded policy pack, and report.

    Exit codes: 0 nothing at or above --fail-on failed; 1 something did; 2 a manifest,
    policy or waiver file could not be used (the message names file, line and column).
    """
    from auditor import __version__ as version
    from auditor.api import prepare_audit
    from functools import partial

    from auditor.cli.common import render_to
    from auditor.rules.baseline import write_baseline as write_baseline_file
    from auditor.model.errors import AuditorError
    from auditor.manifest.load import expand_paths
    from auditor.rules.packs import expand_policy_paths
    from auditor.cli.progress import progress_for

    targets = pair_outputs(formats, outputs)
    refuse_repeated_stdin(paths)
    try:
        files = list(expand_paths(list(paths)))
        refuse_clashing_outputs([("-o/--output", output) for _, output in targets]
                                + [("--write-baseline", write_baseline)],
                                [*paths, *files, *policies, *expand_policy_paths(list(policies)),
                                 *(p for p in (waivers, baseline) if p), *code_paths])
        plan = prepare_audit(paths, policies=policies, builtin_policies=not no_builtin_policy, waivers=waivers,
                             baseline=baseline, as_of=as_of, jobs=jobs, code=code_paths, lang=lang,
                             max_size=max_size, inventory=any(name == "html" for name, _ in targets),
                             json_only=[name for name, _ in targets] == ["json"] and not write_baseline)
    except AuditorError as error:
        fail(error)
    bar = progress_for(len(plan.files), "manifests", sys.stderr, wanted=not quiet())

    def record_baseline(report: Any, out: Any, options: Any) -> None:
        write_baseline_file(report.iter_results(), version, out)

    # A baseline is one more reader of the same pass, written atomically like a report.
    baseline_writer = [partial(render_to, record_baseline, options=None, output=write_baseline)] if write_baseline else []
    try:
        stream = plan.stream(bar.advance if bar is not None else None)
        write_reports(stream, targets, verbose, fail_on, strict, also=baseline_writer)
    finally:
        if bar is not None:
            bar.close()
    sys.exit(exit_code_for(stream, fail_on, strict))


@main.command()
@click.option("--policy", "policies", multiple=True, type=click.Path(), metavar="PATH", help="Add a custom policy pack.")
@click.option("--no-builtin-policy", is_flag=True, help="List only the packs given with --policy.")
@click.option("--severity", type=click.Choice(["critical", "high", "medium", "low", "info"]), multiple=True,
              help="Only rules of this severity (may repeat).")
@click.option("--category", multiple=True, help="Only rules of this category (may repeat).")
@click.option("--clause", multiple=True, help="Only rules enforcing this clause, e.g. LU-2 (may repeat).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="markdown writes the rule reference (docs/rules.md is generated this way).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write there instead of stdout.")
def rules(policies: tuple[str, ...], no_builtin_policy: bool, severity: tuple[str, ...], category: tuple[str, ...],
          clause: tuple[str, ...], output_format: str, output: str | None) -> None:
    """List the loaded rules: id, clause, severity, title (and citation)."""
    from auditor.model.errors import AuditorError
    from auditor.rules.packs import expand_policy_paths, load_packs
    from auditor.cli.rule_listing import filter_rules, render_rules

    try:
        refuse_clashing_outputs([("-o/--output", output)], [*policies, *expand_policy_paths(list(policies))])
        packs = load_packs(policies, builtin=not no_builtin_policy)
    except AuditorError as error:
        fail(error)
    selected = filter_rules(packs, severity, category, clause)
    write_output(render_rules(packs, selected, output_format), output)


@main.command()
@click.argument("text", required=False, default="")
@click.option("--api", help="Only scopes of this API family (e.g. gmail, drive, calendar).")
@click.option("--classification", type=click.Choice(["restricted", "sensitive", "non_sensitive"]),
              help="Only scopes of this classification.")
@click.option("--all", "include_all", is_flag=True,
              help="Include scopes of Google APIs outside Workspace and retired scopes.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--provenance", is_flag=True,
              help="Instead of listing scopes, count classifications per kind of Google source and inferred ones.")
def scopes(text: str, api: str | None, classification: str | None, include_all: bool, output_format: str,
           provenance: bool) -> None:
    """Search the scope catalog by URL fragment or words.

    Shows each scope's classification with its source (a Google page and a quote, or
    "inferred" with the reasoning), API family, Google's consent description, narrower scopes
    and other alternatives. With no TEXT, lists every Workspace scope. Exits 1 when nothing
    matches. --provenance counts sourced and inferred classifications instead.
    """
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.cli.scope_listing import (
        filter_scopes,
        provenance_counts,
        render_provenance_json,
        render_provenance_text,
        render_scopes_json,
        render_scopes_text,
    )

    catalog = ScopeCatalog.load()
    if provenance:
        counts = provenance_counts(catalog)
        click.echo(render_provenance_json(counts) if output_format == "json" else render_provenance_text(counts), nl=False)
        sys.exit(EXIT_OK)
    matches = filter_scopes(catalog, text, api=api, classification=classification, include_all=include_all)
    if output_format == "json":
        click.echo(render_scopes_json(catalog, matches), nl=False)
    elif matches:
        click.echo(render_scopes_text(matches, color=use_color()), nl=False)
    else:
        click.echo(f"no scope matches {text!r}" + ("" if include_all else " (try --all)"), err=True)
    sys.exit(EXIT_OK if matches else EXIT_FINDINGS)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write there instead of stdout.")
def schema(output: str | None) -> None:
    """Print the manifest JSON Schema (Draft 2020-12), for editors' YAML language servers."""
    from auditor.manifest.load import manifest_schema_path

    text = manifest_schema_path().read_text(encoding="utf-8")
    write_output(text, output)


@main.command("config")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def config_command(ctx: click.Context, output_format: str) -> None:
    """Show the settings in effect: the configuration file found (if any) and, for each
    command, the default each gate setting takes and where it comes from."""
    import json

    from auditor.cli.config import SETTINGS
    from auditor.model.text_safety import printable

    root = ctx.find_root()
    config = root.meta.get("wsaudit.config")
    source = getattr(config, "source", None)
    rows = []
    for command_name, (setting, parameter) in SETTINGS:
        command = main.commands.get(command_name)
        if command is None or not any(p.name == parameter for p in command.params):
            continue
        given = (root.default_map or {}).get(command_name, {})
        # The command's own parse of an empty command line: its defaults as it would use them.
        with command.make_context(command_name, [], parent=root, resilient_parsing=True) as probe:
            value = probe.params.get(parameter)
        value = list(value) if isinstance(value, tuple) else value
        rows.append({"command": command_name, "setting": setting, "value": value,
                     "from": source if parameter in given else "default"})
    if output_format == "json":
        click.echo(json.dumps({"config_file": source, "settings": rows}, indent=2, sort_keys=True))
        return
    click.echo(f"configuration file: {printable(source) if source else 'none found'}")
    for row in rows:
        click.echo(printable(f"{row['command']:<17} {row['setting']:<9} {json.dumps(row['value'])}  ({row['from']})"))


# Commands that live in modules of their own are registered below.
from auditor.cli.diff import diff  # noqa: E402

main.add_command(diff)
from auditor.cli.probe import probe  # noqa: E402

main.add_command(probe)
from auditor.cli.init import init  # noqa: E402
from auditor.cli.scan import scan_code  # noqa: E402

main.add_command(scan_code)
main.add_command(init)

from auditor.cli.disclose import disclose  # noqa: E402

main.add_command(disclose)
from auditor.cli.check_policy import check_policy, verify_readiness  # noqa: E402

main.add_command(check_policy)
main.add_command(verify_readiness)
