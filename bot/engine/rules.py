"""Routing: an ordered table of named rules. The first rule that answers wins, and the answer
records its name (`ask --json` shows it as `rule`: the first thing to look at when a question
goes wrong). Rules marked `final` answer as they are; the others then get the notes every
answer gets (an amount placed, exam logistics, a place or year the guide has no figure for)."""

from __future__ import annotations

from dataclasses import replace

from bot.engine import advice, amounts, rankings
from bot.engine.answer import Answer
from bot.engine.compare import one, several
from bot.engine.explain import (
    against_median,
    figure_gap,
    issuer_of,
    premium,
    stands_for,
    why,
)
from bot.engine.question import Context, Question, Route
from bot.engine.study import asks_for_a_code, code_lookup, might_be_a_code, tip_answer
from bot.knowledge.models import KINDS, Credential, Entry, Place, State, Topic

# Intents a study question may have; any other makes it a career question.
STUDY_INTENTS = frozenset({"meaning", "compare", "list", "skills"})
# Intents that fall back to a default entry even without a coding word ("what does it pay").
ALWAYS_DEFAULT = frozenset({"pay"})


# -- the rules, in the order they are tried ---------------------------------------------------
def greeting(ctx: Context, q: Question) -> Answer | None:
    if not q.a.greeting or q.a.hits:
        return None
    return ctx.c.unanswered(
        q.query,
        "Hi! I answer questions about medical coding pay, credentials, states, specialties and "
        f"careers from a {ctx.c.guide_year()} salary and career guide. Try: what does CRC pay? "
        "· coder salary in California · CPC vs CCS",
        suggest=False,
    )


def code(ctx: Context, q: Question) -> Answer | None:
    """ "what is CPT 99214", "what does 99213 mean": declined, unless it names a credential,
    state, ... as well, or asks about pay ("is 45000 good")."""
    if not might_be_a_code(q.text):
        return None  # no code-shaped token at all: the common case, decided by one search
    money = bool(q.a.intents & {"pay", "highest", "lowest"})
    meaning = "meaning" in q.a.intents and not money
    content = [t for t in q.a.tokens if t not in ctx.c.lex.stopwords]
    words = len(content) if not money else 99
    if not asks_for_a_code(q.text, meaning, words) or any(
        not isinstance(e, Topic) for e in _named(ctx, q)
    ):
        return None
    return code_lookup(ctx.c, ctx.study, q.query, q.text)


def _everyday_only(ctx: Context, q: Question) -> bool:
    """ "how long", "best", "top 5", "how many years": intent words of everyday talk and
    nothing else, no name, kind, amount or word of coding. They name nothing of the guide."""
    a = q.a
    if a.hits or not a.intent_words or a.kinds or a.amount is not None or a.years is not None:
        return False
    if "pay" in a.intents or a.figure_owner is not None:
        return False  # "how much is 55000", "what is 14,800": about the guide's figures
    everyday = ctx.c.lex.everyday_intents | ctx.c.lex.stopwords
    return all(w in everyday for phrase in a.intent_words for w in phrase.split())


def off_topic(ctx: Context, q: Question) -> Answer | None:
    """Words the guide does not know and nothing of coding ("how long to boil an egg",
    "remote control not working", "best pizza near me"): a study tip with strong evidence,
    else unanswered. Never a table of salaries that happened to share a word."""
    a = q.a
    if a.strong or a.off_domain or not (a.unknown_words or _everyday_only(ctx, q)):
        return None
    if "plan" in a.intents and a.years is not None:
        return None  # "what should I focus on after 10 yrs": a stage of the plan
    if not (a.hits or a.keywords or a.intents or a.kinds):
        return None  # nothing would answer it anyway: the last rule says so
    if a.intents <= STUDY_INTENTS and (tip := ctx.study.search(q.text)) is not None:
        return tip_answer(q.query, tip)
    if set(a.tokens) & ctx.c.lex.study_terms:  # a study question no tip answers
        return nothing(ctx, q)
    return _not_coding(ctx, q)


def _not_coding(ctx: Context, q: Question) -> Answer:
    return ctx.c.unanswered(
        q.query,
        f"That does not look like a medical coding question, so the {ctx.c.guide_year()} "
        "career guide has nothing on it.",
        suggest_from=q.text,
    )


