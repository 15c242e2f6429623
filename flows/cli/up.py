"""`jointaudit up`: run a whole partnership on one machine with one command."""

from __future__ import annotations

import typer

from models.settings import get_settings


def up(
    port: int = typer.Option(4200, "--port", help="Port of the Prefect server and UI."),
    portal_port: int = typer.Option(8000, "--portal-port", help="Port of the agency portal."),
    no_portal: bool = typer.Option(False, "--no-portal", help="Do not start the portal."),
    workers: int = typer.Option(1, "--workers", min=1, max=8, help="Prefect workers to start."),
) -> None:
    """Start Prefect (server, scheduled deployments, worker) and the portal; Ctrl-C stops all."""
    from flows.cli.supervisor import run_up

    code = run_up(
        settings=get_settings(),
        port=port,
        portal_port=portal_port,
        serve_portal=not no_portal,
        workers=workers,
    )
    raise typer.Exit(code)
