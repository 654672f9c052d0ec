"""Rule messages: ``{a.b}`` placeholders filled from what a rule read about an element.

Every finding's message is rendered here, and so are the diff's and the reports' labels
that rules word the same way; each template is split into its pieces once.
"""

from __future__ import annotations

from typing import Any

from auditor.rules.packs import PLACEHOLDER


def render_message(template: str, subject: dict[str, Any], language: Any = None) -> str:
    """Fill ``{a.b}`` placeholders from the subject; lists are joined, a gap shows as ``(none)``.

    ``language`` (an ``auditor.rules.i18n.MessageLanguage``) words the gap and the values
    that are ours rather than the manifest's (classifications, dates) in another language;
    ``None`` is English."""
    return render_compiled(compiled_template(template), subject, language)


def render_compiled(compiled: CompiledTemplate, subject: dict[str, Any], language: Any = None) -> str:
    """:func:`render_message` of a template split by :func:`compiled_template`."""
    head, placeholders = compiled
    if not placeholders:
        return head
    none = "(none)" if language is None else language.none
    parts = [head]
    for name, path, literal in placeholders:
        # Every finding's message comes here: a placeholder that names a text through
        # mappings only, the usual case, is read inline; anything else by the general rule.
        node: Any = subject
        for part in path:
            if node.__class__ is not dict:
                node = _GAP
                break
            node = node.get(part, _GAP)
        if node.__class__ is str and language is None:
            parts.append(node)
        else:
            parts.append(_placeholder_text(subject, name, path, none, language))
        parts.append(literal)
    return "".join(parts)


# What a placeholder's path reaches when it meets something other than a mapping holding
# its next key: the general rule then words it.
_GAP: Any = object()


# Each template split once into its leading text and its placeholders, each with its name,
# path and the text that follows it: a rule's messages are rendered for every element it
# judges, in every manifest.
CompiledTemplate = tuple[str, tuple[tuple[str, tuple[str, ...], str], ...]]
_TEMPLATES: dict[str, CompiledTemplate] = {}
_TEMPLATE_CACHE_LIMIT = 4096


def compiled_template(template: str) -> CompiledTemplate:
    """``template`` split into its leading text and its placeholders (each with its name, path
    and the text after it); a template without placeholders is its own leading text."""
    compiled = _TEMPLATES.get(template)
    if compiled is None:
        pieces = PLACEHOLDER.split(template)
        compiled = (pieces[0], tuple((name, tuple(name.split(".")), literal)
                                     for name, literal in zip(pieces[1::2], pieces[2::2])))
        if len(_TEMPLATES) >= _TEMPLATE_CACHE_LIMIT:
            _TEMPLATES.clear()  # templates come from rule packs and catalogs: this is never reached in practice
        _TEMPLATES[template] = compiled
    return compiled


def _placeholder_text(subject: dict[str, Any], name: str, path: tuple[str, ...], none: str, language: Any) -> str:
    node: Any = subject
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return none
    if language is not None:
        node = language.value(name, node)
    if isinstance(node, list):
        return ", ".join(str(item) for item in node) or none
    if isinstance(node, bool):
        return "true" if node else "false"
    return none if node is None else str(node)
