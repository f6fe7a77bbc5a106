"""Page scanning benchmarks: a generated CRM list of 5,000 rows with 1,000 phone numbers.

Measured in Debian's Chromium with the built extension: how soon after DOMContentLoaded
the first and the last of the 1,000 call buttons are painted (against the same page
settling on a site Rolecall is not enabled on), the content script's first full scan,
the batch that handles 50 rows inserted after load, and the JavaScript heap the
extension adds to the page (the same page not enabled is the baseline, measured in the
same run).
"""

from __future__ import annotations

import html
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from rolecall.demo.browser import CHROMIUM_DIST, ExtensionBrowser, launch, register_host
from rolecall.paths import Home
from support.daemons import prepare_home
from support.processes import daemon_pid, stop_pid
from support.web import StaticSite

Line = dict[str, object]
ROWS = 5_000
EVERY = 5  # one row in five has a phone number: 1,000 numbers
NUMBERS = ROWS // EVERY

# In the page's own world, from the start of every load: the frame that paints the first
# call button and the one that paints the last (counted as they are shown, from the
# document's start: a content script may show buttons while the page is parsed), and the
# first frame after the load event (the page settled). Times are read from
# DOMContentLoaded (negative: painted before it). The buttons are counted in each frame's
# own callback, which runs just before the frame paints what the page holds then: a
# mutation observer on the whole document, as this probe was first written, heard every
# node the parser inserted and cost the page about 50 ms of its main thread per load.
MARKS_JS = """(() => {
  const want = NUMBERS;
  const marks = { first: null, all: null, settled: null, count: 0 };
  globalThis.__benchMarks = marks;
  const buttons = document.getElementsByTagName('rolecall-call');  // live
  // A button counts once it is shown: made hidden, it is shown by a change of its style.
  const hidden = (node) => /display:\\s*none/.test(node.getAttribute('style') || '');
  let listed = -1;
  let loaded = false;
  const frame = () => {
    const now = performance.now();
    if (loaded && marks.settled === null) marks.settled = now;
    if (buttons.length !== listed || marks.count < listed) {  // new buttons, or hidden ones
      listed = buttons.length;
      let shown = 0;
      for (let i = 0; i < listed; i++) if (!hidden(buttons[i])) shown += 1;
      marks.count = shown;
      if (shown > 0 && marks.first === null) marks.first = now;
      if (shown >= want && marks.all === null) marks.all = now;
    }
    // Frames go on until every button is shown, or for a while after a page without
    // buttons (not enabled) has settled.
    if (marks.all === null && (marks.settled === null || now - marks.settled < 5000)) {
      requestAnimationFrame(frame);
    }
  };
  requestAnimationFrame(frame);
  addEventListener('load', () => { loaded = true; }, { once: true });
})();""".replace("NUMBERS", str(NUMBERS))

MARKS_READ = """() => {
  const marks = globalThis.__benchMarks;
  const nav = performance.getEntriesByType('navigation')[0];
  if (!marks || !nav || !nav.domContentLoadedEventStart) return null;
  const since = (t) => (t === null ? null : t - nav.domContentLoadedEventStart);
  return { count: marks.count, first: since(marks.first), all: since(marks.all),
           settled: since(marks.settled) };
}"""
# Loads measured, after one load of each page that is reported on its own: a browser's
# first load of a page (its cache, its sites' processes, our script's first compile) is
# slower for both pages, by 100 to 250 ms settled, and set the median of five.
LOADS = 7
HEAP_PAIRS = 5
INSERTS = 10

INSERT_JS = """(start) => {
  const body = document.querySelector('#deals tbody');
  for (let i = 0; i < 50; i++) {
    const n = start + i;
    const tr = document.createElement('tr');
    const phone = i % 5 === 0 ? `+1 212 555 ${String(100 + (n % 100)).padStart(4, '0')}` : '—';
    const cells = [`Deal ${n}`, `Account ${n}`, `$${(n * 37) % 90000},00`, '2026-12-31',
                   'Proposal', phone, `006Dn0000${n}`];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
}"""


def generated_page() -> str:
    """A deals list as CRMs render one: amounts, dates, ids, stages, and some phones."""
    rows = []
    for n in range(ROWS):
        phone = f"+1 415 555 {100 + n // EVERY:04d}" if n % EVERY == 0 else "—"
        if n % EVERY == 0 and n // EVERY >= 100:  # keep inside valid, distinct numbers
            phone = f"+44 20 7946 {n // EVERY:04d}"
        cells = [
            f"Deal {n}",
            f"Account {n % 700}",
            f"${(n * 37) % 90000:,}.00",
            f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            ("Prospecting", "Proposal", "Negotiation")[n % 3],
            phone,
            f"006Dn0000{n:09d}",
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>" for h in ("Deal", "Account", "Amount", "Close", "Stage", "Phone", "Id")
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Deals</title></head>"
        f"<body><table id='deals'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
        "</tbody></table></body></html>"
    )


