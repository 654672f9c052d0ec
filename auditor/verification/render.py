"""The verification answers as a Markdown or HTML document a team can paste from.

Built once as a small neutral outline (headings, paragraphs, bullet lists, tables), then
written in either format. Every value from the manifest is escaped for the format it lands
in: Markdown escapes for Markdown, HTML escaping for HTML, and control or bidi formatting
characters are shown as visible escapes in both.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from auditor.verification.readiness import Readiness

_DEMO_SIGN_IN = ("The sign-in flow from the start, with the OAuth consent screen in English and the app's "
                 "OAuth client ID visible in the browser's address bar")


@dataclass(frozen=True)
class Text:
    """Running text: ``parts`` alternate our own words (str) and values to escape (Value)."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Value:
    text: str
    code: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    text: Text


@dataclass(frozen=True)
class Bullets:
    items: tuple[Text, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Text, ...], ...]


def _t(*parts: Any) -> Text:
    return Text(tuple(parts))


def _v(value: Any, code: bool = False) -> Value:
    return Value(str(value), code)


def outline(r: Readiness) -> list[Any]:
    """The document, format-neutral."""
    blocks: list[Any] = [Heading(1, _t("OAuth verification answers: ", _v(r.app))),
                         _t("From the manifest ", _v(r.manifest, code=True), f", as of {r.as_of.isoformat()}.")]
    blocks.append(Heading(2, _t("Does the app need verification?")))
    audience = {"internal": "internal: only accounts of the developer's own Google Workspace organisation",
                "external": "external: anyone with a Google account"}.get(str(r.audience), "not stated (app.audience)")
    counts = {c: sum(1 for s in r.scopes if s.classification == c) for c in ("restricted", "sensitive")}
    verdict = {True: "Yes: an external app with sensitive or restricted scopes must pass OAuth verification.",
               False: "No OAuth verification is needed.",
               None: "Unknown until app.audience is stated."}[r.needs_verification]
    blocks.append(Bullets((_t(f"Audience: {audience}"),
                           _t(f"Restricted scopes: {counts['restricted']}; sensitive scopes: {counts['sensitive']}"),
                           _t(verdict))))
    blocks.append(Heading(2, _t("App domain (brand verification)")))
    rows = tuple((_t(label), _t(_v(url or "not stated", code=bool(url))), _t(_v(domain or "—")))
                 for label, url, domain in (("Homepage", r.homepage, r.domains[0]),
                                            ("Privacy policy", r.privacy_policy, r.domains[1])))
    blocks.append(Table(("Page", "URL", "Registrable domain"), rows))
    if r.domains[0] and r.domains[0] == r.domains[1]:
        blocks.append(_t("Authorized domain for the OAuth consent screen: ", _v(r.domains[0], code=True)))
    if r.scopes:
        blocks.append(Heading(2, _t("Scopes and justifications")))
        for answer in r.scopes:
            blocks.append(Heading(3, _t(_v(answer.scope, code=True), f" ({answer.classification})")))
            demo = [_t(_DEMO_SIGN_IN), _t("The consent screen granting ", _v(answer.scope, code=True))]
            demo += [_t("The feature ", _v(feature), " using the data, end to end") for feature in answer.features]
            blocks.append(Bullets((
                _t("What Google's consent screen says: ", _v(answer.description)),
                _t("Justification to paste: ", _v(answer.justification) if answer.justification else "MISSING"),
            )))
            blocks.append(_t("The demo video must show:"))
            blocks.append(Bullets(tuple(demo) if answer.features else
                                  (*demo, _t("MISSING: no feature is listed for this scope (scopes[].features)"))))
    if any(s.classification == "restricted" for s in r.scopes):
        blocks.append(Heading(2, _t("Security assessment (restricted scopes)")))
        if r.casa_date and r.casa_due:
            blocks.append(_t(f"Last assessment: {r.casa_date.isoformat()}. Next one due by {r.casa_due.isoformat()} "
                             "(12 calendar months later)."))
        else:
            blocks.append(_t("No assessment date is stated (security.casa.date)."))
    missing = [f for f in r.findings if f.status in ("fail", "incomplete")]
    blocks.append(Heading(2, _t("Missing before you submit")))
    if missing:
        blocks.append(Bullets(tuple(_t(f"{f.status}: {f.rule_id} at ", _v(f"{f.manifest}:{f.line}:{f.column}", True),
                                       ": ", _v(f.message)) for f in missing)))
    else:
        blocks.append(_t("Nothing: every answer above is complete."))
    return blocks


def _markdown_text(text: Text) -> str:
    from auditor.reporters.templating import escape_markdown_text

    from auditor.model.text_safety import printable

    out = []
    for part in text.parts:
        if not isinstance(part, Value):
            out.append(part)
            continue
        shown = " ".join(printable(part.text).split())
        # A code span shows a URL or path as it is, and nothing inside one is Markdown or a
        # mention; a value holding a backtick could end the span early, so it is escaped instead.
        out.append(f"`{shown}`" if part.code and "`" not in shown and shown else escape_markdown_text(part.text))
    return "".join(out)


def render_markdown(blocks: list[Any]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + _markdown_text(block.text), ""]
        elif isinstance(block, Bullets):
            lines += [f"- {_markdown_text(item)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            lines.append("| " + " | ".join(block.header) + " |")
            lines.append("|" + "---|" * len(block.header))
            lines += ["| " + " | ".join(_markdown_text(cell) for cell in row) + " |" for row in block.rows]
            lines.append("")
        else:
            lines += [_markdown_text(block), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _html_text(text: Text) -> str:
    from auditor.model.text_safety import printable

    out = []
    for part in text.parts:
        if isinstance(part, Value):
            escaped = html.escape(printable(part.text))
            out.append(f"<code>{escaped}</code>" if part.code else f"<bdi>{escaped}</bdi>")
        else:
            out.append(html.escape(part))
    return "".join(out)


def render_html(blocks: list[Any], title: str) -> str:
    from auditor.model.text_safety import printable

    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_html_text(block.text)}</h{block.level}>")
        elif isinstance(block, Bullets):
            body.append("<ul>" + "".join(f"<li>{_html_text(item)}</li>" for item in block.items) + "</ul>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{html.escape(cell)}</th>" for cell in block.header)
            rows = "".join("<tr>" + "".join(f"<td>{_html_text(cell)}</td>" for cell in row) + "</tr>"
                           for row in block.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            body.append(f"<p>{_html_text(block)}</p>")
    style = ("body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3rem .6rem;text-align:left}"
             "code{overflow-wrap:anywhere}")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            f"<title>{html.escape(printable(title))}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def render_readiness(readiness: Readiness, output_format: str) -> str:
    """The answers document in ``markdown`` or ``html``."""
    blocks = outline(readiness)
    if output_format == "html":
        return render_html(blocks, f"OAuth verification answers: {readiness.app}")
    return render_markdown(blocks)