def study_named(ctx: Context, q: Question) -> Answer | None:
    """ "cardiology coder here, what do the LD LC RC modifiers mean": a study question that
    names a specialty, credential or place is still a study question. The tip found by the
    question's other words wins over the name, unless the question also asks about pay or a
    career in words the tip does not use ("payment" of "anesthesia payment" is the tip's)."""
    a = q.a
    if not q.entries:
        return None
    named = {i for hit in a.hits for i in range(hit.start, hit.end)}
    own = ctx.study.stems(t for i, t in enumerate(a.tokens) if i not in named)
    if not own:
        return None  # "Vermont coding pay": nothing but the name and words of no tip
    names = ctx.study.stems(a.tokens[i] for i in named)
    tip = ctx.study.search_words(own | names, names)
    if tip is None:
        return None
    phrases = ctx.c.matcher.intent_phrases
    asked = {phrases[p] for p in a.intent_words if p in phrases and not ctx.study.mentions(tip, p)}
    return tip_answer(q.query, tip) if asked <= STUDY_INTENTS else None


def _named(ctx: Context, q: Question) -> list[Entry]:
    return [ctx.c.kb.entries[i] for i in q.a.entity_ids]


def ambiguous(ctx: Context, q: Question) -> Answer | None:
    close = [h for h in q.a.hits if h.runner_up]
    if not close or q.a.keywords or len(q.a.entity_ids) != 1:
        return None
    hit = close[0]
    return ctx.c.unanswered(
        q.query,
        "I am not sure which one you mean.",
        ids=[hit.entry_id, hit.runner_up or ""],
        suggest_from=q.text,
    )


def uncovered_ranking(ctx: Context, q: Question) -> Answer | None:
    """ "which employer pays the best": the guide ranks no employers."""
    if not (q.ranking and q.a.unknown_place) or not all(
        isinstance(e, Topic) for e in _named(ctx, q)
    ):
        return None
    return ctx.c.unanswered(
        q.query, f"The guide has no figures for {q.a.unknown_place}.", suggest_from=q.text
    )


def off_domain(ctx: Context, q: Question) -> Answer | None:
    if not q.a.off_domain or set(q.a.tokens) & ctx.c.lex.coding:
        return None
    if q.a.own_profession and (q.entries or q.a.intents & {"path", "plan"}):
        return None  # "I'm a nurse thinking about CDI": the asker's past, not the subject
    if "pay" not in q.a.intents:
        if any(not isinstance(e, Topic) and not e.spec.everyday for e in q.entries):
            return None  # "become a CDI specialist without nursing": the career is the subject
        return _not_coding(ctx, q)  # "a good dentist in Boston": a place is not a career
    return ctx.c.unanswered(
        q.query,
        f"The guide covers medical coding careers only; it has nothing on {q.a.off_domain[0]} pay.",
        suggest_from=q.text,
    )


def _asker_years(q: Question) -> float | None:
    if q.a.years is not None:
        return q.a.years
    if q.a.newcomer:
        return advice.NEWCOMER_YEARS
    return advice.years_of(q.entries) if q.a.about_me else None


def plan_stage(ctx: Context, q: Question) -> Answer | None:
    """ "I just passed my CPC, what should I do next", "how do I keep moving up": the stage
    of the guide's year-by-year plan for where the asker is (the whole plan if unknown)."""
    a = q.a
    # "5+ yrs coding, whats next": with years and no level named, the next step is the plan's.
    levels = [e for e in q.entries if e.kind == "career_level"]
    onward = bool(a.intents & {"next", "path"})
    asked = (
        "plan" in a.intents
        or (a.about_me and onward and (a.newcomer or a.years is not None))
        or (onward and a.years is not None and not levels)
    )
    # "the best next steps": without pay or a kind named, "best" ranks no figure.
    ranks = q.ranking and ("pay" in a.intents or q.kinds)
    if not asked or ranks or "compare" in a.intents:
        return None
    if any(e.kind == "plan_stage" for e in q.entries):
        return None  # "year 2-5": the one rule describes it
    if not (a.strong or a.about_me or a.years is not None):
        return None
    if levels and "next" in a.intents and not a.newcomer:
        return None  # "I'm a coding supervisor, what comes next": the ladder's next step
    years = _asker_years(q)
    if years is None and "plan" in a.intents:  # "what should a mid-career coder work on"
        years = advice.years_of(q.entries)
    if years is None and (q.entries or not a.strong):
        return None  # "salary plan": the entry named answers it; "what do I do with my life"
    asker = a.about_me or a.newcomer or a.years is not None
    return advice.plan(ctx.c, q.query, years, q.entries, asker)


