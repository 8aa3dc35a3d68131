"""One typed settings object for the whole bot, read from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/medcode.sqlite3"


def default_knowledge_dir() -> Path:
    """`knowledge/` beside the source tree (a checkout), else the copy shipped in the wheel."""
    checkout = PACKAGE_DIR.parent / "knowledge"
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "_knowledge"


class Settings(BaseSettings):
    """Every knob of medcode-bot. Environment names are `MEDCODE_<FIELD>`, except the token."""

    model_config = SettingsConfigDict(
        env_prefix="MEDCODE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "MEDCODE_DISCORD_TOKEN")
    )
    knowledge_dir: Path = Field(default_factory=default_knowledge_dir)
    # The question bank; default: `questions/` inside knowledge_dir.
    questions_dir: Path | None = None
    # Where Discord is: only for an HTTP proxy in front of Discord, or a local fake in tests.
    discord_api_base: str | None = None  # e.g. http://127.0.0.1:8080/api/v10
    discord_gateway: str | None = None  # e.g. ws://127.0.0.1:8080/gw
    log_level: str = "INFO"
    owner_ids: frozenset[int] = frozenset()
    # The store: a SQLAlchemy URL, SQLite (one process) or PostgreSQL (one or more), e.g.
    # postgresql+asyncpg://medcode:secret@db.internal/medcode. See README.md, "Storage".
    database_url: str = DEFAULT_DATABASE_URL
    database_path: Path | None = None  # the old setting: a SQLite file, if no URL is given
    # How long after a missed post time a daily tip may still go out (same local day only).
    tip_catchup_hours: float = Field(default=6.0, ge=0, le=24)
    # How often the one scheduler loop looks for servers whose tip is due.
    tip_tick_seconds: float = Field(default=30.0, gt=0, le=300)
    # Per-user cooldown for /ask and @mentions: `ask_rate` uses per `ask_per_seconds`.
    ask_rate: int = Field(default=5, ge=1)
    ask_per_seconds: float = Field(default=30.0, gt=0)
    # Record the questions the bot could not answer (normalised text and counts only).
    gap_log: bool = True

    # Several processes (README.md, "Several processes"): the bot's shards in all, and the
    # ones this process runs (MEDCODE_SHARD_IDS=0,1). Unset: this process runs every shard
    # (as many as Discord recommends when the count is unset too).
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None

    @property
    def question_bank_dir(self) -> Path:
        return self.questions_dir or self.knowledge_dir / "questions"

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):  # "0,1" (the environment), or "[0, 1]"; "" is unset
            if not value.strip():
                return None
            items = value.strip().strip("[]").split(",")
            return tuple(item.strip() for item in items if item.strip())
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shards_within_count(
        cls, ids: tuple[int, ...] | None, info: ValidationInfo
    ) -> tuple[int, ...] | None:
        # A field validator, not a model one: its error quotes only this value, never the
        # whole input (which holds the token).
        if ids is None or "shard_count" not in info.data:  # (a bad count has its own error)
            return ids
        count = info.data["shard_count"]
        if count is None:
            raise ValueError(
                "shard ids need a shard count (--shard-count or MEDCODE_SHARD_COUNT: how many "
                "shards the bot has in all)"
            )
        if not ids:
            raise ValueError("no shard ids given: name at least one")
        outside = [i for i in ids if not 0 <= i < count]
        if outside:
            raise ValueError(
                f"shard ids must be 0 to {count - 1} with a shard count of {count}, "
                f"not {', '.join(map(str, outside))}"
            )
        if len(set(ids)) != len(ids):
            raise ValueError("a shard id is given twice")
        return tuple(sorted(ids))

    @property
    def owned_shards(self) -> tuple[int, tuple[int, ...]] | None:
        """(shard count, the shard ids this process runs) when it runs only some of them;
        None when it runs them all (one process)."""
        if self.shard_count is None or self.shard_ids is None:
            return None
        if len(self.shard_ids) == self.shard_count:
            return None
        return self.shard_count, self.shard_ids

    @model_validator(mode="after")
    def _database_path_means_sqlite(self) -> Settings:
        if self.database_path is not None and "database_url" not in self.model_fields_set:
            self.database_url = f"sqlite+aiosqlite:///{self.database_path}"
        return self

    @field_validator("discord_token")
    @classmethod
    def _blank_token_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
