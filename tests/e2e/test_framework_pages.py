"""Buttons on pages built with real front-end frameworks (React, Vue, Lit from npm).

Each page (tests/fixtures/frameworks, bundled here with esbuild) loads its people after
the first render, replaces every row a moment later, keeps re-rendering on a timer and
navigates between deals by hash route. Checked in Debian's Chromium with the built
extension and the real host: exactly one button per number throughout, the call's page
record follows the navigation, and the framework throws nothing and keeps updating after
our buttons are in its DOM.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from test_click_to_call import BUTTONS_JS, FIXTURES, Stack, page, stack

pytestmark = pytest.mark.e2e
__all__ = ["page", "stack"]  # the click-to-call test's fixtures, shared

FRAMEWORKS = FIXTURES / "frameworks"
ANNA, TOM, KEN, CLAIRE = "+493090182011", "+442079460321", "+13125550178", "+33142685300"


@pytest.fixture(scope="module", autouse=True)
def bundles() -> None:
    """The framework pages, bundled from their sources with the extension's esbuild."""
    subprocess.run(["node", str(FRAMEWORKS / "build.mjs")], check=True, timeout=120)
    for name in ("react", "vue", "lit"):
        assert (FRAMEWORKS / "dist" / f"{name}-app.js").stat().st_size > 1000


def wait_for(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what}: never true (last {last!r})")


def stable_buttons(page: Page, want: list[str]) -> None:
    """The page's buttons become exactly `want` and stay so through another scan."""
    wait_for(lambda: page.evaluate(BUTTONS_JS) == want, f"buttons {want}")
    time.sleep(0.5)  # past the scanner's idle batch and a few framework re-renders
    assert page.evaluate(BUTTONS_JS) == want


def call_record(stack: Stack, page: Page, number: str) -> dict[str, Any]:
    before = len(stack.invites())
    page.locator(f'rolecall-call[data-number="{number}"]').first.click()
    assert stack.wait_invite(before).startswith(f"sip:{number}@")
    return stack.placed_record(number)


def tick(page: Page) -> int:
    return int((page.locator("#tick").text_content() or "tick -1").split()[-1])


@pytest.mark.parametrize("framework", ["react", "vue", "lit"])
def test_framework_page_keeps_one_button_per_number_and_the_record_follows(
    stack: Stack, page: Page, framework: str
) -> None:
    thrown: list[str] = []
    page.on("pageerror", lambda e: thrown.append(str(e)))
    page.goto(stack.site.url(f"frameworks/{framework}.html#/deals/1"))

    # Loaded after the first render, then every row replaced 0.7 s later.
    wait_for(lambda: page.evaluate(BUTTONS_JS) == [ANNA, TOM], "first rows' buttons")
    time.sleep(1.0)
    stable_buttons(page, [ANNA, TOM])
    shown = page.locator("td.phone").all_text_contents()
    assert shown[:2] == ["+49 30 901820 11", "+44 20 7946 0321"]

    # The framework keeps rendering with our buttons in its DOM.
    renders = page.evaluate("() => window.pageState.renders")
    first = tick(page)
    wait_for(lambda: tick(page) >= first + 3, "the tick keeps updating")
    assert page.evaluate("() => window.pageState.renders") > renders

    # A row the framework adds gets its one button.
    page.locator("#add").click()
    stable_buttons(page, [ANNA, TOM, KEN])

    record = call_record(stack, page, ANNA)
    assert record["object_type"] == "deal" and record["record_id"] == "1", record
    assert record["name"] == "Acme — Warehouse pilot", record

    # Client-side navigation: new route, new deal, rows replaced twice again.
    page.locator("#nav-next").click()
    wait_for(lambda: page.evaluate(BUTTONS_JS) == [CLAIRE], "the next deal's buttons")
    time.sleep(1.0)
    stable_buttons(page, [CLAIRE])
    assert page.locator("#deal-name").text_content() == "Globex — Fleet renewal"
    record = call_record(stack, page, CLAIRE)
    assert record["object_type"] == "deal" and record["record_id"] == "2", record
    assert record["name"] == "Globex — Fleet renewal", record

    second = tick(page)
    wait_for(lambda: tick(page) >= second + 3, "the tick still updates after navigation")
    assert thrown == []
    assert page.evaluate("() => window.pageState.errors") == []


def test_framework_sources_are_bundled_from_npm_packages() -> None:
    sources = {p.name for p in (FRAMEWORKS / "src").glob("*.ts")}
    assert {"react-app.ts", "vue-app.ts", "lit-app.ts"} <= sources
    for name, package in (("react", "react-dom"), ("vue", "vue"), ("lit", "lit")):
        text = (FRAMEWORKS / "src" / f"{name}-app.ts").read_text()
        assert f'from "{package}' in text, name
    assert Path(FRAMEWORKS / "build.mjs").exists()
