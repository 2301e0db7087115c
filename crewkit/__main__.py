"""``python -m crewkit`` runs the command line."""

import sys

from crewkit.cli import main

sys.exit(main())
