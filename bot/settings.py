"""One typed settings object for the whole bot, read from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    dev_guild_id: int | None = None
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
