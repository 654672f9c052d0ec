"""``wsaudit init``: write a starter manifest from what is known about an app.

Only click is imported at module level; the command imports what it uses, so
``wsaudit --help`` stays cheap.
"""

from __future__ import annotations

import click

from auditor.cli.common import fail, refuse_clashing_outputs, write_output
from auditor.cli.scan import CODE_FILE_LIMIT

_APP_TYPES = ("web", "installed", "mobile", "workspace_addon", "chat_app", "service")


def _emit(text: str, output: str | None, exclusive: bool = False) -> None:
    import os

    if output is not None and exclusive and os.path.lexists(output):
        fail(f"{output}: error: the file exists; give --force to overwrite it")
    write_output(text, output)


@click.command()
@click.option("--from-appsscript", "apps_script", metavar="FILE",
              help="Read the scopes (oauthScopes) and the kind of app from an Apps Script appsscript.json.")
@click.option("--from-code", "code_paths", multiple=True, type=click.Path(), metavar="PATH",
              help="Choose the scopes from the Google API calls in the code there (a folder or file; may repeat): "
                   "the least-privileged set, each with the calls that need it.")
@click.option("--scope", "scopes", multiple=True, metavar="SCOPE",
              help="A scope the app requests, full URL or short form (gmail.readonly). May repeat.")
@click.option("--name", help="The app's name as shown on the consent screen.")
@click.option("--developer", help="The legal entity that ships the app.")
@click.option("--type", "app_type", type=click.Choice(_APP_TYPES), help="The kind of app (default web).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the manifest there instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")
def init(apps_script: str | None, code_paths: tuple[str, ...], scopes: tuple[str, ...], name: str | None,
         developer: str | None, app_type: str | None, output: str | None, force: bool) -> None:
    """Write a starter app manifest.

    The scopes come from --from-appsscript, --from-code and --scope, each with its
    classification and Google's consent text as a comment; --from-code chooses the
    least-privileged scopes that authorize every Google API call in the code and names the
    calls that need each. Every field the policy rules ask about is left as a
    commented prompt to answer. The starter validates as written; `wsaudit audit` then lists
    what is still missing.
    """
    from auditor.model.errors import AuditorError
    import os

    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.manifest.starter import build_starter
    from auditor.manifest.starter_inputs import StarterInput, read_apps_script, read_code_scopes
    from auditor.model.text_safety import printable

    refuse_clashing_outputs([("-o/--output", output)], [*([apps_script] if apps_script else []), *code_paths])
    for path in code_paths:
        if not os.path.exists(path):
            fail(f"{path}: error: no such file or folder (--from-code)")
    catalog = ScopeCatalog.load()
    try:
        project = read_apps_script(apps_script) if apps_script else None
        code = read_code_scopes(code_paths, catalog, CODE_FILE_LIMIT) if code_paths else None
        text, notes = build_starter(StarterInput(tuple(scopes), name, developer, app_type, project, code), catalog)
    except AuditorError as error:
        fail(error)
    _emit(text, output, exclusive=not force)
    for note in notes:
        click.echo(f"note: {printable(note)}", err=True)
    if output is not None:
        click.echo(f"wrote {printable(output)}; answer its prompts, then run: wsaudit audit {printable(output)}",
                   err=True)
