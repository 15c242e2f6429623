"""`jointaudit serve`: run the agency portal with uvicorn."""

from __future__ import annotations

import typer

from models.settings import get_settings


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Run the agency portal (put it behind an https reverse proxy in production)."""
    import uvicorn

    from agencies.app import create_app

    app = create_app(get_settings())
    uvicorn.run(app, host=host, port=port, proxy_headers=True, log_level="info")
