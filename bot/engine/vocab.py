"""The engine's word sets, derived once from the vocabulary (knowledge/vocab.yaml) and the kind
registry (bot/knowledge/models.py). No word lists are written here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.knowledge.loader import VOCAB_FILE, load_vocab
from bot.knowledge.models import KINDS
from bot.knowledge.vocab import Vocab, inflect
from bot.settings import default_knowledge_dir


@cache
def shipped_vocab() -> Vocab:
    """The vocabulary shipped with the bot, for knowledge bases that bring none."""
    return load_vocab(default_knowledge_dir() / VOCAB_FILE)


@dataclass(frozen=True)
class Lexicon:
    vocab: Vocab
    intents: dict[str, frozenset[str]]  # intent -> its words and phrases
    kind_words: dict[str, str]  # "specialties" -> "specialty" (a kind)
    stopwords: frozenset[str]
    greetings: frozenset[str]
    domain: frozenset[str]
    coding: frozenset[str]
    weak_domain: frozenset[str]
    everyday: frozenset[str]
    study_terms: frozenset[str]
    not_credentials: frozenset[str]
    rn_nursing: frozenset[str]
    about_me: frozenset[str]
    newcomer: frozenset[str]
    self_profession: frozenset[str]
    certification_words: frozenset[str]
    part_starters: frozenset[str]
    common: frozenset[str]
    everyday_intents: frozenset[str]
    lead_ins: frozenset[str]
    about: tuple[str, ...]
    refers: frozenset[str]
    national_figure: frozenset[str]
    moving: frozenset[str]
    off_domain: frozenset[str]
    profession: re.Pattern[str]
    specialty: re.Pattern[str]
    national: frozenset[str]
    short_places: frozenset[str]
    ambiguous_codes: frozenset[str]
    hard_codes: frozenset[str]
    pay_verbs: frozenset[str]
    uncovered: frozenset[str]
    exam_words: frozenset[str]
    logistics: frozenset[str]
    logistics_with_credential: frozenset[str]
    guide_years: frozenset[str]
    study_ignore: frozenset[str]

    @classmethod
    def build(cls, vocab: Vocab) -> Lexicon:
        intents: dict[str, frozenset[str]] = {n: w.forms for n, w in vocab.intents.items()}
        kind_words = {
            form: name
            for name, model in KINDS.items()
            for noun in model.spec.words
            for form in inflect(noun, "noun")
        }
        one_word_intents = frozenset(w for words in intents.values() for w in words if " " not in w)
        stopwords = vocab.stopwords.forms
        domain = vocab.domain.forms
        return cls(
            vocab=vocab,
            intents=intents,
            kind_words=kind_words,
            stopwords=stopwords,
            greetings=vocab.greetings.forms,
            domain=domain,
            coding=vocab.coding.forms,
            weak_domain=vocab.weak_domain.forms,
            everyday=vocab.everyday.forms,
            study_terms=vocab.study_terms.forms,
            not_credentials=vocab.not_credentials.forms | vocab.study_terms.forms,
            rn_nursing=vocab.rn_nursing.forms,
            about_me=vocab.about_me.forms,
            newcomer=vocab.newcomer.forms,
            self_profession=vocab.self_profession.forms,
            certification_words=vocab.certification_words.forms,
            part_starters=vocab.part_starters.forms,
            common=vocab.common.forms,
            everyday_intents=vocab.everyday_intents.forms,
            lead_ins=vocab.follow_up.lead_ins.forms,
            about=tuple(sorted(vocab.follow_up.about.forms)),
            refers=vocab.follow_up.refers.forms,
            national_figure=vocab.national_figure.forms,
            moving=vocab.moving.forms,
            off_domain=vocab.off_domain.forms,
            profession=re.compile(vocab.profession_pattern),
            specialty=re.compile(vocab.specialty_pattern),
            national=vocab.national.forms,
            short_places=vocab.short_places.forms,
            ambiguous_codes=vocab.ambiguous_codes.forms,
            hard_codes=vocab.hard_codes.forms,
            pay_verbs=vocab.pay_verbs.forms,
            uncovered=vocab.uncovered.forms,
            exam_words=vocab.exam_logistics.exam.forms,
            logistics=vocab.exam_logistics.logistics.forms,
            logistics_with_credential=vocab.exam_logistics.with_credential.forms,
            guide_years=frozenset(str(y) for y in vocab.guide_years),
            study_ignore=stopwords | domain | one_word_intents | vocab.study_ignore.forms,
        )

    @property
    def one_word_intents(self) -> frozenset[str]:
        return frozenset(w for words in self.intents.values() for w in words if " " not in w)
