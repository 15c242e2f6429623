"""`round launch --named-cases FILE`: inspection mode, the launch page's named cases from a file.

The references are checked and launched in this process by the same `launch_round` the named
cases page calls: a list of references never becomes a Prefect parameter.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from flows.cli.common import cli_actor
from flows.rounds.launch import launch_round
from flows.rounds.named import NAMED_RESPONSE_DAYS, numbered_refs
from models.calendar import WorkingDayCalendar, london_date
from models.db import session_scope
from models.errors import ImportFileError, InputError
from models.round_parameters import LaunchParameters
from models.settings import get_settings
from models.types import utcnow

MAX_LIST_BYTES = 1024 * 1024
MIXED = (
    "--named-cases lists the cases to audit: leave out --where, --sample, --stratify-by, "
    "--quota and the other selection options"
)


def read_named_cases(path: Path) -> tuple[str, int]:
    """The file's text (one reference per line, as the page takes) and how many it names."""
    size = path.stat().st_size
    if size > MAX_LIST_BYTES:
        raise InputError(
            f"{path}: is {size:,} bytes, more than the {MAX_LIST_BYTES:,} a list of cases may be: "
            "name fewer cases, or launch them in more than one round"
        )
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    count = len(numbered_refs(text))
    if not count:
        raise InputError(f"{path}: name at least one case, one case reference per line")
    return text, count


def named_due_date() -> date:
    """The default response window of named cases: 5 working days from today."""
    calendar = WorkingDayCalendar.with_closures(get_settings().closure_days)
    return calendar.add_working_days(london_date(utcnow()), NAMED_RESPONSE_DAYS)


def located(error: ImportFileError, path: Path) -> ImportFileError:
    """The list's problems (unknown, inactive or repeated references, by line) under its name."""
    return ImportFileError(str(path), error.problems, omitted=error.omitted)


def launch_here(params: LaunchParameters, *, seed: int, case_list: str) -> tuple[int, bool, int]:
    """Launch the named cases' round in this process: (round id, created, invitations)."""
    key = params.idempotency_key or f"cli-named:{secrets.token_hex(16)}"
    with session_scope() as session:
        result = launch_round(
            session=session,
            params=params,
            seed=seed,
            idempotency_key=key,
            now=utcnow(),
            actor=cli_actor(),
            settings=get_settings(),
            case_list=case_list,
        )
    return result.round_id, result.created, result.invitations
