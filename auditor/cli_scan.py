"""``wsaudit scan-code`` and ``wsaudit init``: options in, library call, exit code out.

Only click is imported at module level; each command imports what it uses, so
``wsaudit --help`` stays cheap.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor.cli_common import fail, refuse_clashing_outputs, write_output

_APP_TYPES = ("web", "installed", "mobile", "workspace_addon", "chat_app", "service")


def _size(ctx: Any, param: Any, value: Any) -> int:
    from auditor.cli_common import ByteSize

    return ByteSize().convert(value, param, ctx)


def _emit(text: str, output: str | None, exclusive: bool = False) -> None:
    import os

    if output is not None and exclusive and os.path.lexists(output):
        fail(f"{output}: error: the file exists; give --force to overwrite it")
    write_output(text, output)


@click.command("scan-code")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--manifest", "manifest_path", required=True, metavar="FILE",
              help="The app manifest whose scopes the code is compared with.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one `path:line:col: status: message` line per finding; json: the whole scan.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report there instead of stdout.")
@click.option("--max-file-size", default="1MiB", callback=_size, show_default=True, metavar="SIZE",
              help="Skip source files larger than this.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info", "never"]),
              default="high", show_default=True,
              help="Exit 1 when a finding of this severity or above fails.")
def scan_code(paths: tuple[str, ...], manifest_path: str, output_format: str, output: str | None,
              max_file_size: int, fail_on: str) -> None:
    """Find the OAuth scopes and Google API calls in PATH's code and compare them with the manifest.

    Reads Python, JavaScript/TypeScript, Apps Script (.gs, appsscript.json), Java, Kotlin,
    Go, JSON and YAML files below each PATH (and shell, Terraform, C#, PHP and Ruby files for
    scope strings), honouring .gitignore and skipping vendored folders (node_modules,
    vendor, .venv, ...). A scope used in code but not declared fails (high), and so does an
    API call no declared scope authorizes; a declared scope broader than the calls it serves
    need fails at medium, naming the scopes that would suffice; a declared scope neither seen
    nor used by a call is info; a call-like chain that matches no API method is incomplete.
    The JSON report adds the least-privileged scope set of the calls (least_privilege).

    Exit codes: 0 nothing at or above --fail-on failed; 1 something did; 2 bad input
    (missing path, unreadable or invalid manifest).
    """
    import os

    from auditor import __version__
    from auditor.catalog import ScopeCatalog
    from auditor.errors import AuditorError
    from auditor.manifest import load_manifest
    from auditor.scan_code import scan_paths
    from auditor.scan_report import failed, render_json, render_text

    refuse_clashing_outputs([("-o/--output", output)], [manifest_path, *paths])
    try:
        manifest = load_manifest(manifest_path)
    except AuditorError as error:
        fail(error)
    for path in paths:
        if not os.path.exists(path):
            fail(f"{path}: error: no such file or folder")
    report = scan_paths(paths, manifest, ScopeCatalog.load(), max_file_size)
    text = render_json(report, __version__) if output_format == "json" else render_text(report)
    _emit(text, output)
    sys.exit(1 if failed(report, fail_on) else 0)


@click.command()
@click.option("--from-appsscript", "apps_script", metavar="FILE",
              help="Read the scopes (oauthScopes) and the kind of app from an Apps Script appsscript.json.")
@click.option("--scope", "scopes", multiple=True, metavar="SCOPE",
              help="A scope the app requests, full URL or short form (gmail.readonly). May repeat.")
@click.option("--name", help="The app's name as shown on the consent screen.")
@click.option("--developer", help="The legal entity that ships the app.")
@click.option("--type", "app_type", type=click.Choice(_APP_TYPES), help="The kind of app (default web).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the manifest there instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")
def init(apps_script: str | None, scopes: tuple[str, ...], name: str | None, developer: str | None,
         app_type: str | None, output: str | None, force: bool) -> None:
    """Write a starter app manifest.

    The scopes come from --from-appsscript and --scope, each with its classification and
    Google's consent text as a comment. Every field the policy rules ask about is left as a
    commented prompt to answer. The starter validates as written; `wsaudit audit` then lists
    what is still missing.
    """
    from auditor.errors import AuditorError
    from auditor.init_manifest import StarterInput, build_starter, read_apps_script
    from auditor.text_safety import printable

    refuse_clashing_outputs([("-o/--output", output)], [apps_script] if apps_script else [])
    try:
        project = read_apps_script(apps_script) if apps_script else None
        text, notes = build_starter(StarterInput(tuple(scopes), name, developer, app_type, project))
    except AuditorError as error:
        fail(error)
    _emit(text, output, exclusive=not force)
    for note in notes:
        click.echo(f"note: {printable(note)}", err=True)
    if output is not None:
        click.echo(f"wrote {printable(output)}; answer its prompts, then run: wsaudit audit {printable(output)}",
                   err=True)
