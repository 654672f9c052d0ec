"""Finding words and phrases of the word lists in a policy, in time linear in its length.

The text is split once into normalised words and sentences (a sentence ends at a line break
or at ``.``, ``!``, ``?`` or ``;`` before a space, so table cells and list items are
sentences too), and every word is indexed. A term is then looked up in the index, never by
scanning the text again, and a fact is covered by the first window of consecutive sentences
that holds a term of each of its groups. ``work`` counts the steps taken, so tests can check
that the effort grows with the size of the policy and no faster.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from auditor.policy_check.source import PolicyText
from auditor.policy_check.vocabulary import Group, Term, normalise_word

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"\n|[.!?;](?=\s)")
_EXCERPT_LIMIT = 160
# No colon: a quoted "javascript:" or "data:" must not read as a link to any renderer.
_EXCERPT_KEEP = frozenset(" .,;!?'\u2019\"()-/%@+")


@dataclass(frozen=True)
class Hit:
    """One term found in the text: which term, at which word, in which sentence."""

    term: Term
    token: int
    sentence: int


@dataclass(frozen=True)
class Cover:
    """The window that covers a fact: one hit per group, in group order."""

    hits: tuple[Hit, ...]

    @property
    def first(self) -> Hit:
        return min(self.hits, key=lambda hit: hit.token)


@dataclass(frozen=True)
class Claim:
    """A blanket claim found in the text, and the qualifier that softens it, if any."""

    hit: Hit
    qualifier: Hit | None


class PolicyIndex:
    """Words and sentences of one policy text, indexed for term look-ups."""

    def __init__(self, policy: PolicyText) -> None:
        self.policy = policy
        self.work = 0
        self.words: list[str] = []
        self.starts: list[int] = []
        self.sentence_of: list[int] = []
        self.sentence_starts: list[int] = [0]
        self._positions: dict[str, list[int]] = {}
        self._found: dict[tuple[tuple[str, ...], bool], list[int]] = {}
        self._groups: dict[Group, tuple[list[int], dict[int, Term], list[int]]] = {}
        self._covers: dict[tuple[tuple[Group, ...], int], tuple[Cover | None, tuple[Hit | None, ...]]] = {}
        ends = [match.end() for match in _SENTENCE_END.finditer(policy.text)]
        normalised: dict[str, str] = {}  # each distinct spelling is normalised once
        positions, words, starts, sentence_of = self._positions, self.words, self.starts, self.sentence_of
        sentence_starts, sentence, count = self.sentence_starts, 0, len(ends)
        for match in _WORD.finditer(policy.text):
            start = match.start()
            while sentence < count and ends[sentence] <= start:
                sentence += 1
                sentence_starts.append(ends[sentence - 1])
            raw = match.group()
            word = normalised.get(raw)
            if word is None:
                word = normalised[raw] = normalise_word(raw)
            positions.setdefault(word, []).append(len(words))
            words.append(word)
            starts.append(start)
            sentence_of.append(sentence)
        self.work += len(words)
        self._vocabulary = sorted(self._positions)

    # ------------------------------------------------------------------ terms

    def occurrences(self, term: Term) -> list[int]:
        """Word positions where ``term`` starts (a phrase stays within one sentence)."""
        key = (term.words, term.prefix)
        found = self._found.get(key)
        if found is None:
            found = self._occurrences(term)
            self._found[key] = found
        return found

    def _first_word_positions(self, word: str, prefix: bool) -> list[int]:
        if not prefix:
            return self._positions.get(word, [])
        low = bisect.bisect_left(self._vocabulary, word)
        high = bisect.bisect_left(self._vocabulary, word + "\U0010ffff")
        lists = [self._positions[candidate] for candidate in self._vocabulary[low:high]]
        self.work += high - low
        if len(lists) == 1:
            return lists[0]
        merged = sorted(position for positions in lists for position in positions)
        self.work += len(merged)
        return merged

    def _occurrences(self, term: Term) -> list[int]:
        if not term.words:
            return []
        size = len(term.words)
        if size == 1:
            return self._first_word_positions(term.words[0], term.prefix)
        # Anchor the phrase on its rarest whole word, then check the words around it.
        exact = range(size - 1) if term.prefix else range(size)
        anchor = min(exact, key=lambda offset: len(self._positions.get(term.words[offset], ())))
        found = []
        last = len(self.words) - size
        words, sentence_of, wanted = self.words, self.sentence_of, term.words
        for anchored in self._positions.get(wanted[anchor], ()):
            self.work += 1
            position = anchored - anchor
            if position < 0 or position > last or sentence_of[position] != sentence_of[position + size - 1]:
                continue
            if all(words[position + offset] == wanted[offset] for offset in range(size - 1)):
                tail = words[position + size - 1]
                if tail == wanted[-1] or (term.prefix and tail.startswith(wanted[-1])):
                    found.append(position)
        return found

    def hits(self, group: Group) -> list[Hit]:
        """Every hit of any term of ``group``, in text order (one per word position)."""
        positions, terms = self._group_positions(group)
        return [Hit(terms[position], position, self.sentence_of[position]) for position in positions]

    def _group_positions(self, group: Group) -> tuple[list[int], dict[int, Term]]:
        terms: dict[int, Term] = {}
        for term in group:
            found = self.occurrences(term)
            self.work += len(found)
            for position in found:
                terms.setdefault(position, term)
        return sorted(terms), terms

    # ------------------------------------------------------------------ facts

    def cover(self, groups: tuple[Group, ...], window: int) -> tuple[Cover | None, tuple[Hit | None, ...]]:
        """The first window of ``window`` sentences holding a hit of every group, and the
        first hit of each group anywhere (to explain a failure)."""
        # Facts alike (two transfers to one recipient for one purpose) ask alike: once.
        key = (groups, window)
        known = self._covers.get(key)
        if known is None:
            known = self._covers[key] = self._cover(groups, window)
        return known

    def _cover(self, groups: tuple[Group, ...], window: int) -> tuple[Cover | None, tuple[Hit | None, ...]]:
        found = [self._group_hits(group) for group in groups]
        firsts = tuple(Hit(terms[positions[0]], positions[0], sentences[0]) if positions else None
                       for positions, terms, sentences in found)
        if not groups or any(not positions for positions, _, _ in found):
            return None, firsts
        best: tuple[int, tuple[Hit, ...]] | None = None
        for start in self._window_starts([sentences for _, _, sentences in found], window):
            chosen = []
            for positions, terms, group_sentences in found:
                self.work += 1
                index = bisect.bisect_left(group_sentences, start)
                if index == len(group_sentences) or group_sentences[index] > start + window - 1:
                    break
                position = positions[index]
                chosen.append(Hit(terms[position], position, group_sentences[index]))
            else:
                # The tightest passage wins (one sentence before two), then the earliest.
                span = max(hit.sentence for hit in chosen) - start
                if best is None or span < best[0]:
                    best = (span, tuple(chosen))
                if span == 0:
                    break
        return (Cover(best[1]) if best else None), firsts

    def _group_hits(self, group: Group) -> tuple[list[int], dict[int, Term], list[int]]:
        """:meth:`_group_positions` of ``group`` and the sentence of each position, worked
        out once per group: the facts of a manifest share most of their groups, and a
        common word's positions grow with the policy."""
        known = self._groups.get(group)
        if known is None:
            positions, terms = self._group_positions(group)
            sentence_of = self.sentence_of
            known = self._groups[group] = (positions, terms, [sentence_of[position] for position in positions])
        return known

    def _window_starts(self, sentences: list[list[int]], window: int) -> list[int]:
        """The sentences a covering window may start at, in order: those holding a hit of
        some group (each group's ``sentences`` ascending) and at most ``window - 1`` before
        a hit of the group with the fewest, which every window must hold too. Only these
        can start a cover, and there are as few of them as that group's hits allow."""
        rarest = sorted(set(min(sentences, key=len)))
        starts: set[int] = set()
        for group_sentences in sentences:
            for last in rarest:
                index = bisect.bisect_left(group_sentences, last - window + 1)
                while index < len(group_sentences) and group_sentences[index] <= last:
                    self.work += 1
                    starts.add(group_sentences[index])
                    index += 1
        return sorted(starts)

    def claims(self, group: Group, qualifiers: Group) -> list[Claim]:
        """Every hit of ``group``, each with a qualifier found in the same sentence."""
        qualified: dict[int, Hit] = {}
        for hit in self.hits(qualifiers):
            qualified.setdefault(hit.sentence, hit)
        return [Claim(hit, qualified.get(hit.sentence)) for hit in self.hits(group)]

    # ------------------------------------------------------------------ positions

    def position(self, hit: Hit) -> tuple[int, int]:
        """Line and column of ``hit`` in the source file."""
        return self.policy.position(self.starts[hit.token])

    def excerpt(self, hits: tuple[Hit, ...]) -> str:
        """The sentences spanned by ``hits``, as plain words and basic punctuation only.

        Anything else (markup characters, control and bidirectional formatting characters) is
        dropped, so a hostile page cannot smuggle markup or terminal sequences into a report.
        """
        first = min(hit.sentence for hit in hits)
        last = max(hit.sentence for hit in hits)
        start = self.sentence_starts[first]
        end = self.sentence_starts[last + 1] if last + 1 < len(self.sentence_starts) else len(self.policy.text)
        if end - start > 4 * _EXCERPT_LIMIT:
            end = start + 4 * _EXCERPT_LIMIT
        raw = self.policy.text[start:end]
        kept = "".join(char if char.isalnum() or char in _EXCERPT_KEEP else " " for char in raw)
        text = " ".join(kept.split())
        if len(text) > _EXCERPT_LIMIT:
            text = text[:_EXCERPT_LIMIT].rsplit(" ", 1)[0] + " \u2026"
        return text

    def literal(self, text: str) -> Term:
        """A term for a literal string from the manifest (a recipient's name, an address)."""
        return Term(text, tuple(normalise_word(word) for word in _WORD.findall(text)), False)
