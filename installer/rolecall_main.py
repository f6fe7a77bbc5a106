"""The bundle's entry point: `dist/rolecall/rolecall` runs exactly what the `rolecall` command runs.

One executable serves every role, as the CLI does: a browser launch (`chrome-extension://…`
or a Firefox manifest path) is the native host, `rolecall daemon` the daemon, and every
other subcommand (install, doctor, autostart, …) works from the bundle too.
"""

import sys

from rolecall.cli import main

if __name__ == "__main__":
    sys.exit(main())
