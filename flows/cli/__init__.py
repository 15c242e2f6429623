"""The `jointaudit` command line (Typer): one module per command family, the `up` supervisor
(supervisor.py) and the demo (demo/).

The only part of flows/ that may import agencies/; nothing outside flows/cli/ imports it.
"""

from __future__ import annotations

import sys
import traceback

import typer
from rich.markup import escape

from flows.orchestration import use_prefect_defaults

use_prefect_defaults()  # before any command module imports Prefect

from flows.cli.common import error_console
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
    if _state.get("registered"):
        return
    _state["registered"] = True
    from flows.cli.actions import action_app, register_action_commands
    from flows.cli.agencies import agencies_app
    from flows.cli.apikeys import apikey_app
    from flows.cli.cases import cases_app
    from flows.cli.chase import chase
    from flows.cli.demo import demo
    from flows.cli.notify import notify_app
    from flows.cli.people import people_app
    from flows.cli.programme import programme_app
    from flows.cli.reconcile import register_reconcile_commands
    from flows.cli.report import register_report_commands, report_app
    from flows.cli.retention import register_retention_commands
    from flows.cli.round import round_app
    from flows.cli.round_changes import register_change_commands
    from flows.cli.serve import serve
    from flows.cli.setup import register_setup_commands
    from flows.cli.tools import tools_app
    from flows.cli.up import up

    register_setup_commands(app)
    app.command()(demo)
    app.command()(serve)
    app.command()(chase)
    app.command()(up)
    app.add_typer(agencies_app, name="agencies")
    app.add_typer(cases_app, name="cases")
    app.add_typer(notify_app, name="notify")
    register_change_commands(round_app)
    register_reconcile_commands(round_app)
    register_report_commands(round_app)
    register_action_commands(round_app)
    register_retention_commands(app, round_app)
    app.add_typer(programme_app, name="programme")
    app.add_typer(action_app, name="action")
    app.add_typer(round_app, name="round")
    app.add_typer(report_app, name="report")
    app.add_typer(tools_app, name="tools")
    app.add_typer(apikey_app, name="apikey")
    app.add_typer(people_app, name="people")


def _report(error: BaseException) -> int:
    if _state["debug"] or "--debug" in sys.argv:
        traceback.print_exception(error)
    error_console.print(f"[red]Error:[/red] {escape(str(error))}", soft_wrap=True)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a deliberate error prints one clear message and exits non-zero."""
    _register_commands()
    try:
        # Standalone mode: Typer itself reports usage errors and exits through SystemExit.
        app(args=argv, prog_name="jointaudit")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    except JointauditError as error:
        return _report(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
