"""Workflows (Prefect flows) and the `jointaudit` command line.

Prefect reads its settings when it is first imported, so the defaults that keep it
self-contained (its home inside our data directory, no telemetry, a start-up timeout long
enough for these machines) are set here, before any flow module imports it.
"""

import os
from pathlib import Path

_data_dir = Path(os.environ.get("JOINTAUDIT_DATA_DIR", "var"))
for _name, _value in {
    "PREFECT_HOME": str(_data_dir.resolve() / "prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}.items():
    os.environ.setdefault(_name, _value)
