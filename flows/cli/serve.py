"""`jointaudit serve`: run the agency portal with uvicorn."""

from __future__ import annotations

import copy
import logging
from typing import Any

import typer

from models.errors import ConfigurationError
from models.settings import get_settings, listen_problem


class RedactSignInTokens(logging.Filter):
    """Logs the sign-in route without its token (a mail scanner's visit leaves it unused)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from agencies.portal.security import loggable_path

        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], loggable_path(args[2]), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the access log passed through RedactSignInTokens."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"sign_in_tokens": {"()": RedactSignInTokens}}
    config["handlers"]["access"]["filters"] = ["sign_in_tokens"]
    return config


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    insecure_development: bool = typer.Option(
        False,
        "--insecure-development",
        help="Listen beyond loopback with development settings (a lab machine only).",
    ),
) -> None:
    """Run the agency portal (put it behind an https reverse proxy in production)."""
    import uvicorn

    from agencies.app import create_app

    settings = get_settings()
    problem = listen_problem(settings, host)
    if problem is not None and not insecure_development:
        raise ConfigurationError(problem)
    app = create_app(settings)
    uvicorn.run(
        app, host=host, port=port, proxy_headers=True, log_level="info", log_config=log_config()
    )