def stats_of(browser: ExtensionBrowser, url: str) -> dict[str, Any]:
    found = browser.evaluate(
        "async (url) => (await globalThis.rolecall.pageStats('http://*/*'))"
        ".filter((s) => s.url === url)",
        url,
    )
    return found[0] if found else {}


def wait_stats(
    browser: ExtensionBrowser, url: str, check: Any, timeout: float = 30.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = stats_of(browser, url)
        if stats and check(stats):
            return stats
        time.sleep(0.05)
    raise RuntimeError(f"the page at {url} was never scanned as expected: {stats_of(browser, url)}")


def heap_used(page: Page) -> float:
    session = page.context.new_cdp_session(page)
    session.send("HeapProfiler.enable")
    for _ in range(3):
        session.send("HeapProfiler.collectGarbage")
    session.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    session.detach()
    return float(metrics["JSHeapUsedSize"])


def heap_after_inserts(browser: ExtensionBrowser, url: str, *, scanned: bool) -> float:
    """The JS heap after GC of a fresh tab on `url` once it is settled (and scanned) and
    has had the same 500 rows added as the scanned page had: the renderer's whole heap,
    so what it holds for our buttons (their elements' wrappers, listeners) counts too."""
    page = browser.context.new_page()
    try:
        page.bring_to_front()
        page.goto(url)
        wait_marks(page, "all" if scanned else "settled")
        for i in range(INSERTS):
            done = stats_of(browser, url).get("batches", 0) if scanned else 0
            page.evaluate(INSERT_JS, 100_000 + i * 50)
            if scanned:
                wait_stats(browser, url, lambda s, d=done: s["batches"] > d)
        return heap_used(page)
    finally:
        page.close()


def wait_marks(page: Page, key: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        marks: dict[str, Any] | None = page.evaluate(MARKS_READ)
        if marks and marks.get(key) is not None:
            return marks
        time.sleep(0.02)
    raise RuntimeError(f"{key} never came: {page.evaluate(MARKS_READ)}")


def run() -> list[Line]:
    root = Path(tempfile.mkdtemp(prefix="rc-bench-page-"))
    home = prepare_home(Home(Path(tempfile.mkdtemp(prefix="rc-bench-", dir="/tmp"))))
    profile = Path(tempfile.mkdtemp(prefix="rc-bench-profile-"))
    (root / "deals.html").write_text(generated_page())
    enabled, plain = StaticSite(root, "127.0.0.1"), StaticSite(root, "127.0.0.2")
    lines: list[Line] = []
    try:
        register_host(home.root, profile)
        with sync_playwright() as playwright:
            # Another build of the extension (the code before a change, measured in the
            # same session) can be named by ROLECALL_BENCH_PAGE_EXTENSION.
            extension = Path(os.environ.get("ROLECALL_BENCH_PAGE_EXTENSION", CHROMIUM_DIST))
            browser = launch(playwright, profile, home=home.root, extension_dir=extension)
            try:
                url = enabled.url("deals.html")
                first: list[float] = []
                wall: list[float] = []
                longest: list[float] = []
                live: list[float] = []
                first_mark: list[float] = []
                all_marks: list[float] = []
                settled: list[float] = []
                browser.context.add_init_script(MARKS_JS)
                page = browser.context.new_page()
                plain_page = browser.context.new_page()
                cold: dict[str, float] = {}
                for load in range(1 + LOADS):  # interleaved, so both see the same machine load
                    plain_page.bring_to_front()  # frames are painted for the tab in front only
                    plain_page.goto(plain.url("deals.html"))
                    plain_settled = wait_marks(plain_page, "settled")["settled"]
                    page.bring_to_front()
                    page.goto(url)
                    marks = wait_marks(page, "all")
                    stats = wait_stats(browser, url, lambda s: s["buttonsLiveMs"] is not None)
                    if load == 0:
                        cold = {
                            "settled": plain_settled,
                            "all": marks["all"],
                            "scan": stats["firstScanMs"],
                        }
                        continue
                    settled.append(plain_settled)
                    first_mark.append(marks["first"])
                    all_marks.append(marks["all"])
                    first.append(stats["firstScanMs"])
                    wall.append(stats["firstScanWallMs"])
                    longest.append(stats["firstScanLongestSliceMs"])
                    live.append(stats["buttonsLiveMs"])
                plain_page.close()
                buttons = stats["buttons"]
                batches: list[float] = []
                for i in range(INSERTS):
                    done = stats["batches"]
                    page.evaluate(INSERT_JS, 100_000 + i * 50)
                    stats = wait_stats(browser, url, lambda s, d=done: s["batches"] > d)
                    batches.append(stats["lastBatchMs"])
                page.close()
                # The heap: each side in a fresh tab, loaded once and given the same rows.
                # Pairs of fresh tabs, alternated: one pair moves by a few tenths of a MiB.
                heaps: list[tuple[float, float]] = []
                for _ in range(HEAP_PAIRS):
                    scanned_heap = heap_after_inserts(browser, url, scanned=True)
                    plain_heap = heap_after_inserts(browser, plain.url("deals.html"), scanned=False)
                    heaps.append((scanned_heap, plain_heap))
            finally:
                browser.close()
    finally:
        enabled.close()
        plain.close()
        pid = daemon_pid(home)
        if pid:
            stop_pid(pid)
        for path in (root, home.root, profile):
            shutil.rmtree(path, ignore_errors=True)
    settled_median = statistics.median(settled)
    lines.append(
        {
            "name": "page_settled_after_dcl_median",
            "value": round(settled_median, 2),
            "unit": "ms",
            "note": "page on a site not enabled: DOMContentLoaded to the first frame after load",
            "samples": [round(x, 2) for x in settled],
        }
    )
    all_median = statistics.median(all_marks)
    lines.append(
        {
            "name": "page_all_marks_after_dcl_median",
            "value": round(all_median, 2),
            "unit": "ms",
            "baseline": round(settled_median, 2),
            "ratio": round(all_median / settled_median, 3),
            "goal": 300,
            "note": f"DOMContentLoaded to the frame painting the last of {NUMBERS} call buttons",
            "samples": [round(x, 2) for x in all_marks],
        }
    )
    first_median = statistics.median(first_mark)
    lines.append(
        {
            "name": "page_first_mark_after_dcl_median",
            "value": round(first_median, 2),
            "unit": "ms",
            "baseline": round(settled_median, 2),
            "ratio": round(first_median / settled_median, 3),
            "goal": 50,
            "note": "DOMContentLoaded to the frame painting the first call button",
            "samples": [round(x, 2) for x in first_mark],
        }
    )
    lines.append(
        {
            "name": "page_first_scan_median",
            "value": round(statistics.median(first), 2),
            "unit": "ms",
            "goal": 100,
            "note": "main-thread time of the whole first scan, its slices added up",
            "rows": ROWS,
            "buttons": buttons,
            "samples": [round(x, 2) for x in first],
        }
    )
    lines.append(
        {
            "name": "page_first_scan_longest_slice_median",
            "value": round(statistics.median(longest), 2),
            "unit": "ms",
            "note": "the longest the first scan held the page's main thread at once",
            "samples": [round(x, 2) for x in longest],
        }
    )
    lines.append(
        {
            "name": "page_first_scan_wall_median",
            "value": round(statistics.median(wall), 2),
            "unit": "ms",
            "note": "first scan start to end, the pauses between slices included",
            "samples": [round(x, 2) for x in wall],
        }
    )
    lines.append(
        {
            "name": "page_buttons_live_median",
            "value": round(statistics.median(live), 2),
            "unit": "ms",
            "note": "first scan start until every button is built and shown",
            "samples": [round(x, 2) for x in live],
        }
    )
    lines.append(
        {
            "name": "page_all_marks_after_dcl_cold",
            "value": round(cold["all"], 2),
            "unit": "ms",
            "baseline": round(cold["settled"], 2),
            "ratio": round(cold["all"] / cold["settled"], 3),
            "note": "the browser's first load of each page, before the measured ones",
        }
    )
    lines.append(
        {
            "name": "page_first_scan_cold",
            "value": round(cold["scan"], 2),
            "unit": "ms",
            "note": "the first scan of the browser's first load of the page",
        }
    )
    lines.append(
        {
            "name": "page_insert_50_rows_batch_median",
            "value": round(statistics.median(batches), 3),
            "unit": "ms",
            "goal": 5,
            "samples": [round(x, 3) for x in batches],
        }
    )
    added = [(scanned_heap - plain_heap) / 1_048_576 for scanned_heap, plain_heap in heaps]
    with_extension = statistics.median(h for h, _ in heaps)
    without = statistics.median(h for _, h in heaps)
    lines.append(
        {
            "name": "page_added_js_heap",
            "value": round(statistics.median(added), 2),
            "unit": "MiB",
            "baseline": round(without / 1_048_576, 2),
            "ratio": round(with_extension / without, 3),
            "goal": 1.5,
            "note": "JS heap after GC, fresh tabs: the page scanned, 500 rows added, vs the same"
            " page and rows not enabled (median of the pairs)",
            "samples": [round(x, 2) for x in added],
        }
    )
    return lines
