"""``python -m tierbook.workbook.template [PATH] [--check]``: see :mod:`.check`."""

import sys

from .check import main

sys.exit(main())
