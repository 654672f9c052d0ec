"""Word lists per language, kept as data in ``vocabulary/<code>.yaml``.

A reviewer improves matching by editing a word list, never Python. Every term is normalised
the way policy text is (:func:`normalise_word`), so a list may be written with accents,
capitals and apostrophes as a policy would be.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditor.model.errors import AuditorError

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"
_WORD = re.compile(r"\w+")
_TOP_LEVEL = ("language", "name", "window", "detect", "api", "access", "category", "purpose", "sharing",
              "recipient_type", "storing", "location", "retention", "deletion", "security_contact", "limited_use",
              "claims", "qualifiers")


def normalise_word(word: str) -> str:
    """Lower case without accents: ``Données`` and ``donnees`` are one word."""
    folded = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in folded if not unicodedata.combining(char))


@dataclass(frozen=True)
class Term:
    """A word or phrase to look for; ``prefix`` lets its last word end in anything."""

    text: str
    words: tuple[str, ...]
    prefix: bool

    @classmethod
    def parse(cls, text: str) -> Term:
        prefix = text.rstrip().endswith("*")
        words = tuple(normalise_word(word) for word in _WORD.findall(text.replace("*", " ")))
        return cls(text.strip(), words, prefix)


Group = tuple[Term, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The word lists of one language (see ``vocabulary/en.yaml`` for what each list means)."""

    code: str
    name: str
    window: int
    detect: frozenset[str]
    raw: dict[str, Any]

    def terms(self, *path: str) -> Group:
        """The terms listed under ``path`` (``("access", "read")``); empty when not listed."""
        node: Any = self.raw
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return tuple(Term.parse(str(item)) for item in node) if isinstance(node, list) else ()

    def groups(self, *path: str) -> tuple[Group, ...]:
        """A list of term lists under ``path`` (``("retention", "duration")``)."""
        node: Any = self.raw
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, list):
            return ()
        return tuple(tuple(Term.parse(str(item)) for item in group) for group in node if isinstance(group, list))

    def api_terms(self, api: str) -> Group:
        """Words naming an API family; a family without a list is looked for by its id."""
        listed = self.terms("api", api)
        return listed or (Term.parse(api.replace("_", " ")),)


def available_languages() -> list[str]:
    return sorted(path.stem for path in VOCABULARY_DIR.glob("*.yaml"))


@cache
def load_vocabulary(code: str) -> Vocabulary:
    """The word lists of language ``code``; a malformed list is a packaging bug, said plainly."""
    from auditor.resources import load_packaged_yaml

    path = VOCABULARY_DIR / f"{code}.yaml"
    try:
        with open(path, encoding="utf-8") as handle:
            raw = load_packaged_yaml(handle)
    except FileNotFoundError:
        raise AuditorError(f"no word lists for language {code!r} (have: {', '.join(available_languages())})") from None
    if not isinstance(raw, dict) or sorted(raw) != sorted(_TOP_LEVEL):
        raise AuditorError(f"word lists {path.name} must have exactly the keys {', '.join(_TOP_LEVEL)}", str(path))
    return Vocabulary(str(raw["language"]), str(raw["name"]), int(raw["window"]),
                      frozenset(normalise_word(str(word)) for word in raw["detect"]), raw)


def detect_language(words: list[str]) -> str:
    """The language whose frequent words occur most often among ``words`` (normalised);
    English on a tie. Counting common words is crude but explainable, and policies are long."""
    best, best_count = "en", -1
    for code in available_languages():
        markers = load_vocabulary(code).detect
        count = sum(1 for word in words if word in markers)
        if count > best_count or (count == best_count and code == "en"):
            best, best_count = code, count
    return best
