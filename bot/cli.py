"""`medcode-bot`: ask, chat and quiz offline, validate the knowledge base, run or sync the bot.

Exit codes: 0 ok (for `ask`: answered), 1 not answered / invalid knowledge base / bot failed,
2 bad usage, 3 the knowledge base could not be loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from pydantic import ValidationError

from bot.engine import Answer, Engine
from bot.engine.conversation import Conversation
from bot.knowledge import KnowledgeError, load_knowledge
from bot.log import setup_logging
from bot.practice import (
    LETTERS,
    Question,
    QuestionBank,
    load_bank,
    load_knowledge_and_bank,
    questions_dir_of,
)
from bot.practice.runs import Feedback, answer_quiz, new_quiz, next_quiz_question
from bot.practice.scoring import PASS_PERCENT, Score, score
from bot.practice.selection import NotEnoughQuestions, pick_quiz
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)

EXIT_OK, EXIT_NO, EXIT_USAGE, EXIT_KB = 0, 1, 2, 3
# A question read from stdin: the engine decides on its first 4,000 characters, so reading a
# 10 MB paste in full would only cost time and memory.
MAX_READ = 64_000


def _engine(settings: Settings) -> Engine:
    return Engine(load_knowledge(settings.knowledge_dir))


def render(answer: Answer) -> str:
    """The answer as a person reads it in a terminal."""
    return f"{answer.title}\n{'-' * min(len(answer.title), 60)}\n{answer.text}"


def _text(value: str) -> str:
    """Valid text from argv or a stream read with surrogateescape: undecodable bytes become
    U+FFFD, so they are never echoed raw into the output (JSON must stay valid UTF-8)."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _lenient_stdin() -> None:
    """Read stdin as UTF-8 whatever the locale, replacing bytes that are not UTF-8: one bad
    line must not end a batch with a traceback (and lose the lines already read)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        sys.stdin = io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", newline="\n")


def _write_json(obj: object, out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(settings)
    if args.jsonl:
        for line in sys.stdin:
            _write_json(engine.answer(_text(line.rstrip("\r\n"))).to_json(), sys.stdout)
        return EXIT_OK
    question = _text(" ".join(args.question))
    if not question and not sys.stdin.isatty():
        question = _text(sys.stdin.read(MAX_READ))
    answer = engine.answer(question)
    if args.json:
        _write_json(answer.to_json(), sys.stdout)
    else:
        print(render(answer))
    return EXIT_OK if answer.answered else EXIT_NO


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    engine = _engine(settings)
    context: Conversation | None = None
    if getattr(args, "jsonl", False):
        # One question a line, one JSON object a line, each read with the ones before it:
        # a conversation that can be tested and replayed. Lines are a second apart on the
        # conversation's clock, so none expires mid-file.
        for n, line in enumerate(sys.stdin):
            answer, context = engine.reply(_text(line.rstrip("\r\n")), context, float(n))
            _write_json(answer.to_json(), sys.stdout)
        return EXIT_OK
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):  # line editing and history where available
            import readline  # noqa: F401
        print("medcode-bot offline chat: ask about medical coding pay, credentials, states,")
        print("specialties and careers. Try: what does CRC pay? | CPC vs CCS | quit to leave.")
    while True:
        try:
            line = input("you> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            if interactive:
                print()
            return EXIT_OK
        if interactive and line.strip().lower() in {"quit", "exit", ":q"}:
            return EXIT_OK
        if interactive and not line.strip():
            continue
        answer, context = engine.reply(_text(line), context, time.monotonic())
        print(render(answer))
        print()


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    """The knowledge base and the question bank (`questions/` inside it unless configured)."""
    directory = Path(args.directory) if args.directory else settings.knowledge_dir
    questions = questions_dir_of(directory) if args.directory else settings.question_bank_dir
    try:
        kb, bank = load_knowledge_and_bank(directory, questions)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {directory}", file=sys.stderr)
        return EXIT_NO
    print(f"OK: {directory}: {kb.summary()}; {bank.summary()}")
    return EXIT_OK


def _read_letter(interactive: bool) -> str | None:
    """One answer letter a line, asked again until it is A-D; None at the end of input."""
    while True:
        try:
            line = input("Your answer (A-D): " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            if interactive:
                print()
            return None
        letter = line.strip().upper()
        if letter in LETTERS:
            return letter
        shown = repr(line.strip()) if line.strip() else "An empty line"
        print(f"{shown} is not an answer: type one letter, A, B, C or D.")


def _print_question(number: int, total: int, question: Question, bank: QuestionBank) -> None:
    print(f"Question {number}/{total} · {bank.section_name(question.section)}")
    print(question.question)
    for letter, option in zip(LETTERS, question.options, strict=True):
        print(f"{letter}) {option}")


def _print_feedback(feedback: Feedback) -> None:
    question = feedback.question
    right = f"{question.answer}) {question.right_option}"
    if feedback.correct:
        print(f"Right: {right}")
    else:
        print(f"Wrong: you answered {feedback.given}. The right answer is {right}")
    print(f"Why: {question.rationale}")
    print(f"Source: {question.source}")
    print()


def _print_score(result: Score) -> None:
    print(f"Score: {result.correct}/{result.total} ({result.percent:.0f} %)")
    for part in result.sections:
        verdict = "at or above" if part.passed else "below"
        print(
            f"  {part.name}: {part.correct}/{part.total} "
            f"({part.percent:.0f} %, {verdict} the {PASS_PERCENT:.0f} % pass line)"
        )


def cmd_quiz(args: argparse.Namespace, settings: Settings) -> int:
    """A practice quiz in the terminal, on the same runs as /quiz."""
    bank = load_bank(settings.question_bank_dir)
    if args.section is not None and args.section not in bank.sections:
        known = ", ".join(bank.sections) or "none"
        print(f"Unknown section {args.section!r}. Sections: {known}", file=sys.stderr)
        return EXIT_USAGE
    try:
        ids = pick_quiz(bank, args.count, section=args.section, rng=random.Random(args.seed))
    except NotEnoughQuestions as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO
    now = datetime.now(UTC)
    run = new_quiz(0, ids, now, section=args.section)
    interactive = sys.stdin.isatty()
    for index in range(run.length):
        question = run.question(bank, index)
        assert question is not None  # just loaded: every id is in the bank
        _print_question(index + 1, run.length, question, bank)
        letter = _read_letter(interactive)
        if letter is None:
            print(f"Stopped after {index} of {run.length} questions.")
            answered = run.question_ids[:index]
            _print_score(score(bank, answered, run.answers[:index]))
            return EXIT_OK
        run, feedback = answer_quiz(run, index, letter, bank, now)
        assert feedback is not None
        _print_feedback(feedback)
        run = next_quiz_question(run, index, now)
    _print_score(run.score(bank))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    """Write the JSON Schema of the knowledge files, for editors that check YAML as it is typed."""
    from bot.knowledge.schema import SCHEMA_FILE, schema_json

    target = Path(args.output) if args.output else settings.knowledge_dir / SCHEMA_FILE
    if str(target) == "-":
        sys.stdout.write(schema_json())
        return EXIT_OK
    target.write_text(schema_json(), encoding="utf-8")
    print(f"Wrote {target}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is None:
        print(
            "DISCORD_TOKEN is not set. Put it in the environment or in .env "
            "(see .env.example), or try the bot offline with `medcode-bot chat`.",
            file=sys.stderr,
        )
        return EXIT_NO
    try:
        settings = _with_shard_options(args, settings)
    except ValidationError as exc:
        problems = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        print(f"Invalid shard options: {problems}", file=sys.stderr)
        return EXIT_USAGE
    from bot.runner import run_bot, shard_refusal

    refusal = shard_refusal(settings)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return EXIT_USAGE
    return run_bot(settings)


def _shard_ids(text: str) -> tuple[int, ...]:
    """`--shards 0,1`."""
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected shard ids like 0,1, not {text!r}") from None


def _with_shard_options(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings with `run --shard-count/--shards` applied over them, validated again."""
    count, ids = getattr(args, "shard_count", None), getattr(args, "shards", None)
    if count is None and ids is None:
        return settings
    values = settings.model_dump()
    if count is not None:
        values["shard_count"] = count
    if ids is not None:
        values["shard_ids"] = ids
    return Settings.model_validate(values)


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is None:
        print("DISCORD_TOKEN is not set: it is needed to register commands.", file=sys.stderr)
        return EXIT_NO
    from bot.runner import sync_commands

    return sync_commands(settings, guild_id=args.guild)


