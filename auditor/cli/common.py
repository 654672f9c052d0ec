"""What every ``wsaudit`` command shares: exit codes, the way out on bad input, option
types, and writing reports to stdout or files. Cheap to import (click only)."""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import Any, Callable, NoReturn, Sequence

import click


class ExitCode(IntEnum):
    """Each exit code means one thing, so a CI gate can tell a verdict from a crash."""

    OK = 0  # ran, nothing at or above --fail-on failed
    FINDINGS = 1  # ran, a finding at or above --fail-on failed
    USAGE = 2  # could not run as asked: bad usage or bad input
    UNREACHABLE = 3  # an endpoint could not be reached, or refused the credentials
    INTERNAL = 4  # an unexpected exception: a bug in wsaudit
    INTERRUPTED = 130  # Ctrl-C


EXIT_OK = ExitCode.OK
EXIT_FINDINGS = ExitCode.FINDINGS
EXIT_USAGE = ExitCode.USAGE

_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1024**2, "mb": 1000**2, "mib": 1024**2}


class ByteSize(click.ParamType):
    """A size such as ``5MiB``, ``512KiB`` or ``1048576`` (bytes)."""

    name = "size"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = text[len(digits):].strip()
        if not digits.isdigit() or unit not in _SIZE_UNITS:
            self.fail(f"{value!r} is not a size such as 5MiB, 512KiB or 1048576", param, ctx)
        size = int(digits) * _SIZE_UNITS[unit]
        if size <= 0:
            self.fail("the size must be positive", param, ctx)
        return size


def fail(error: Any, code: int = EXIT_USAGE) -> NoReturn:
    """Print one error line to stderr and exit (2 unless told otherwise); every command's
    way out for input it cannot use."""
    from auditor.model.errors import AuditorError
    from auditor.model.text_safety import printable

    # An AuditorError prints safe lines already (one per error of a list); a plain message
    # may quote a path or a value from outside.
    click.echo(str(error) if isinstance(error, AuditorError) else printable(str(error)), err=True)
    sys.exit(code)


max_size_option = click.option(
    "--max-size",
    type=ByteSize(),
    default="5MiB",
    show_default=True,
    help="Refuse manifest files larger than this.",
)


def _check_language(ctx: Any, param: Any, value: str) -> str:
    from auditor.rules.i18n import languages

    known = languages()
    if value not in known:
        raise click.BadParameter(f"{value!r} is not a report language (available: {', '.join(known)})")
    return value


LANG_HELP = ("Language of the report's text: rule titles, messages, remediation, citations and headings "
             "(en, fr). JSON keys and values such as statuses stay English.")


def language_option(help_text: str = LANG_HELP) -> Any:
    """``--lang``, with help that says what the command translates."""
    return click.option("--lang", default="en", show_default=True, metavar="LANG", callback=_check_language,
                        help=help_text)


lang_option = language_option()


def parse_date(ctx: Any, param: Any, value: str | None) -> Any:
    import datetime

    if value is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def pair_outputs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    if not formats:
        formats = ("text",)
    if not outputs:
        if len(formats) > 1:
            raise click.UsageError("several --format options need as many -o/--output options, one for each")
        return [(formats[0], None)]
    if len(outputs) != len(formats):
        if len(formats) == 1 and len(outputs) > 1:
            raise click.UsageError("give one --format for each -o/--output")
        raise click.UsageError("give one -o/--output for each --format, in the same order")
    return list(zip(formats, outputs))


def write_reports(report: Any, targets: list[tuple[str, str | None]], verbose: bool = False,
                  fail_on: str = "high", strict: bool = False, also: Sequence[Callable[[Any], None]] = ()) -> None:
    """Render ``report`` once per ``(format, output)`` pair of ``targets`` (from
    ``pair_outputs``); shared by every command that writes a findings report. ``fail_on``
    and ``strict`` are the run's gate, which verdicts in the reports follow. ``also`` are
    further uses of the same report, each a function of it (writing a baseline, say).

    A one-pass report stream is read once, feeding every format as it goes
    (:func:`auditor.reporters.fan_out.render_each`), so memory stays flat for any number of
    formats; an immutable report is rendered once per format."""
    from functools import partial

    from auditor.reporters import RenderOptions, renderer

    renderings: list[Callable[[Any], None]] = []
    for output_format, output in targets:
        options = RenderOptions(color=output is None and use_color(), verbose=verbose, fail_on=fail_on, strict=strict,
                                quiet=quiet(), width=terminal_width() if output is None else None)
        renderings.append(partial(render_to, renderer(output_format), options=options, output=output))
    renderings.extend(also)
    if hasattr(report, "with_results"):
        from auditor.reporters.fan_out import render_each

        render_each(report, renderings)
        return
    for rendering in renderings:
        rendering(report)