def about_you(ctx: Context, q: Question) -> Answer | None:
    """ "I'm a CPC with 3 years in cardiology, how much should I make": every figure that
    fits who the asker says they are, not a comparison of their own credentials."""
    a = q.a
    if not a.about_me or q.ranking or a.intents & {"compare", "next", "previous"}:
        return None
    years = a.years if a.years is not None else advice.NEWCOMER_YEARS if a.newcomer else None
    named = [e for e in q.entries if not isinstance(e, Topic)]
    if len(named) < len(q.entries):
        return None  # a topic is the subject ("can I work remote from Mississippi")
    if not named or (len(named) < 2 and years is None):
        return None
    if _moving(ctx, q, named):
        return None  # "I moved from Arkansas to Hawaii": a comparison of the two
    if "path" in a.intents and len(named) >= 2:
        # "I have the CRC and want to move into auditing": the last named is where they go.
        target = named[-1]
        answer = one(ctx.c, q.query, target, a.intents)
        have = ", ".join(ctx.c.label(e) for e in named[:-1])
        return replace(answer, notes=(*answer.notes, f"What you have already: {have}."))
    return advice.profile(ctx.c, q.query, named, years, a.intents | {"pay"}, a.amount)


def _moving(ctx: Context, q: Question, named: list[Entry]) -> bool:
    places = [e for e in named if isinstance(e, State | Place)]
    return len(places) >= 2 and not ctx.c.lex.moving.isdisjoint(q.a.tokens)


def ranking(ctx: Context, q: Question) -> Answer | None:
    if not q.ranking or not (q.kinds or not q.entries) or len(q.entries) >= 2:
        return None
    direction = "lowest" if "lowest" in q.ranking and "highest" not in q.ranking else "highest"
    kind = q.kinds[0] if q.kinds else None
    named = _named(ctx, q)
    answer = rankings.ranking(ctx.c, q.query, kind, direction, q.a.intents, q.a.ordinal, named)
    count = q.a.count
    if count is None or q.a.ordinal is not None or not 1 <= count < len(answer.fields):
        return answer
    shown = answer.fields[:count]
    return replace(answer, fields=shown, lead=f"{answer.lead} The {count} asked for:")


def several_named(ctx: Context, q: Question) -> Answer | None:
    return several(ctx.c, q.query, q.entries, q.a.intents) if len(q.entries) >= 2 else None


def one_named(ctx: Context, q: Question) -> Answer | None:
    return one(ctx.c, q.query, q.entries[0], q.a.intents) if len(q.entries) == 1 else None


def amount(ctx: Context, q: Question) -> Answer | None:
    if q.a.amount is None or q.kinds or q.a.figure_owner is not None:
        return None
    return amounts.by_amount(ctx.c, q.query, q.a.amount, q.a.reaching)


def years(ctx: Context, q: Question) -> Answer | None:
    if q.a.years is None or not q.a.intents & {"pay", "experience"}:
        return None
    return amounts.by_years(ctx.c, q.query, q.a.years)


def kind_list(ctx: Context, q: Question) -> Answer | None:
    return rankings.kind_list(ctx.c, q.query, q.kinds[0], q.a.intents) if q.kinds else None


def figure_owner(ctx: Context, q: Question) -> Answer | None:
    """ "28% more?": a figure only one entry states."""
    if q.a.figure_owner is None:
        return None
    return one(ctx.c, q.query, ctx.c.kb.entries[q.a.figure_owner], q.a.intents)


def keyword(ctx: Context, q: Question) -> Answer | None:
    if not q.a.keywords:
        return None
    return one(ctx.c, q.query, ctx.c.kb.entries[q.a.keywords[0].entry_id], q.a.intents)


def study_tip(ctx: Context, q: Question) -> Answer | None:
    """ "when do I use modifier 25": a study question, not a career one."""
    if not q.a.intents <= STUDY_INTENTS:
        return None
    tip = ctx.study.search(q.text)
    return tip_answer(q.query, tip) if tip is not None else None


def intent_list(ctx: Context, q: Question) -> Answer | None:
    """ "how much experience do I need": the list of the kind that answers the intent."""
    for name, model in KINDS.items():
        if q.a.intents & set(model.spec.lists_for) and ctx.c.kb.of_kind(name):
            return rankings.kind_list(ctx.c, q.query, name, q.a.intents)
    return None


def intent_default(ctx: Context, q: Question) -> Answer | None:
    """The entry the knowledge base gives as the default for an intent ("default_for")."""
    for intent in ctx.c.lex.intents:  # vocab.yaml's order
        if intent not in q.a.intents or not (q.a.domain or intent in ALWAYS_DEFAULT):
            continue
        target = ctx.c.kb.default_for(intent)
        if target is not None:
            return one(ctx.c, q.query, target, q.a.intents)
    return None


