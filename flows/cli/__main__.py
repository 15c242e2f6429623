"""`python -m flows.cli`: the `jointaudit` command."""

import sys

from flows.cli import main

sys.exit(main())