def render_to(render: Any, report: Any, options: Any, output: str | None) -> None:
    """Render to stdout, or atomically into ``output`` (the old file stays until the new one
    is complete)."""
    from auditor.cli.output_files import OutputError, atomic_text_file

    if output is None:
        render(report, sys.stdout, options)
        sys.stdout.flush()
        return
    try:
        with atomic_text_file(output) as handle:
            render(report, handle, options)
    except OutputError as error:
        fail(error)


def write_output(text: str, output: str | None) -> None:
    """Write ``text`` to stdout, or atomically into ``output``."""
    from auditor.cli.output_files import OutputError, write_text_atomically

    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_text_atomically(output, text)
    except OutputError as error:
        fail(error)


def report_errors(errors: list[Any]) -> int:
    """Print per-input errors collected during a run; the exit code they call for (0 when
    there are none): 4 when one of them is a bug in wsaudit, else 2."""
    from auditor.model.errors import InternalError

    internal = False
    for error in errors:
        if isinstance(error, InternalError):
            internal = True
            if wants_traceback():
                click.echo(_secret_safe(error.trace).rstrip("\n"), err=True)
        click.echo(str(error), err=True)
    if internal:
        return ExitCode.INTERNAL
    return ExitCode.USAGE if errors else ExitCode.OK


def exit_code_for(report: Any, fail_on: str, strict: bool = False) -> int:
    """The exit code of a judging command once its report is rendered: the inputs it could
    not judge first (4 for a bug, 2 for bad input), then the gate (1 when a finding at or
    above ``fail_on`` failed, else 0)."""
    return report_errors(list(report.errors)) or (ExitCode.FINDINGS if report.failed(fail_on, strict)
                                                  else ExitCode.OK)


def refuse_clashing_outputs(outputs: list[tuple[str, str | None]], inputs: list[str]) -> None:
    """Exit 2 before any work when an output would overwrite an input or another output."""
    from auditor.cli.output_files import OutputError, check_outputs

    try:
        check_outputs(outputs, inputs)
    except OutputError as error:
        fail(error)


def refuse_repeated_stdin(arguments: tuple[str, ...] | list[str]) -> None:
    """Exit 2 when ``-`` (standard input, readable once) is among ``arguments`` twice."""
    from auditor.cli.output_files import OutputError, check_single_stdin

    try:
        check_single_stdin(arguments)
    except OutputError as error:
        fail(error)


def apply_config(ctx: click.Context, path: str | None, disabled: bool) -> None:
    """Make the configuration file's settings the defaults of every command (the group's
    callback runs before a command reads its options, so command-line values still win)."""
    from auditor.cli.config import Config, ConfigError, find_config, load_config

    config = Config()
    if not disabled:
        found = path or find_config()
        try:
            config = load_config(found) if found else Config()
        except ConfigError as error:
            fail(error)
    ctx.default_map = config.default_map()
    ctx.meta["wsaudit.config"] = config


# How the text output of the running command looks: set by the options of
# :func:`output_style_options`, read by :func:`use_color`, :func:`quiet` and the reporters.
_style = {"color": "auto", "quiet": False}


def _remember_style(ctx: Any, param: Any, value: Any) -> None:
    if value is not None:
        _style[param.name] = value


color_option = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, expose_value=False,
    callback=_remember_style, help="Colour in text output: auto is on a terminal only, and off when NO_COLOR is set.")
quiet_option = click.option(
    "-q", "--quiet", is_flag=True, default=False, expose_value=False, callback=_remember_style,
    help="Text output: only what fails (no passes, headers, progress or summary).")


def output_style_options(command: Any) -> Any:
    """``--color auto|always|never`` and ``-q/--quiet``, shared by every judging command."""
    return color_option(quiet_option(command))


def quiet() -> bool:
    return bool(_style["quiet"])


