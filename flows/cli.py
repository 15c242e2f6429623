"""The `jointaudit` command line (Typer): one sub-command family per area."""

from __future__ import annotations

import sys
import traceback

import click
import typer
from rich.markup import escape

from flows.cli_common import error_console
from models.errors import JointauditError

app = typer.Typer(
    name="jointaudit",
    help="Multi-agency joint case audits for safeguarding partnerships.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    """Multi-agency joint case audits for safeguarding partnerships."""
    _state["debug"] = debug


def _register_commands() -> None:
    from flows.cli_agencies import agencies_app
    from flows.cli_cases import cases_app
    from flows.cli_setup import register_setup_commands

    register_setup_commands(app)
    app.add_typer(agencies_app, name="agencies")
    app.add_typer(cases_app, name="cases")


def _report(error: BaseException) -> int:
    if _state["debug"] or "--debug" in sys.argv:
        traceback.print_exception(error)
    error_console.print(f"[red]Error:[/red] {escape(str(error))}", soft_wrap=True)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a deliberate error prints one clear message and exits non-zero."""
    _register_commands()
    try:
        app(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.exceptions.Abort:
        error_console.print("Aborted.")
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except JointauditError as error:
        return _report(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