if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by the commands that use it
    from bot.store import Database, StoreUnavailable

T = TypeVar("T")


def _on_store(settings: Settings, use: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured store (migrated to head), run one job on it, close it. Raises
    StoreUnavailable, with a member-facing detail, when the database cannot be used."""
    import asyncio

    from bot.store import Database

    async def job() -> T:
        db = Database(settings.database_url)
        try:
            await db.start()
            return await use(db)
        finally:
            await db.close()

    return asyncio.run(job())


def _store_failed(action: str, settings: Settings, exc: StoreUnavailable) -> int:
    from bot.store import Database

    print(f"Could not {action} {Database(settings.database_url)!r}: {exc.detail}", file=sys.stderr)
    return EXIT_NO


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply every migration (the bot also does on start); clear message if it cannot."""
    from bot.store import Database, StoreUnavailable

    async def nothing_more(db: Database) -> None:
        return None

    try:
        _on_store(settings, nothing_more)  # starting the store migrates it
    except StoreUnavailable as exc:
        return _store_failed("upgrade", settings, exc)
    print(f"{Database(settings.database_url)!r} is up to date.")
    return EXIT_OK


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    """The questions members asked most that the guide could not answer (the gap log)."""
    from bot.gaps import GapLog
    from bot.store import StoreUnavailable

    try:
        found = _on_store(settings, lambda db: GapLog(db).most_asked(args.limit))
    except StoreUnavailable as exc:
        return _store_failed("read the gap log in", settings, exc)
    if args.json:
        rows = [
            {
                "text": g.text,
                "count": g.count,
                "first_seen": g.first_seen.isoformat(),
                "last_seen": g.last_seen.isoformat(),
            }
            for g in found
        ]
        _write_json(rows, sys.stdout)
        return EXIT_OK
    if not found:
        print("Nothing recorded yet.")
    for g in found:
        print(f"{g.count:>5}  {g.text}  (last {g.last_seen:%Y-%m-%d %H:%M} UTC)")
    return EXIT_OK


def cmd_progress(args: argparse.Namespace, settings: Settings) -> int:
    """A member's progress from the configured database, as /progress shows it."""
    import re

    from bot.habits.charts import progress_chart
    from bot.habits.report import Report, load_report, member_zone, report_lines
    from bot.practice import load_bank
    from bot.store import StoreUnavailable

    async def read(db: Database) -> Report:
        bank = load_bank(settings.question_bank_dir)
        zone = await member_zone(db, args.member, None)
        return await load_report(db, bank, args.member, datetime.now(UTC), zone)

    try:
        report = _on_store(settings, read)
    except StoreUnavailable as exc:
        return _store_failed("read", settings, exc)
    print(f"Progress of member {args.member}")
    for line in report_lines(report, sections_shown=21):
        print(re.sub(r"\*\*(.+?)\*\*", r"\1", line))  # no Markdown in a terminal
    if args.chart:
        Path(args.chart).write_bytes(progress_chart(report.progress))
        print(f"Chart written to {args.chart}")
    return EXIT_OK


def cmd_default(args: argparse.Namespace, settings: Settings) -> int:
    """No subcommand: the bot when a token is configured, else the offline chat."""
    if settings.discord_token is not None:
        return cmd_run(args, settings)
    print("No DISCORD_TOKEN set: starting the offline chat on the same answer engine.\n")
    return cmd_chat(args, settings)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 500:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 1 to 500")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medcode-bot",
        description="Medical-coding career answers, in Discord or offline.",
    )
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge base directory")
    parser.set_defaults(func=cmd_default)
    sub = parser.add_subparsers(dest="command")

    ask = sub.add_parser("ask", help="answer one question (or many with --jsonl)")
    ask.add_argument("question", nargs="*", help="the question (read from stdin if omitted)")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument(
        "--jsonl", action="store_true", help="one question per stdin line, one JSON line each"
    )
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="interactive offline chat on the same engine")
    chat.add_argument(
        "--jsonl",
        action="store_true",
        help="one question per stdin line, one JSON line each, read as one conversation",
    )
    chat.set_defaults(func=cmd_chat)

    validate = sub.add_parser("validate", help="check the knowledge base and report every error")
    validate.add_argument("directory", nargs="?", help="defaults to the configured knowledge dir")
    validate.set_defaults(func=cmd_validate)

    schema = sub.add_parser("schema", help="write the JSON Schema of the knowledge files")
    schema.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="default: knowledge.schema.json in the knowledge dir; - for stdout",
    )
    schema.set_defaults(func=cmd_schema)
    quiz = sub.add_parser("quiz", help="practice questions in the terminal, with feedback")
    quiz.add_argument("--section", metavar="S", help="a section id from questions/sections.yaml")
    quiz.add_argument("--count", metavar="N", type=_positive, default=10, help="default 10")
    quiz.add_argument("--seed", metavar="N", type=int, help="the same seed asks the same questions")
    quiz.set_defaults(func=cmd_quiz)

    run = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    run.add_argument(
        "--shard-count", type=int, metavar="N", help="the bot's shards in all, over every process"
    )
    run.add_argument(
        "--shards", type=_shard_ids, metavar="IDS", help="the shards this process runs, e.g. 0,1"
    )
    run.set_defaults(func=cmd_run)

    sync = sub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, metavar="ID", help="sync to one server (instant)")
    sync.set_defaults(func=cmd_sync)
    gaps = sub.add_parser("gaps", help="the most asked questions the guide could not answer")
    gaps.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    gaps.add_argument("--json", action="store_true", help="print one JSON list")
    gaps.set_defaults(func=cmd_gaps)

    progress = sub.add_parser("progress", help="a member's progress, read from the database")
    progress.add_argument("--member", type=int, required=True, metavar="ID", help="Discord user id")
    progress.add_argument("--chart", metavar="FILE", help="also write the chart as a PNG file")
    progress.set_defaults(func=cmd_progress)
    db = sub.add_parser("db", help="the database: `db upgrade` applies its migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="migrate the database to the latest schema").set_defaults(
        func=cmd_db_upgrade
    )
    return parser


def _settings_problems(exc: ValidationError) -> str:
    """Each bad setting and what is wrong with it, never the value given: pydantic's own
    message quotes the input, and a model-level error's input is every setting, the token
    included."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        lines.append(f"- {where}: {error['msg']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:  # a bad value in env or .env
        print(f"Invalid settings:\n{_settings_problems(exc)}", file=sys.stderr)
        return EXIT_USAGE
    if args.knowledge:
        settings = settings.model_copy(update={"knowledge_dir": Path(args.knowledge)})
    setup_logging(settings.log_level)
    _lenient_stdin()
    if args.func is cmd_ask and args.question and args.jsonl:
        parser.error("--jsonl reads questions from stdin; give no question argument")
    try:
        code: int = args.func(args, settings)
        return code
    except KnowledgeError as exc:
        print(f"The knowledge base in {settings.knowledge_dir} did not load:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_KB
    except BrokenPipeError:
        return EXIT_OK