def use_color(stream: Any = None) -> bool:
    """Whether to colour text written to ``stream`` (stdout by default)."""
    import os

    if _style["color"] != "auto":
        return _style["color"] == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return (stream or sys.stdout).isatty()


def terminal_width(stream: Any = None) -> int | None:
    """The width to fit text to: the terminal's (or ``COLUMNS``) when ``stream`` is a
    terminal, else ``None`` (a file or a CI log keeps whole lines)."""
    import os
    import shutil

    if not (stream or sys.stdout).isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 20 else shutil.get_terminal_size().columns


# 128 + SIGPIPE, as a shell reports a writer whose reader went away.
CLOSED_PIPE = 141
TRACEBACK_VARIABLE = "WSAUDIT_TRACEBACK"
_want_traceback = False


def remember_traceback_flag(ctx: Any, param: Any, value: bool) -> None:
    """Callback of the global ``--traceback`` flag."""
    global _want_traceback
    _want_traceback = _want_traceback or bool(value)


def wants_traceback() -> bool:
    import os

    return _want_traceback or os.environ.get(TRACEBACK_VARIABLE, "") not in ("", "0")


def report_internal_error(command: str, message: str, trace: str) -> None:
    """One line on stderr for a bug (the traceback too when asked for it)."""
    from auditor import __version__

    if wants_traceback():
        click.echo(trace.rstrip("\n"), err=True)
    click.echo(f"{command}: {message}. This is a bug in wsaudit {__version__}, not in your input: please report "
               f"it with the command line and, if you can, the input. Run with --traceback (or "
               f"{TRACEBACK_VARIABLE}=1) to see where it happened.", err=True)


def _discard_partial_outputs() -> None:
    """Remove any report still being written when Ctrl-C came (the old file stays)."""
    writer = sys.modules.get("auditor.cli.output_files")
    if writer is not None:
        writer.discard_partial_outputs()


def _secret_safe(text: str) -> str:
    """``text`` with every secret the probe registered masked (the probe may not be loaded)."""
    redaction = sys.modules.get("auditor.probe.redaction")
    return redaction.redact(text) if redaction is not None else text


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def _collect_cycles_less_often() -> None:
    """The command owns its process: let the cyclic garbage collector wait for 10,000 new
    containers instead of Python's 700. An audit builds and drops many small objects per
    manifest and makes almost no cycles; at the default the collector ran over a thousand
    times per thousand manifests, about 7% of the audit's CPU, and it still runs (memory
    stays bounded, by about as many objects as it waits for)."""
    import gc

    _young, *older = gc.get_threshold()
    gc.set_threshold(10_000, *older)


def run_command(group: click.Group, argv: list[str] | None = None) -> NoReturn:
    """Run the ``wsaudit`` group and exit with a code that means one thing (:class:`ExitCode`):
    click's usage errors 2, Ctrl-C 130 (never click's "Aborted!" with 1), an unexpected
    exception 4 with one line instead of a traceback."""
    args = sys.argv[1:] if argv is None else argv
    command = "wsaudit " + next((arg for arg in args if not arg.startswith("-")), "").strip()
    _collect_cycles_less_often()
    from auditor.cli import interrupts

    interrupts.install()
    try:
        result = group.main(args=args, prog_name="wsaudit", standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
    except SystemExit as exc:
        # click turns a closed output pipe into exit 1, the code of failing findings; it
        # leaves its mark by wrapping stdout.
        closed_pipe = exc.code == 1 and isinstance(sys.stdout, click.utils.PacifyFlushWrapper)
        code = CLOSED_PIPE if closed_pipe else exc.code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = ExitCode.USAGE
    except (KeyboardInterrupt, click.exceptions.Abort):
        _discard_partial_outputs()
        click.echo(f"{command.strip()}: interrupted; no output file was changed", err=True)
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        # Whoever read the output stopped reading (``| head``): leave quietly, as a killed
        # pipe writer would, without a second error while Python flushes stdout at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = CLOSED_PIPE
    except Exception as exc:
        import traceback

        message = _printable(_secret_safe(f"internal error: {type(exc).__name__}: {exc}"))[:500]
        report_internal_error(command.strip(), message, _secret_safe("".join(traceback.format_exception(exc))))
        code = ExitCode.INTERNAL
    sys.exit(code if code is None or isinstance(code, str) else int(code))
