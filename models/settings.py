"""Settings from the environment (prefix JOINTAUDIT_) and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.errors import ConfigurationError

DEFAULT_FLAGS = (
    "domestic_abuse",
    "s47",
    "neglect",
    "exploitation",
    "sexual_abuse",
    "physical_abuse",
    "emotional_abuse",
    "parental_mental_health",
    "substance_misuse",
    "missing",
    "self_harm",
    "online_harm",
)
DEFAULT_CATEGORIES = ("EH", "CIN", "CP", "LAC")
DEV_SECRET_KEY = "development-only-secret-key-change-me"


class Settings(BaseSettings):
    """Everything jointaudit reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="JOINTAUDIT_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file in the data directory"
    )
    identity_key: SecretStr | None = Field(
        default=None, description="Base64 key for identifying details; required in production"
    )
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    timezone: str = "Europe/London"
    case_flags: tuple[str, ...] = DEFAULT_FLAGS
    case_categories: tuple[str, ...] = DEFAULT_CATEGORIES
    sqlite_busy_timeout_ms: int = 30_000

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if self.identity_key is None:
                raise ValueError(
                    "JOINTAUDIT_IDENTITY_KEY is required when JOINTAUDIT_ENV=production"
                )
            if self.secret_key.get_secret_value() == DEV_SECRET_KEY:
                raise ValueError("set JOINTAUDIT_SECRET_KEY when JOINTAUDIT_ENV=production")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to jointaudit.db in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jointaudit.db').resolve()}"

    @property
    def identity_key_file(self) -> Path:
        """Where `jointaudit init` keeps the development key for identifying details."""
        return self.data_dir / "keys" / "identity.key"

    @property
    def prefect_home(self) -> Path:
        """Prefect's own home, inside the data directory so nothing leaks elsewhere."""
        return self.data_dir / "prefect"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    try:
        return Settings()
    except ValueError as error:
        raise ConfigurationError(str(error)) from error
