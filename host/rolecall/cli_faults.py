"""How every `rolecall` command answers a fault: one line on stderr and a documented exit code.

Exit codes (also in `docs/SECURITY.md`): 0 success; 1 the daemon refused the request;
2 a bad argument (argparse's own); 2–8 the call outcomes of `rolecall call`;
9 no answer in time; 10 the daemon or a file could not be reached; 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

EXIT_DAEMON_ERROR = 1
EXIT_TIMEOUT = 9
EXIT_UNREACHABLE = 10
EXIT_INTERRUPTED = 130


def _say(message: str) -> None:
    print(f"rolecall: {message}", file=sys.stderr, flush=True)


def run_guarded(command: Callable[[], int]) -> int:
    """Runs `command`; a fault becomes one line on stderr and its exit code, never a traceback."""
    from rolecall.client import DaemonError

    try:
        return command()
    except DaemonError as exc:
        _say(f"{exc.message} ({exc.code})")
        return EXIT_DAEMON_ERROR
    except TimeoutError as exc:
        said = str(exc) if str(exc) not in ("", "timed out") else ""
        _say(said or "no answer in time (the daemon or the far end did not respond)")
        return EXIT_TIMEOUT
    except ConnectionError as exc:
        _say(f"lost the daemon: {exc}; start it with `rolecall daemon` or check the log")
        return EXIT_UNREACHABLE
    except OSError as exc:
        _say(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        return EXIT_UNREACHABLE
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
