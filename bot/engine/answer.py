"""The engine's output: a structured answer that the CLI prints and the cogs turn into embeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True)
class Answer:
    query: str
    answered: bool
    topic: str | None
    title: str
    lead: str
    fields: tuple[Field, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    # Entry ids behind `suggestions`, in the same order (for "did you mean" buttons).
    suggestion_ids: tuple[str, ...] = field(default=(), compare=False)
    entries: tuple[str, ...] = ()
    intents: tuple[str, ...] = field(default=(), compare=False)
    # The routing rule that answered (bot/engine/rules.py): why this answer, not another.
    rule: str = field(default="", compare=False)
    # What the guide has no figure for, when the answer names it as a gap ("Ohio", "the XYZ
    # credential"): such a question is logged as one the guide could not fully answer.
    gap: str | None = field(default=None, compare=False)

    def but(self, **changes: Any) -> Answer:
        """A copy with some fields changed: `dataclasses.replace` without its per-call field
        introspection, which cost more than the rest of routing (Answer has no __post_init__
        and no derived fields, so copying the instance dict is the same thing)."""
        unknown = changes.keys() - self.__dataclass_fields__.keys()
        if unknown:
            raise TypeError(f"Answer has no field(s) {', '.join(sorted(unknown))}")
        new = object.__new__(Answer)
        new.__dict__.update(self.__dict__, **changes)
        return new

    @property
    def text(self) -> str:
        """The whole answer as plain text: every figure the answer states is in it."""
        lines = [self.lead]
        lines += [f"- {f.name}: {f.value}" for f in self.fields]
        lines += list(self.notes)
        if self.suggestions and not self.answered:
            lines.append("Did you mean: " + "; ".join(self.suggestions) + "?")
        if self.sources:
            lines.append("Source: " + "; ".join(self.sources))
        return "\n".join(line for line in lines if line)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of `medcode-bot ask --json`."""
        return {
            "query": self.query,
            "answered": self.answered,
            "topic": self.topic,
            "title": self.title,
            "text": self.text,
            "fields": [{"name": f.name, "value": f.value} for f in self.fields],
            "sources": list(self.sources),
            "suggestions": list(self.suggestions),
            "entries": list(self.entries),
            "rule": self.rule,
        }
