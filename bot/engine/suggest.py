"""'Did you mean': the entries whose names look most like a question's content words, for a
question nothing answered (rapidfuzz's token_set_ratio, a cutoff, only hits close to the best)."""

from __future__ import annotations

from collections.abc import Set

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.engine.reading import split
from bot.knowledge.loader import KnowledgeBase


class Suggestions:
    def __init__(self, kb: KnowledgeBase, phrases: dict[str, str], filler: Set[str]) -> None:
        self.kb = kb
        self.phrases = phrases  # every name and alias, normalised, and its entry
        self.filler = filler  # words that say nothing of which entry is meant
        # Only names sharing a word's first three letters with the question are worth scoring.
        self.by_prefix: dict[str, set[str]] = {}
        for choice in phrases:
            for word in choice.split():
                self.by_prefix.setdefault(word[:3], set()).add(choice)

    def ids(
        self, text: str, limit: int = 3, kinds: tuple[str, ...] = (), cutoff: float = 70
    ) -> list[str]:
        """Entry ids whose names look most like the question's content words (of `kinds`
        only, when given)."""
        words = [t for t in split(text)[0] if t not in self.filler]
        query = default_process(" ".join(words))[:200]
        if not query:
            return []
        pool = sorted({c for w in words for c in self.by_prefix.get(w[:3], ())})
        if not pool:
            return []
        found = process.extract(
            query,
            pool,
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=limit * 8,
        )
        ids: list[str] = []
        best = found[0][1] if found else 0
        for choice, score, _ in found:
            if score < best - 8:
                break
            entry_id = self.phrases[choice]
            if kinds and self.kb.entries[entry_id].kind not in kinds:
                continue
            if entry_id not in ids:
                ids.append(entry_id)
            if len(ids) == limit:
                break
        return ids
