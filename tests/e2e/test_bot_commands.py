"""The real MedcodeBot against the fake Discord: login, the synced commands, every look-up
command through INTERACTION_CREATE to its callback, autocomplete and typed-in option values."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from .fake_discord import FakeDiscord
from .medcode_support import embed, embed_problems, fields, is_ephemeral, text
from .openapi_check import SpecChecker

EXPECTED_COMMANDS = {
    "ask", "salary", "state", "specialty", "cert", "career", "outlook", "remote", "compare",
    "help", "kb",
}  # fmt: skip
NAME = r"^[-_\w]{1,32}$"  # Discord: lowercase where the script has case, no spaces
GUIDE = "Medical Coding Salary & Career Outlook in 2026 (as of 2026)"


def walk(commands: list[dict[str, Any]]):
    """Every command, subcommand and option (with the path to it) of a sync payload."""
    for command in commands:
        yield command["name"], command
        stack = [(command["name"], o) for o in command.get("options", [])]
        while stack:
            path, node = stack.pop()
            yield f"{path} {node['name']}", node
            stack += [(f"{path} {node['name']}", o) for o in node.get("options", [])]


# ----------------------------------------------------------------------------- login, sync
async def test_login_ready_and_intents(fake_discord: FakeDiscord, medcode: Any) -> None:
    assert medcode.is_ready()
    assert medcode.user is not None and medcode.user.id == int(fake_discord.bot_user["id"])
    assert medcode.application_id == fake_discord.application_id
    guild = medcode.get_guild(fake_discord.guild_id)
    assert guild is not None and guild.name == "Fake Guild"
    intents = discord.Intents._from_value(fake_discord.identify["intents"])
    # mentions and DMs, and no privileged intent (no message content, members, presences)
    assert intents.guilds and intents.guild_messages and intents.dm_messages
    assert not (intents.message_content or intents.members or intents.presences)
    assert {"bot.exts.ask", "bot.exts.lookup", "bot.exts.admin"} <= set(medcode.extensions)


async def test_global_sync_has_every_command_within_limits(
    fake_discord: FakeDiscord, medcode: Any, spec_checker: SpecChecker
) -> None:
    put = await fake_discord.wait_for_request("PUT", r"^/applications/\d+/commands$")
    assert put.status == 200 and put.problems == []
    spec_checker.validate(put.method, put.path, put.json)
    names = {c["name"] for c in put.json}
    assert names >= EXPECTED_COMMANDS, EXPECTED_COMMANDS - names
    assert len(put.json) <= 100  # Discord's cap on global chat-input commands

    for path, node in walk(put.json):
        assert node["name"] == node["name"].lower(), path
        assert len(node["name"]) <= 32 and " " not in node["name"], path
        assert 1 <= len(node["description"]) <= 100, (path, node["description"])
        assert len(node.get("options", [])) <= 25, path
        for choice in node.get("choices", []):
            assert 1 <= len(choice["name"]) <= 100, (path, choice)

    by_name = {c["name"]: c for c in put.json}
    kb = by_name["kb"]
    assert sorted(o["name"] for o in kb["options"]) == ["gaps", "reload", "status"]
    assert all(o["type"] == 1 for o in kb["options"])  # subcommands of the group
    assert int(kb["default_member_permissions"]) == 8  # hidden from all but administrators
    ask_option = by_name["ask"]["options"][0]
    assert ask_option["name"] == "question" and ask_option["required"]
    assert ask_option["max_length"] == 4000
    autocompleted = {p for p, n in walk(put.json) if n.get("autocomplete")}
    assert {
        "salary certification", "salary experience", "state name", "specialty name",
        "cert name", "career level", "compare first", "compare second",
    } <= autocompleted  # fmt: skip
    assert [c["value"] for c in by_name["outlook"]["options"][0]["choices"]] == ["growth", "ai"]


# ----------------------------------------------------------------------------- /salary
@pytest.mark.parametrize(
    ("options", "title", "expected"),
    [
        ({}, "National salary overview",
         {"Median annual salary": "$48,780", "Median hourly wage": "$23.45",
          "Average annual salary": "$50,200", "Top 10%": "$72,000+"}),
        ({"certification": "cert-ccs"}, "CCS (AHIMA)",
         {"Average salary": "$50,000–$60,000", "Job access": "Inpatient and outpatient coding"}),
        ({"experience": "exp-mid"}, "Mid-Career (3–7 years)",
         {"Salary range": "$48,000–$58,000"}),
        ({"certification": "cert-ccs", "experience": "exp-mid"},
         "CCS (AHIMA) vs Mid-Career (3–7 years)",
         {"CCS (AHIMA)": "$50,000–$60,000; Inpatient and outpatient coding",
          "Mid-Career (3–7 years)": "$48,000–$58,000"}),
    ],
    ids=["national", "certification", "experience", "both"],
)  # fmt: skip
async def test_salary(
    fake_discord: FakeDiscord,
    medcode: Any,
    options: dict[str, str],
    title: str,
    expected: dict[str, str],
) -> None:
    body = await fake_discord.send_slash_command("salary", options)
    assert body["type"] == 4 and not is_ephemeral(body)
    shown = embed(body)
    assert shown["title"] == title
    assert fields(body).items() >= expected.items()
    assert shown["footer"]["text"].startswith(f"Source: {GUIDE}: ")
    assert embed_problems(shown) == []
    assert body["data"]["allowed_mentions"] == {"parse": []}
    # what the user sees in the channel is what the bot sent
    assert fake_discord.original_message()["embeds"][0]["title"] == title


# ----------------------------------------------------------------------- /state ... /remote
async def test_state_with_a_figure(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("state", {"name": "state-ca"})
    assert embed(body)["title"] == "California"
    assert fields(body) == {
        "Mean annual salary": "$62,300",
        "Rank": "2",
        "Why": "Large health systems, high volume",
    }
    assert "mean annual salary of $62,300" in embed(body)["description"]
    assert "Top 10 Highest-Paying States" in embed(body)["footer"]["text"]


async def test_state_without_a_figure_says_so(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("state", {"name": "state-tx"})
    assert embed(body)["title"] == "Texas"
    assert "no salary figure for Texas" in embed(body)["description"]
    assert fields(body)["National median annual salary"] == "$48,780"
    assert fields(body)["Highest-paying in the guide"] == "Washington D.C.: $65,400"
    assert not is_ephemeral(body)


async def test_specialty(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("specialty", {"name": "spec-risk-adjustment"})
    assert embed(body)["title"] == "Risk Adjustment/HCC"
    assert (
        fields(body).items()
        >= {
            "Salary range": "$55,000–$72,000",
            "Certification": "CRC (AAPC)",
            "Demand": "Very High",
        }.items()
    )


async def test_cert(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("cert", {"name": "cred-crc"})
    assert embed(body)["title"] == "CRC: Certified Risk Adjustment Coder"
    assert fields(body) == {
        "Issued by": "AAPC",
        "Risk Adjustment/HCC": "$55,000–$72,000; CRC (AAPC); demand Very High",
    }


async def test_career_ladder_without_an_option(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("career")
    assert embed(body)["title"] == "Career levels"
    ladder = fields(body)
    assert list(ladder) == [
        "Junior/Entry Coder", "Certified Coder", "Senior Coder", "Coding Auditor",
        "Coding Supervisor", "Coding Manager", "Director of HIM/Coding",
    ]  # fmt: skip
    assert ladder["Junior/Entry Coder"].startswith("Level 1: $38,000–$44,000; 0–2 years")
    assert ladder["Director of HIM/Coding"].startswith("Level 7: $90,000–$120,000+; 10+ years")


async def test_career_one_level(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("career", {"level": "level-3-senior-coder"})
    assert embed(body)["title"] == "Senior Coder"
    assert (
        fields(body).items()
        >= {
            "Salary range": "$55,000–$65,000",
            "Experience": "4–7 years",
            "Next step": "Coding Auditor ($60,000–$80,000)",
        }.items()
    )


@pytest.mark.parametrize(
    ("options", "title", "needle"),
    [
        ({}, "Job outlook for medical coders (2024–2034)", "projected to grow 8% from 2024"),
        ({"about": "growth"}, "Job outlook for medical coders (2024–2034)", "14,800 openings"),
        ({"about": "ai"}, "Will AI replace medical coders?", "no, but AI is changing the role"),
    ],
    ids=["default", "growth", "ai"],
)
async def test_outlook(
    fake_discord: FakeDiscord, medcode: Any, options: dict[str, str], title: str, needle: str
) -> None:
    body = await fake_discord.send_slash_command("outlook", options)
    assert embed(body)["title"] == title
    assert needle in embed(body)["description"]
    if options.get("about") != "ai":
        assert fields(body)["Projected growth"] == "8% (2024–2034)"


async def test_remote(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("remote")
    assert embed(body)["title"] == "Remote work in medical coding"
    assert (
        fields(body).items()
        >= {
            "Fully remote share of coding jobs": "60–70%",
            "Hybrid share of coding jobs": "15–20%",
            "Commute savings": "$3,000–$8,000/year",
        }.items()
    )


# ----------------------------------------------------------------------------- /compare
async def test_compare_two_things(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command(
        "compare", {"first": "cred-cpc", "second": "cred-ccs"}
    )
    assert embed(body)["title"] == "CPC vs CCS"
    assert "CPC: $48,000–$58,000; CCS: $50,000–$60,000" in embed(body)["description"]
    assert list(fields(body)) == ["CPC", "CCS"]
    assert "issued by AHIMA" in fields(body)["CCS"]
    assert not is_ephemeral(body)


async def test_compare_across_kinds(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command(
        "compare", {"first": "state-ca", "second": "cred-cpc"}
    )
    assert embed(body)["title"] == "California vs CPC"
    assert fields(body)["California"].startswith("$62,300 mean (rank 2)")


async def test_compare_the_same_thing_twice_is_a_user_error(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    # the same entry, once picked and once typed
    body = await fake_discord.send_slash_command("compare", {"first": "cred-cpc", "second": "CPC"})
    assert is_ephemeral(body)
    assert embed(body)["description"] == "Pick two different things to compare."


# ----------------------------------------------------------------------------- /help
async def test_help_is_ephemeral_and_lists_the_commands(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    body = await fake_discord.send_slash_command("help")
    assert is_ephemeral(body)
    shown = text(body)
    assert "/ask" in shown and "what does CRC pay?" in shown
    for command in ("salary", "state", "specialty", "cert", "career", "outlook", "remote"):
        assert f"`/{command}`" in shown
    assert embed_problems(embed(body)) == []


# ----------------------------------------------------------------------------- autocomplete
async def choices(fake: FakeDiscord, command: str, option: str, typed: str) -> list[dict]:
    body = await fake.send_autocomplete(command, {option: typed}, focused=option)
    assert body["type"] == 8
    found = body["data"]["choices"]
    assert len(found) <= 25
    for choice in found:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(choice["value"]) <= 100
    return found


async def test_autocomplete_relevant_first(fake_discord: FakeDiscord, medcode: Any) -> None:
    found = await choices(fake_discord, "state", "name", "cal")
    assert found[0] == {"name": "California (CA)", "value": "state-ca"}
    assert all(c["value"].startswith(("state-", "place-")) for c in found)  # cities too

    found = await choices(fake_discord, "specialty", "name", "hcc")
    assert found[0]["value"] == "spec-risk-adjustment"
    found = await choices(fake_discord, "cert", "name", "crc")
    assert found[0]["value"] == "cred-crc"
    found = await choices(fake_discord, "career", "level", "senior")
    assert found[0]["value"] == "level-3-senior-coder"
    found = await choices(fake_discord, "salary", "experience", "mid")
    assert found[0]["value"] == "exp-mid"


async def test_state_accepts_a_city_and_answers_with_its_state(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    body = await fake_discord.send_slash_command("state", {"name": "Los Angeles"})
    description = embed(body)["description"]
    assert "not by city" in description and "Los Angeles is in California" in description
    assert fields(body)["Mean annual salary"] == "$62,300"


async def test_autocomplete_empty_input_gives_a_list(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    found = await choices(fake_discord, "state", "name", "")
    assert len(found) == 25
    assert len({c["value"] for c in found}) == 25
    assert found[0]["value"] == "state-dc"  # the guide's highest-paying first
    found = await choices(fake_discord, "compare", "first", "")
    assert len(found) >= 10


async def test_autocomplete_compare_spans_kinds(fake_discord: FakeDiscord, medcode: Any) -> None:
    found = await choices(fake_discord, "compare", "second", "ccs")
    assert found[0]["value"] == "cred-ccs"
    kinds = {
        c["value"].split("-")[0] for c in await choices(fake_discord, "compare", "first", "ri")
    }
    assert {"state", "spec", "cred"} <= kinds


# ------------------------------------------------------------------- typed, not picked
@pytest.mark.parametrize(
    ("command", "options", "title"),
    [
        ("state", {"name": "califronia"}, "California"),
        ("state", {"name": "TX"}, "Texas"),
        ("cert", {"name": "crc"}, "CRC: Certified Risk Adjustment Coder"),
        ("specialty", {"name": "hcc"}, "Risk Adjustment/HCC"),
        ("career", {"level": "senior coder"}, "Senior Coder"),
        ("salary", {"certification": "CCS"}, "CCS: Certified Coding Specialist"),
        ("compare", {"first": "cpc", "second": "ccs"}, "CPC vs CCS"),
    ],
)
async def test_typed_values_still_resolve(
    fake_discord: FakeDiscord, medcode: Any, command: str, options: dict[str, str], title: str
) -> None:
    body = await fake_discord.send_slash_command(command, options)
    assert not is_ephemeral(body)
    assert embed(body)["title"] == title


@pytest.mark.parametrize(
    ("command", "options", "what"),
    [
        ("state", {"name": "qwzxv"}, "state"),
        ("cert", {"name": "qwzxv"}, "credential"),
        ("compare", {"first": "cpc", "second": "qwzxv"}, "topic"),
    ],
)
async def test_nonsense_values_are_an_ephemeral_user_error(
    fake_discord: FakeDiscord,
    medcode: Any,
    command: str,
    options: dict[str, str],
    what: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = await fake_discord.send_slash_command(command, options)
    assert is_ephemeral(body)
    assert embed(body)["description"] == (
        f"I don't know a {what} called **qwzxv**. Pick one from the list as you type."
    )
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
