"""The offline CLI: the JSON contract, --jsonl order and count, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = {"query": str, "answered": bool, "text": str, "sources": list, "suggestions": list}


def run(*args: str, stdin: str = "", cwd: Path, env: dict | None = None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=60,
    )


def check_contract(obj: dict) -> None:
    for key, kind in CONTRACT.items():
        assert isinstance(obj[key], kind), key
    assert obj["topic"] is None or isinstance(obj["topic"], str)
    assert all(isinstance(s, str) for s in obj["sources"] + obj["suggestions"])


def test_ask_prints_a_readable_answer(tmp_path):
    result = run("ask", "what does CRC pay", cwd=tmp_path)
    assert result.returncode == 0
    assert "$55,000–$72,000" in result.stdout
    assert "Source:" in result.stdout


def test_ask_json_contract(tmp_path):
    result = run("ask", "--json", "CPC vs CCS", cwd=tmp_path)
    assert result.returncode == 0
    obj = json.loads(result.stdout)
    check_contract(obj)
    assert obj["query"] == "CPC vs CCS" and obj["answered"] is True
    assert obj["topic"] == "cred-cpc"
    assert "$50,000–$60,000" in obj["text"]


def test_unanswered_exits_1_with_suggestions(tmp_path):
    result = run("ask", "--json", "who won the super bowl", cwd=tmp_path)
    assert result.returncode == 1
    obj = json.loads(result.stdout)
    check_contract(obj)
    assert obj["answered"] is False and obj["topic"] is None
    assert 1 <= len(obj["suggestions"]) <= 3


def test_jsonl_keeps_order_and_count_including_empty_lines(tmp_path):
    questions = ["what does CRC pay", "", "Texas", "🙂", "x" * 4000, "CPC vs CCS"]
    result = run("ask", "--jsonl", stdin="\n".join(questions) + "\n", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(questions)
    objects = [json.loads(line) for line in lines]
    for obj, question in zip(objects, questions, strict=True):
        check_contract(obj)
        assert obj["query"] == question
    assert objects[1]["answered"] is False
    assert objects[2]["topic"] == "state-tx"


def test_chat_answers_each_piped_line(tmp_path):
    result = run("chat", stdin="what does CRC pay\nCPC vs CCS\n", cwd=tmp_path)
    assert result.returncode == 0
    assert "$55,000–$72,000" in result.stdout and "$50,000–$60,000" in result.stdout


def test_no_subcommand_without_token_runs_the_offline_chat(tmp_path):
    result = run(stdin="coder salary in California\n", cwd=tmp_path)
    assert result.returncode == 0
    assert "offline chat" in result.stdout and "$62,300" in result.stdout


def test_run_without_token_is_a_clear_error(tmp_path):
    result = run("run", cwd=tmp_path)
    assert result.returncode == 1
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_shipped_knowledge(tmp_path):
    result = run("validate", str(ROOT / "knowledge"), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("OK:")


def test_validate_reports_every_problem_and_exits_1(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "sources.yaml").write_text("sources:\n  - {id: g, title: G, as_of: '2026'}\n")
    (kb / "bad.yaml").write_text(
        "entries:\n  - {id: a, kind: topic, name: A, colour: red, source: {doc: g, section: s}}\n"
        "  - {id: b, kind: topic, name: B, source: {doc: nope, section: s}}\n"
    )
    result = run("validate", str(kb), cwd=tmp_path)
    assert result.returncode == 1
    assert "entry 'a', field 'colour': unknown field" in result.stderr
    assert "entry 'b', field 'source.doc'" in result.stderr


def test_broken_knowledge_dir_setting_fails_cleanly(tmp_path):
    result = run("ask", "CRC", cwd=tmp_path, env={"MEDCODE_KNOWLEDGE_DIR": str(tmp_path)})
    assert result.returncode == 3
    assert "did not load" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_unanswered_not_a_crash(tmp_path, question):
    result = run("ask", "--json", question, cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout)["answered"] is False


# -- the reliability review (../shared/notes/reliability-review.md) -------------------------------
def run_bytes(*args: str, stdin: bytes, cwd: Path, env: dict | None = None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=environ,
        timeout=60,
    )


@pytest.mark.parametrize("encoding", ["", "utf-8:strict"])
def test_invalid_utf8_on_stdin_gives_valid_json_and_loses_no_line(tmp_path, encoding):
    # D10: raw bytes were copied into the JSON, or (strict locale) a traceback lost the batch.
    env = {"PYTHONIOENCODING": encoding} if encoding else {}
    result = run_bytes(
        "ask", "--jsonl", stdin=b"Texas\nCRC \xff pay\nCPC vs CCS\n", cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode("utf-8").splitlines()  # strict: valid UTF-8
    objs = [json.loads(line) for line in lines]
    assert [o["query"] for o in objs] == ["Texas", "CRC \ufffd pay", "CPC vs CCS"]
    assert objs[1]["topic"] == "cred-crc"


def test_invalid_utf8_in_chat_is_answered(tmp_path):
    result = run_bytes(
        "chat", stdin=b"Texas\nCRC \xff\n", cwd=tmp_path, env={"PYTHONIOENCODING": "utf-8:strict"}
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert "CRC" in result.stdout.decode("utf-8")


def test_json_names_the_rule_that_answered(tmp_path):
    obj = json.loads(run("ask", "--json", "highest paying state", cwd=tmp_path).stdout)
    assert obj["rule"] == "ranking"


def test_schema_is_written_where_asked(tmp_path):
    result = run("schema", "--output", str(tmp_path / "s.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads((tmp_path / "s.json").read_text())
    assert set(schema["$defs"]) >= {"EntriesFile", "VocabFile", "State", "Figure"}


def test_sync_with_discord_unreachable_is_one_clear_line(tmp_path):
    # D13: a raw ClientConnectorError traceback, unlike `run` for the same fault.
    env = {"DISCORD_TOKEN": "x", "MEDCODE_DISCORD_API_BASE": "http://127.0.0.1:9/api/v10"}
    result = run("sync", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "\nCould not reach Discord: ClientConnectorError" in "\n" + result.stderr


def test_chat_jsonl_reads_each_question_with_the_ones_before(tmp_path):
    questions = [
        "how much do auditors make",
        "and in Maryland?",
        "",
        "what about pizza?",
        "and before that?",
    ]
    result = run("chat", "--jsonl", stdin="\n".join(questions) + "\n", cwd=tmp_path)
    assert result.returncode == 0
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["query"] for o in objects] == questions
    for obj in objects:
        check_contract(obj)
    assert objects[1]["topic"] == "level-4-coding-auditor" and "$56,200" in objects[1]["text"]
    assert objects[2]["answered"] is False and objects[3]["answered"] is False
    assert objects[4]["topic"] == "level-3-senior-coder"  # before Coding Auditor


def test_gaps_lists_the_most_asked(tmp_path):
    import asyncio
    from datetime import UTC, datetime

    from bot.gaps import GapLog
    from bot.store import Database

    url = f"sqlite+aiosqlite:///{tmp_path / 'gaps.sqlite3'}"

    async def fill() -> None:
        db = Database(url)
        await db.start()
        now = datetime.now(UTC)
        await GapLog(db).record({"coder pay in texas": 4, "xyz pay": 1}, now, now)
        await db.close()

    asyncio.run(fill())
    result = run("gaps", "--json", cwd=tmp_path, env={"MEDCODE_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["text"], r["count"]) for r in rows] == [("coder pay in texas", 4), ("xyz pay", 1)]
    plain = run("gaps", cwd=tmp_path, env={"MEDCODE_DATABASE_URL": url})
    assert plain.stdout.splitlines()[0].split()[:2] == ["4", "coder"]


def test_bad_settings_are_named_without_quoting_any_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A model-level check's error carries every setting as its input, the token included;
    # pydantic's own message would print it.
    from pydantic import BaseModel, ValidationError, model_validator

    import bot.cli as cli

    class Strict(BaseModel):
        discord_token: str
        ask_rate: int

        @model_validator(mode="after")
        def _refuse(self) -> Strict:
            raise ValueError("ask_rate does not fit the token")

    def broken_settings() -> object:
        try:
            Strict(discord_token="sekrit-token-value", ask_rate=3)
        except ValidationError as exc:
            assert "sekrit" in str(exc)  # what used to be printed (pydantic shortens it)
            raise
        raise AssertionError("unreachable")

    monkeypatch.setattr(cli, "get_settings", broken_settings)
    assert cli.main(["ask", "what does CRC pay"]) == 2
    err = capsys.readouterr().err
    assert "ask_rate does not fit the token" in err and "sekrit" not in err
