"""Fault points for crash tests: `JOINTAUDIT_FAULT=NAME` makes the process die at point NAME.

A real crash (os._exit: no cleanup, no commit, no exception handlers), not a timed kill,
so a test can stop a dispatcher exactly between two steps. Ignored in production.
"""

from __future__ import annotations

import os

FAULT_ENV = "JOINTAUDIT_FAULT"
FAULT_EXIT_CODE = 86


def fault_point(name: str) -> None:
    """Die here when JOINTAUDIT_FAULT names this point."""
    if os.environ.get(FAULT_ENV) == name and os.environ.get("JOINTAUDIT_ENV") != "production":
        os._exit(FAULT_EXIT_CODE)
