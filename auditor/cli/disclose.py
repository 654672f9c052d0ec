"""``wsaudit disclose``: write a privacy disclosure from an app manifest.

Only click is imported here; the disclosure package, Jinja2 and the policy engine load when
the command runs.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor.cli.common import ExitCode, fail, refuse_clashing_outputs, write_output

EXIT_OK = ExitCode.OK
EXIT_AUDIT_FAILED = ExitCode.FINDINGS
EXIT_USAGE = ExitCode.USAGE
SEVERITIES = ["critical", "high", "medium", "low", "info", "never"]


class Language(click.ParamType):
    """A language code with a message file (``en``, ``fr``…), checked when the command runs."""

    name = "language"

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        from auditor.disclosure.i18n import available_languages

        return "[" + "|".join(available_languages()) + "]"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from auditor.disclosure.i18n import available_languages

        languages = available_languages()
        if value not in languages:
            self.fail(f"{value!r} is not a language with a message file (choose from {', '.join(languages)})",
                      param, ctx)
        return str(value)


def _as_of(ctx: Any, param: Any, value: str | None) -> Any:
    import datetime

    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command()
@click.argument("manifest", metavar="MANIFEST")
@click.option("--format", "output_format", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="markdown for a docs site or README; html for a self-contained page.")
@click.option("--lang", "language", type=Language(), default="en", show_default=True,
              help="Language of the disclosure (one message file per language).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write there instead of stdout.")
@click.option("--in-product", is_flag=True, help="Write only the short text for the in-product consent dialog.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="high", show_default=True,
              help="Warn on stderr about audit failures of this severity or above.")
@click.option("--require-pass", is_flag=True,
              help="Exit 1 and write nothing when the audit fails at or above --fail-on.")
@click.option("--as-of", callback=_as_of, metavar="DATE",
              help="Judge dates as of this day (YYYY-MM-DD) and print it as the date of last update "
                   "(default: today, not printed).")
def disclose(manifest: str, output_format: str, language: str, output: str | None, in_product: bool, fail_on: str,
             require_pass: bool, as_of: Any) -> None:
    """Write the privacy disclosure of an app manifest: what Google user data the app
    accesses and why, where it is kept and for how long, who receives it, who can read it,
    how to delete it, and the Limited Use statement.

    Everything comes from MANIFEST and the scope catalog, and nothing is claimed that the
    manifest does not support. The manifest is audited too: failures at or above --fail-on
    are printed as warnings on stderr. Exit codes: 0 written; 1 --require-pass and the audit
    failed (nothing written); 2 the manifest is invalid or the output cannot be written.
    """
    import datetime

    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.disclosure.build import build_disclosure
    from auditor.disclosure.guard import blocking_failures, format_warning
    from auditor.disclosure.render import render_disclosure
    from auditor.model.errors import AuditorError
    from auditor.manifest.load import load_manifest
    from auditor.model.text_safety import printable

    refuse_clashing_outputs([("-o/--output", output)], [manifest])
    try:
        loaded = load_manifest(manifest)
    except AuditorError as error:
        fail(error)
        return
    failures = blocking_failures(loaded, fail_on, as_of or datetime.date.today())
    for finding in failures:
        # The path and the message carry manifest text: one visible line, whatever it holds.
        click.echo(printable(format_warning(finding)), err=True)
    if failures and require_pass:
        fail(f"{printable(loaded.path)}: error: {len(failures)} audit failure(s) at or above {fail_on}; "
              "no disclosure written (--require-pass)", EXIT_AUDIT_FAILED)
        return
    text = render_disclosure(build_disclosure(loaded.model, ScopeCatalog.load()), output_format, language,
                             in_product=in_product, updated=as_of)
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    else:
        write_output(text, output)
    sys.exit(EXIT_OK)
