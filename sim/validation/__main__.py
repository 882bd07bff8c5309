"""``python -m sim.validation``: regenerate docs/validation_figures.md and docs/img plots."""

import sys

from sim.validation.report import main

sys.exit(main())
