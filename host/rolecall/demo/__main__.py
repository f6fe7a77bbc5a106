"""`python -m rolecall.demo` (what `make demo` runs): Rolecall end to end on embedded defaults.

Starts the demo CRM web app, the demo PBX and callees, and the daemon under a demo
home with the demo account and data (see `stack.py`); registers the native host in a
throwaway Chromium profile and opens Chromium with the extension. With a display the
browser is yours (on the demo CRM's opportunity page) until Ctrl-C or until you close
it, and the daemon uses your sound server; without one the daemon gets the demo's own
PulseAudio (`sound.py`, where installed) and a scripted tour (`tour.py`) places calls,
speaks and listens on the call with Anna, uses the side panel, and prints what
happened, with screenshots, the call log and the callees' own records in the output
directory. Everything it started is stopped by pid, and a second run starts clean.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from playwright.sync_api import sync_playwright

from rolecall import __version__
from rolecall.demo.browser import REPO, ExtensionBrowser, launch, register_host
from rolecall.demo.processes import end_pids, pids_with_argument
from rolecall.demo.sound import DemoSound, pulseaudio_available
from rolecall.demo.stack import DEMO_OPPORTUNITY, DemoStack
from rolecall.demo.tour import Tour, TourReport
from rolecall.paths import SOCKET_PATH_LIMIT, Home


def _demo_home(output: Path) -> Home:
    home = Home(output / "home")
    if len(os.fsencode(home.socket_path)) > SOCKET_PATH_LIMIT:
        home = Home(Path(tempfile.gettempdir()) / f"rolecall-demo-{os.getuid()}")
        shutil.rmtree(home.root, ignore_errors=True)
    return home


_interrupted = False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _interrupted  # the one signal flag of this process
    _interrupted = True
    raise KeyboardInterrupt


def _wait_connected(browser: ExtensionBrowser, timeout_s: int = 20) -> str:
    status: str = browser.evaluate(
        """async (limit) => {
            const status = () => globalThis.rolecall.state().status;
            for (let i = 0; i < limit * 20 && status() !== 'connected'; i++)
                await new Promise((r) => setTimeout(r, 50));
            return status();
        }""",
        timeout_s,
    )
    return status


def _what_callees_saw(stack: DemoStack) -> None:
    """One line per person at the other end, from their phone's own record."""
    if stack.callees is None:
        return
    names = {p.key: p.name for p in stack.cast}
    seen: dict[str, list[str]] = {}
    endings = {486: "busy (486)", 480: "did not pick up (480)", 487: "stopped ringing"}
    for event in stack.callees.events():
        kind, person = event["event"], event.get("person")
        if person is None:
            continue
        what = ""
        if kind == "incoming":
            what = f"rang (from {event['from'].strip('<>')})"
        elif kind == "call_state" and event["state"] == "CONFIRMED":
            what = "talking"
        elif kind == "call_state" and event["state"] == "DISCONNECTED":
            what = endings.get(event["code"], "hung up")
        elif kind == "speaking":
            what = "spoke"
        elif kind == "message":
            what = f"received {event['body'][:48]!r}"
        elif kind == "transfer_request":
            what = f"was transferred to {event['to']}"
        elif kind == "calling_back":
            what = f"called back {event['to']}"
        if what:
            seen.setdefault(person, []).append(what)
    print("\nWhat the other end saw (each phone's own record):")
    for person, things in seen.items():
        print(f"  {names.get(person, person)}: {', '.join(things)}")


def _print_summary(report: TourReport, stack: DemoStack, output: Path) -> None:
    _what_callees_saw(stack)
    log = json.loads((output / "call-log.json").read_text())
    names = {c.id: c.name for c in stack.dataset.contacts} if stack.dataset else {}
    print("\nCall log (newest first):")
    for item in log:
        entry = item["entry"]
        who = names.get(entry.get("contact_id") or "", entry["number"])
        documents = ", ".join(entry["documents_presented"]) or "-"
        print(
            f"  {entry['direction']:>8} {who} ({entry['number']}): {entry['end_cause']}, "
            f"{entry['duration_s']} s, opportunity {entry.get('opportunity_id') or '-'}, "
            f"documents presented: {documents}"
        )
    not_done = [s.name for s in report.steps if s.outcome == "not done"]
    failed = [s.name for s in report.steps if s.outcome == "failed"]
    print(f"\nSteps: {len(report.steps)}; not done: {len(not_done)}; failed: {len(failed)}")
    for name in not_done:
        print(f"  not done: {name}")
    for name in failed:
        print(f"  FAILED: {name}")
    print(f"Screenshots, call-log.json, callees.jsonl and tour.json are in {output}")


