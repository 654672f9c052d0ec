"""What every ``wsaudit`` command shares: exit codes, the way out on bad input, option
types, and writing reports to stdout or files. Cheap to import (click only)."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

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
    click.echo(str(error), err=True)
    sys.exit(code)


max_size_option = click.option(
    "--max-size",
    type=ByteSize(),
    default="5MiB",
    show_default=True,
    help="Refuse manifest files larger than this.",
)


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
                  fail_on: str = "high", strict: bool = False) -> None:
    """Render ``report`` once per ``(format, output)`` pair of ``targets`` (from
    ``pair_outputs``); shared by every command that writes a findings report. ``fail_on``
    and ``strict`` are the run's gate, which verdicts in the reports follow."""
    from auditor.reporters import RenderOptions, renderer

    if len(targets) > 1:
        report.materialize()
    for output_format, output in targets:
        options = RenderOptions(color=output is None and use_color(), verbose=verbose, fail_on=fail_on, strict=strict)
        render_to(renderer(output_format), report, options, output)


def render_to(render: Any, report: Any, options: Any, output: str | None) -> None:
    if output is None:
        render(report, sys.stdout, options)
        sys.stdout.flush()
        return
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            render(report, handle, options)
    except OSError as exc:
        fail(f"{output}: error: cannot write: {exc.strerror or exc}")


def write_output(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        fail(f"{output}: error: cannot write: {exc.strerror or exc}")


def use_color() -> bool:
    import os

    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()
