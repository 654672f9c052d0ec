"""``wsaudit probe``: compare what live tokens hold with what manifests declare.

Only click (and the light report-format registry) is imported here; the probe itself, with
requests and google-auth, is imported when the command runs.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor.cli.common import ExitCode, exit_code_for, fail, lang_option, output_style_options, quiet

from auditor.reporters import FORMATS as REPORT_FORMATS

EXIT_PROBE = ExitCode.UNREACHABLE
EXIT_INTERRUPTED = ExitCode.INTERRUPTED


def _split_scopes(ctx: Any, param: Any, values: tuple[str, ...]) -> tuple[str, ...]:
    from auditor.catalog.scope_names import canonical_scope

    names: list[str] = []
    for value in values:
        for name in value.replace(",", " ").split():
            scope = canonical_scope(name)
            if scope not in names:
                names.append(scope)
    return tuple(names)


@click.command()
@click.argument("manifest", required=False, metavar="[MANIFEST]")
@click.option("--access-token-env", metavar="VAR",
              help="Read an access token from this environment variable (never pass a token as an argument).")
@click.option("--credentials", type=click.Path(dir_okay=False), metavar="FILE",
              help="An authorized-user or service-account JSON file (told apart by its \"type\").")
@click.option("--subject", metavar="EMAIL", help="With a service account: the user to impersonate (domain-wide delegation).")
@click.option("--adc", is_flag=True, help="Use Application Default Credentials.")
@click.option("--scopes", multiple=True, callback=_split_scopes, metavar="SCOPES",
              help="Scopes to request, comma- or space-separated, short or full form; may repeat. Needed by service "
                   "accounts; with --domain the default is the two Directory scopes the inventory needs.")
@click.option("--domain", is_flag=True, help="Inventory the third-party tokens of every user of the domain.")
@click.option("--manifests", "manifest_paths", multiple=True, type=click.Path(), metavar="PATH",
              help="With --domain: manifests (files or folders) to match apps against by oauth_client_ids.")
@click.option("--format", "formats", multiple=True, type=click.Choice(list(REPORT_FORMATS)),
              help="Report format (default text); repeat with -o for several.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report there instead of stdout (pairs with --format, in order).")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info", "never"]), default="high",
              show_default=True, help="Exit 1 when a finding of this severity or above fails.")
@click.option("--strict", is_flag=True, help="Count incomplete findings as failures for --fail-on.")
@click.option("--tokeninfo-url", metavar="URL", help="tokeninfo endpoint [default: Google's].")
@click.option("--token-uri", metavar="URL",
              help="OAuth token endpoint [default: the credentials file's token_uri, else Google's].")
@click.option("--admin-api-url", metavar="URL", help="Admin SDK root for --domain [default: Google's].")
@click.option("--customer", default="my_customer", show_default=True, help="With --domain: the Workspace customer id.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=10.0, show_default=True,
              help="Deadline in seconds for each whole request: connecting and reading all of the answer.")
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=8, show_default=True,
              help="With --domain: token lookups running at once.")
@click.option("--no-progress", is_flag=True, help="With --domain: no progress bar (it is drawn only on a terminal).")
@click.option("--log-requests", is_flag=True,
              help="Log every HTTP request (method, endpoint, status, time; never a token) on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="Text format: list passed findings too.")
@lang_option
@output_style_options
def probe(manifest: str | None, access_token_env: str | None, credentials: str | None, subject: str | None,
          adc: bool, scopes: tuple[str, ...], domain: bool, manifest_paths: tuple[str, ...], formats: tuple[str, ...],
          outputs: tuple[str, ...], fail_on: str, strict: bool, tokeninfo_url: str | None, token_uri: str | None,
          admin_api_url: str | None, customer: str, timeout: float, concurrency: int, no_progress: bool,
          log_requests: bool, verbose: bool, lang: str) -> None:
    """Compare the scopes a live token holds with what MANIFEST declares.

    Give one token source: --access-token-env VAR, --credentials FILE (with --subject for
    domain-wide delegation) or --adc. With --domain (and no MANIFEST), list every user's
    third-party tokens and report per app, matching apps to --manifests by client id.

    Exit codes: 0 nothing at or above --fail-on failed; 1 something did; 2 bad usage or an
    unusable manifest or credentials file; 3 an endpoint could not be reached, timed out, or
    refused the credentials or the token; 130 interrupted (a partial inventory is written).
    """
    from auditor.cli.common import pair_outputs

    _refuse_bad_usage(manifest, access_token_env, credentials, adc, subject, domain, manifest_paths)
    targets = pair_outputs(formats, outputs)

    from auditor.model.errors import AuditorError, ProbeError
    from auditor.probe.redaction import redact

    if log_requests:
        _log_requests_to_stderr()
    token = {"access_token_env": access_token_env, "credentials": credentials, "adc": adc, "subject": subject,
             "scopes": scopes, "token_uri": token_uri, "timeout": timeout, "lang": lang}
    gate = (fail_on, strict)
    try:
        if domain:
            inventory = {"admin_api_url": admin_api_url, "customer": customer, "concurrency": concurrency}
            _run_domain(manifest_paths, {**token, **inventory}, targets, gate, verbose,
                        not (no_progress or quiet()))
        else:
            _run_manifest(manifest or "", {**token, "tokeninfo_url": tokeninfo_url}, targets, gate, verbose)
    except ProbeError as error:
        fail(redact(str(error)), EXIT_PROBE)
    except AuditorError as error:
        fail(redact(str(error)), ExitCode.USAGE)
    except KeyboardInterrupt:
        from auditor.cli.output_files import discard_partial_outputs

        discard_partial_outputs()
        fail("error: interrupted before the probe finished; nothing was written", EXIT_INTERRUPTED)


def _refuse_bad_usage(manifest: str | None, access_token_env: str | None, credentials: str | None, adc: bool,
                      subject: str | None, domain: bool, manifest_paths: tuple[str, ...]) -> None:
    """Exactly one token source, and a MANIFEST or --domain (with --manifests) but not both."""
    sources = [name for name, given in (("--access-token-env", access_token_env), ("--credentials", credentials),
                                        ("--adc", adc)) if given]
    if len(sources) != 1:
        raise click.UsageError("give exactly one token source: --access-token-env VAR, --credentials FILE or --adc"
                               + (f" (got {', '.join(sources)})" if sources else ""))
    if subject and access_token_env:
        raise click.UsageError("--subject works with --credentials (a service account) or --adc")
    if domain:
        if manifest:
            raise click.UsageError("--domain takes no MANIFEST; give manifests to match with --manifests")
    else:
        if not manifest:
            raise click.UsageError("give the MANIFEST to compare the token with (or --domain)")
        if manifest_paths:
            raise click.UsageError("--manifests works with --domain")


def _run_manifest(path: str, options: dict[str, Any], targets: list[tuple[str, str | None]],
                  gate: tuple[str, bool], verbose: bool) -> None:
    from auditor.api import run_probe
    from auditor.cli.common import write_reports

    report = run_probe(path, **options)
    write_reports(report, targets, verbose, *gate)
    sys.exit(exit_code_for(report, *gate))


def _run_domain(manifest_paths: tuple[str, ...], options: dict[str, Any], targets: list[tuple[str, str | None]],
                gate: tuple[str, bool], verbose: bool, progress_wanted: bool) -> None:
    from auditor.api import run_inventory
    from auditor.cli.common import write_reports
    from auditor.probe.progress import ProgressBar
    from auditor.probe.redaction import redact

    bar = ProgressBar(sys.stderr) if progress_wanted and sys.stderr.isatty() else None
    try:
        report = run_inventory(manifest_paths, progress=bar, **options)
    finally:
        if bar is not None:
            bar.close()
    inventory = report.domain_inventory

    # A partial inventory is written too, before the exit code says it is partial.
    write_reports(report, targets, verbose, *gate)
    if inventory.interrupted:
        fail(f"error: interrupted; {inventory.coverage()}", EXIT_INTERRUPTED)
    problem = inventory.problem()
    if problem is not None:
        fail(redact(str(problem)), EXIT_PROBE)
    sys.exit(exit_code_for(report, *gate))


def _log_requests_to_stderr() -> None:
    import logging

    from auditor.probe.redaction import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wsaudit: %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("auditor.probe")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
