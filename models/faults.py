"""Fault points for crash tests: `JOINTAUDIT_FAULT=NAME` kills the process at point NAME.

`NAME@N` waits for the Nth time the point is reached. The death is real (os._exit: no
cleanup, no commit, no exception handler), like a worker killed by the machine, so a test
can stop a process exactly between two steps. Ignored when JOINTAUDIT_ENV=production; costs
one environment lookup otherwise. The points (docs/operations.md says what each test proves):

- `launch:before-commit`  the round, assignments, grants and invitations are written, uncommitted
- `dispatch:after-send`   the provider has taken a message; its `sent` is not yet recorded
"""

from __future__ import annotations

import os
from collections import Counter

FAULT_ENV = "JOINTAUDIT_FAULT"
FAULT_EXIT_CODE = 86
_passes: Counter[str] = Counter()


def fault_point(name: str) -> None:
    """Die here when JOINTAUDIT_FAULT names this point (on its Nth pass for `NAME@N`)."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted or os.environ.get("JOINTAUDIT_ENV") == "production":
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _passes[name] += 1
    if _passes[name] >= int(nth or 1):
        os._exit(FAULT_EXIT_CODE)