def nothing(ctx: Context, q: Question) -> Answer | None:
    return ctx.c.unanswered(
        q.query,
        f"I couldn't match that to anything in the {ctx.c.guide_year()} medical coding career guide.",
        suggest_from=q.text,
    )


ROUTES: tuple[Route, ...] = (
    Route("greeting", greeting, final=True),
    Route("code-lookup", code, final=True),
    Route("off-topic", off_topic, final=True),
    Route("ambiguous", ambiguous),
    Route("uncovered-ranking", uncovered_ranking),
    Route("off-domain", off_domain),
    Route("study-named", study_named, final=True),
    Route("why", why, needs=frozenset({"why"})),
    Route("stands-for", stands_for, needs=frozenset({"meaning"})),
    Route("issuer", issuer_of, needs=frozenset({"issuer", "list"})),
    Route("premium", premium, needs=frozenset({"difference"})),
    Route("against-median", against_median, needs=frozenset({"difference"})),
    Route("figure-gap", figure_gap, needs=frozenset({"difference", "compare"})),
    Route("plan-stage", plan_stage, needs=frozenset({"plan", "next", "path"})),
    Route("about-you", about_you),
    Route("ranking", ranking),
    Route("several", several_named),
    Route("one", one_named),
    Route("amount", amount),
    Route("years", years),
    Route("kind-list", kind_list),
    Route("figure-owner", figure_owner),
    Route("keyword", keyword),
    Route("study-tip", study_tip, final=True),
    Route("intent-list", intent_list),
    Route("intent-default", intent_default),
    Route("nothing", nothing),
)


def route(ctx: Context, q: Question) -> Answer:
    intents = q.a.intents
    for r in ROUTES:
        if r.needs and r.needs.isdisjoint(intents):
            continue
        answer = r.rule(ctx, q)
        if answer is None:
            continue
        answer = answer.but(rule=r.name)
        return answer if r.final else _notes(ctx, q, answer)
    raise AssertionError("the last rule always answers")


# -- what every routed answer gets --------------------------------------------------------------
def _notes(ctx: Context, q: Question, answer: Answer) -> Answer:
    answer = _amount_note(ctx, q, answer)
    answer = _exam_logistics(ctx, q, answer)
    return _gap(ctx, q, answer)


def _amount_note(ctx: Context, q: Question, answer: Answer) -> Answer:
    if q.a.amount is None or not answer.answered or answer.topic not in ctx.c.kb.entries:
        return answer
    if answer.rule == "about-you":
        return answer  # placed against each figure that fits already
    figure = ctx.c.figure(ctx.c.kb.entries[answer.topic])
    if figure is None or not figure.is_pay_range:
        return answer
    return replace(answer, notes=(amounts.placement(q.a.amount, figure), *answer.notes))


def _exam_logistics(ctx: Context, q: Question, answer: Answer) -> Answer:
    lex = ctx.c.lex
    toks = set(q.a.tokens)
    if not toks & lex.logistics:
        return answer
    credential = any(isinstance(e, Credential) for e in _named(ctx, q))
    if not (toks & lex.exam_words or (credential and toks & lex.logistics_with_credential)):
        return answer
    note = lex.vocab.exam_logistics.note
    return replace(answer, lead=f"{note} What the guide does have:\n{answer.lead}")


def _gap(ctx: Context, q: Question, answer: Answer) -> Answer:
    """Name what the guide has no figure for before any stand-in figure."""
    missing = q.a.unknown_place
    topic = ctx.c.kb.entries.get(answer.topic or "")
    if isinstance(topic, State | Place) and ctx.c.figure(topic) is None:
        answer = answer.but(gap=topic.name)  # "coders in Texas": a place with no figure
    if missing is None:
        return answer
    answer = answer.but(gap=missing)
    if missing.isdigit():
        gap = f"The guide's figures are for {ctx.c.guide_year()}; it has none for {missing}"
    else:
        gap = f"The guide has no figure for {missing}"
    if not answer.answered:
        return replace(answer, lead=f"{gap}.")
    if not q.a.hits:  # a general answer stands in for the place: say so first
        national = ctx.c.national
        rest = (
            "the guide's national picture"
            if national is not None and answer.topic == national.id
            else "what it has"
        )
        return replace(answer, lead=f"{gap}; here is {rest}.\n{answer.lead}")
    # Named before the figures, which stand in for it.
    return replace(answer, lead=f"{gap}; the figures below are not for it.\n{answer.lead}")
