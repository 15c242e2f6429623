"""`jointaudit people`: what a coordinator does about one person's access."""

from __future__ import annotations

import typer

from flows.cli.common import cli_actor, done
from models.db import session_scope
from models.sessions import sign_out_everywhere
from models.types import utcnow

people_app = typer.Typer(help="People who sign in to the portal.", no_args_is_help=True)


@people_app.command("sign-out")
def sign_out(
    email: str = typer.Argument(..., help="The person's email address."),
) -> None:
    """Sign a person out of the portal everywhere, at once (on every portal process)."""
    with session_scope() as session:
        ended = sign_out_everywhere(session=session, email=email, actor=cli_actor(), now=utcnow())
    done(f"{ended} portal session(s) of {email} ended")
