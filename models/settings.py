"""Settings from the environment (prefix JOINTAUDIT_) and an optional .env file."""

from __future__ import annotations

import ipaddress
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"


def email_domain(email: str) -> str:
    """The domain of an email address, in lower case."""
    return email.rsplit("@", 1)[-1].lower()


def domain_list(value: object) -> object:
    """Email domains from a comma-separated string or a list: trimmed, lower case, no "@"."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list | tuple):
        return tuple(str(d).strip().lower().lstrip("@") for d in value if str(d).strip())
    return value


class OidcProvider(BaseModel):
    """An organisation's OpenID Connect provider (Entra ID, NHSmail): see docs/sign-in.md."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Short name in addresses")
    name: str = Field(min_length=1, max_length=80, description="Northbridge Council, NHSmail")
    issuer: str = Field(description="The issuer; its discovery document is read from it")
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    domains: tuple[str, ...] = Field(min_length=1, description="The email domains it serves")
    email_claim: Literal["email", "preferred_username", "upn"] = "email"

    _domains = field_validator("domains", mode="before")(domain_list)

    def serves(self, email: str) -> bool:
        """Whether the address is in one of the provider's domains."""
        return email_domain(email) in self.domains


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
    identity_previous_keys: tuple[SecretStr, ...] = Field(
        default=(), description="Retired keys still needed to read rows until `keys rotate`"
    )
    retention_days: int = Field(
        default=7 * 365, ge=30, description="How long closed rounds keep identities and answers"
    )
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    timezone: str = "Europe/London"
    case_flags: tuple[str, ...] = DEFAULT_FLAGS
    case_categories: tuple[str, ...] = DEFAULT_CATEGORIES
    sqlite_busy_timeout_ms: int = 30_000
    register_max_mb: int = Field(
        default=50, ge=1, description="The largest register file (CSV or XLSX) an import reads"
    )
    register_deployment_rows: int = Field(
        default=20_000,
        ge=1,
        description="Register uploads with more rows go to the import-case-register deployment "
        "when one is running (imported in the request otherwise)",
    )
    tool_dirs: tuple[Path, ...] = Field(
        default=(), description="Folders of the partnership's own audit tools (YAML)"
    )
    closure_days: tuple[date, ...] = Field(
        default=(), description="The partnership's own non-working days, besides bank holidays"
    )
    # Chasing (working days); a round's launch parameters may override each.
    chase_reminder_days_before_due: int = Field(default=3, ge=0)
    chase_overdue_repeat_every: int = Field(default=3, ge=1)
    chase_escalate_after_days_overdue: int = Field(default=5, ge=1)
    chase_digest_enabled: bool = True
    # Unacknowledged immediate concerns: working hours after raising (within working hours).
    concern_escalation_after_hours: float = Field(
        default=1.0, gt=0, description="Working hours before the escalation contact is chased"
    )
    concern_coordinator_after_hours: float = Field(
        default=2.0, gt=0, description="Working hours before the coordinators are chased"
    )
    working_hours_start: int = Field(default=9, ge=0, le=23, description="Hour the day starts")
    working_hours_end: int = Field(default=17, ge=1, le=24, description="Hour the day ends")
    reconcile_grace_days: int = Field(
        default=5, ge=0, description="Working days after the last due date before reconciling"
    )

    # Notifications (docs/notifications.md). `email_channel` serves contacts whose channel is email.
    email_channel: Literal["file", "smtp", "notify", "console"] = "file"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from_address: str = "jointaudit@localhost"
    smtp_ca_file: Path | None = Field(
        default=None, description="Extra CA certificates to trust (an internal mail relay)"
    )
    notify_api_key: SecretStr | None = Field(default=None, description="{name}-{service}-{secret}")
    notify_base_url: str = NOTIFY_BASE_URL
    notify_template_id: str | None = Field(
        default=None, description="The generic Notify email template: ((subject)) and ((body))"
    )
    notify_rate_limit_per_minute: int = Field(default=3000, ge=1)
    notify_concurrency: int = Field(
        default=4, ge=1, le=32, description="Notify requests in flight at once in a large batch"
    )
    webhook_signing_secret: SecretStr | None = None
    http_timeout_seconds: float = Field(default=10.0, gt=0)
    portal_base_url: str = "http://127.0.0.1:8000"
    templates_dir: Path | None = Field(
        default=None, description="A folder of message templates overriding the built-in ones"
    )
    outbox_batch_size: int = Field(default=100, ge=1)
    outbox_lease_seconds: int = Field(default=300, ge=10)
    outbox_max_attempts: int = Field(default=10, ge=1)
    outbox_backoff_base_seconds: int = Field(default=60, ge=1)
    outbox_backoff_max_seconds: int = Field(default=6 * 3600, ge=1)
    sign_in_token_ttl: timedelta = Field(default=timedelta(days=7), gt=timedelta(0))
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="The largest request body the portal's forms and /api/v1 accept (413 over)",
    )
    # Signing in with an organisation's account (docs/sign-in.md).
    oidc_providers: tuple[OidcProvider, ...] = Field(
        default=(), description="JSON list of providers; each client secret comes with it"
    )
    sso_required_domains: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Email domains that must sign in with their provider, not a link"
    )
    fresh_sign_in_minutes: int = Field(
        default=15, ge=1, le=480, description="How recent a sign-in sensitive steps need"
    )
    max_yaml_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="The largest YAML file (registry, tool, programme) jointaudit reads",
    )

    _sso_domains = field_validator("sso_required_domains", mode="before")(domain_list)

    def sso_required_for(self, email: str) -> bool:
        """Whether this address must sign in with its organisation's provider."""
        return email_domain(email) in self.sso_required_domains

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if self.identity_key is None:
                raise ValueError(
                    "JOINTAUDIT_IDENTITY_KEY is required when JOINTAUDIT_ENV=production"
                )
            if self.secret_key.get_secret_value() == DEV_SECRET_KEY:
                raise ValueError("set JOINTAUDIT_SECRET_KEY when JOINTAUDIT_ENV=production")
            if self.email_channel == "notify" and not (
                self.notify_api_key and self.notify_template_id
            ):
                raise ValueError(
                    "JOINTAUDIT_EMAIL_CHANNEL=notify needs JOINTAUDIT_NOTIFY_API_KEY and "
                    "JOINTAUDIT_NOTIFY_TEMPLATE_ID when JOINTAUDIT_ENV=production"
                )
            if any(not p.issuer.startswith("https://") for p in self.oidc_providers):
                raise ValueError("an OpenID provider's issuer must be https:// in production")
            if self.smtp_username and self.smtp_password is None:
                raise ValueError("JOINTAUDIT_SMTP_USERNAME is set without JOINTAUDIT_SMTP_PASSWORD")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to jointaudit.db in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jointaudit.db').resolve()}"

    @property
    def register_upload_bytes(self) -> int:
        """The largest register upload request: the file limit and room for the form around it."""
        return self.register_max_mb * 1024 * 1024 + 64 * 1024

    @property
    def identity_key_file(self) -> Path:
        """Where `jointaudit init` keeps the development key for identifying details."""
        return self.data_dir / "keys" / "identity.key"

    @property
    def prefect_home(self) -> Path:
        """Prefect's own home, inside the data directory so nothing leaks elsewhere."""
        return self.data_dir / "prefect"


LOOPBACK_NAMES = ("localhost", "ip6-localhost")


def is_loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this machine only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen_problem(settings: Settings, host: str) -> str | None:
    """Why the portal must not listen on this address with these settings, or None."""
    if is_loopback(host):
        return None
    if settings.env == "production":
        return None
    return (
        f"refusing to listen on {host} with development settings: anyone who can reach it "
        "could forge a session with the built-in secret. Set JOINTAUDIT_ENV=production with "
        "JOINTAUDIT_SECRET_KEY and JOINTAUDIT_IDENTITY_KEY (docs/security.md), listen on "
        "127.0.0.1 behind a reverse proxy, or pass --insecure-development for a lab machine"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    try:
        return Settings()
    except ValueError as error:
        raise ConfigurationError(str(error)) from error