def _close(browser: ExtensionBrowser) -> None:
    """Closes the browser; after a Ctrl-C in a terminal it may already be gone."""
    with contextlib.suppress(Exception):
        browser.close()


def run(output: Path, headless: bool, direct: bool) -> int:
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    home = _demo_home(output)
    profile = output / "chromium-profile"
    print(f"Rolecall {__version__} demo; state in {home.root}", flush=True)
    os.environ.setdefault("ROLECALL_KEYRING", "file")  # demo secrets, not the user's keyring
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    stack = DemoStack(home, output, direct=direct)
    if headless and pulseaudio_available():
        stack.sound = DemoSound(output / "sound", stack.children)
    elif headless:
        print("no PulseAudio on this machine: the calls carry no sound", flush=True)
    failed = False
    try:
        stack.start()
        started = {c.name: c.process.pid for c in stack.children.started}
        (output / "pids.json").write_text(json.dumps(started, indent=2))
        print(f"daemon pid {stack.daemon_pid}", flush=True)
        register_host(home.root, profile)
        with sync_playwright() as playwright:
            browser = launch(playwright, profile, home=home.root, headless=headless)
            try:
                print(f"extension: {_wait_connected(browser)} to the daemon", flush=True)
                if headless:
                    print("Headless: the scripted tour", flush=True)
                    report = Tour(browser, stack, output).run()
                    _print_summary(report, stack, output)
                    failed = any(s.outcome == "failed" for s in report.steps)
                else:
                    _headed(browser, stack)
            finally:
                _close(browser)
    except BaseException:
        if not _interrupted:
            raise
        # Ctrl-C in a terminal also reaches the browser and its driver: they may be gone,
        # and the driver's connection dies with a future nobody reads: not worth a word.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        print("\nstopping", flush=True)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for name in stack.stop():
            print(f"stopped {name}", flush=True)
        browsers = pids_with_argument(f"--user-data-dir={profile}")
        if browsers:
            end_pids(browsers)
            print(f"stopped Chromium (pids {', '.join(map(str, browsers))})", flush=True)
        shutil.rmtree(profile, ignore_errors=True)
    print("demo finished; everything it started is stopped", flush=True)
    return 1 if failed else 0


def _headed(browser: ExtensionBrowser, stack: DemoStack) -> None:
    pages = browser.context.pages  # the window's first tab, else a new one
    page = pages[0] if pages else browser.context.new_page()
    page.goto(f"{stack.crm_url}/opportunities/{DEMO_OPPORTUNITY}")
    print(
        "Chromium is yours: click a phone number on the demo CRM, and open the "
        "Rolecall side panel from the toolbar.\n"
        "  Anna Kowalski answers and speaks, Marcus Reed is busy, Priya Natarajan never "
        "answers, Tom Becker misses your call and rings back;\n"
        "  transfer to extension 2001 to reach a colleague. "
        "Ctrl-C (or closing the browser) stops the demo.",
        flush=True,
    )
    while browser.context.pages:
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m rolecall.demo", description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "demo-output")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true", help="no window: the scripted tour")
    mode.add_argument("--headed", action="store_true", help="a window even if unsure")
    parser.add_argument(
        "--direct", action="store_true", help="reach the callees directly, without Kamailio"
    )
    args = parser.parse_args()
    headless = args.headless or (not args.headed and not os.environ.get("DISPLAY"))
    return run(args.output.absolute(), headless, args.direct)


if __name__ == "__main__":
    sys.exit(main())
