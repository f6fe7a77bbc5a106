"""`python -m rolecall`: the same as the `rolecall` command."""

import sys

from rolecall.cli import main

sys.exit(main())
