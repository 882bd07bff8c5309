"""``python -m sim`` is the ``ssr`` command."""

import sys

from sim.cli import main

sys.exit(main())
