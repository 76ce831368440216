"""`python -m baro quickstart` / `python -m baro info`."""

import sys

from baro.cli import main

sys.exit(main())
