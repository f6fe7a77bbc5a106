"""The headless demo's scripted tour: what a salesperson would do, done in the real browser.

On the demo CRM's opportunity page it clicks Anna Kowalski's number and waits for her
to answer; opens the side panel page (as a tab, in a narrow viewport); looks at the
call, the people by role and the documents; presents the proposal; mutes; transfers
Anna to a colleague. Then it calls Marcus Reed (busy), calls Tom Becker and hangs up
while it rings, takes Tom's call back from the inbound screen pop, and hangs up.

Panel steps are written against the panel's test ids (`PANEL_CONTRACT`). A panel step
that cannot be done (the panel lacks the control, or it did not have the effect) is
reported as such, with why, and the tour goes on: where the rest of the story needs
the step's effect, it is done through the daemon instead and reported so. Each step's
outcome, screenshots, the call log and the callees' own records are saved into the
output directory.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, ViewportSize

from rolecall.client import DaemonError
from rolecall.demo.browser import ExtensionBrowser
from rolecall.demo.cast import COLLEAGUE_EXTENSION
from rolecall.demo.sound import SILENCE_DBFS, rms_dbfs
from rolecall.demo.stack import DEMO_OPPORTUNITY, DemoStack
from rolecall.demo.voice import speech_wav

Outcome = Literal["done", "via daemon", "not done", "failed"]
CallInfo = dict[str, Any]

ANNA = "+14155550147"
MARCUS = "+14155550110"
TOM = "+16285550175"
TOM_ID = "con-tom-becker"
PROPOSAL = "doc-acme-platform-proposal"
OUR_PHRASE = "Hello Anna, thanks for taking my call."
LISTEN_S = 3.0
NOTES = "Walked Anna through the proposal; Sam takes the security questions."
PANEL_VIEWPORT: ViewportSize = {"width": 420, "height": 900}
ROLE_GROUPS_JS = """() => [...document.querySelectorAll('[data-testid^="role-group-"]')]
.map((g) => ({
  role: g.getAttribute('data-testid').slice('role-group-'.length),
  contacts: [...g.querySelectorAll('[data-testid^="contact-"][data-role]')].map(
    (c) => c.getAttribute('data-testid').slice('contact-'.length)),
}))"""
DOCUMENTS_JS = """() => [...document.querySelectorAll('[data-testid^="document-"][data-presented]')]
  .map((d) => d.getAttribute('data-testid').slice('document-'.length))"""


@dataclass
class Step:
    name: str
    outcome: Outcome
    detail: str = ""
    panel: bool = False


@dataclass
class TourReport:
    steps: list[Step] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    screenshots: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [asdict(s) for s in self.steps],
            "facts": self.facts,
            "screenshots": self.screenshots,
        }


class StepFailed(Exception):
    """A step could not be done; the message says why."""


class Tour:
    def __init__(self, browser: ExtensionBrowser, stack: DemoStack, output: Path) -> None:
        self.browser = browser
        self.stack = stack
        self.output = output
        self.report = TourReport()
        self.crm: Page | None = None
        self.panel: Page | None = None
        self.panel_missing = ""

    # ---- helpers ------------------------------------------------------------------------

    def log(self, step: Step) -> None:
        self.report.steps.append(step)
        where = "panel" if step.panel else "page"
        print(f"  [{step.outcome:>10}] ({where}) {step.name}: {step.detail}", flush=True)

    def shot(self, page: Page | None, name: str) -> None:
        if page is None:
            return
        path = self.output / name
        try:
            page.screenshot(path=path)
        except PlaywrightError:
            return
        self.report.screenshots.append(name)

    def calls(self) -> list[CallInfo]:
        with self.stack.client() as client:
            found: list[CallInfo] = client.request("calls.list")["calls"]
        return found

    def wait_call(
        self, check: Callable[[CallInfo], bool], timeout: float = 15.0, what: str = ""
    ) -> CallInfo:
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls():
                if check(call):
                    return call
            if time.monotonic() > deadline:
                raise StepFailed(f"no call {what} within {timeout:.0f} s")
            time.sleep(0.1)

    def request(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        with self.stack.client() as client:
            return client.request(method, payload)

    def callee_event(
        self, check: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any] | None:
        assert self.stack.callees is not None
        try:
            found = self.stack.callees.wait(lambda evs: any(map(check, evs)), timeout)
        except TimeoutError:
            return None
        return next(e for e in found if check(e))

    def panel_do(self, name: str, action: Callable[[], str]) -> bool:
        """Runs a panel step: reports it done, or not done with why; never raises."""
        if self.panel is None:
            self.log(Step(name, "not done", self.panel_missing, panel=True))
            self.report.facts.setdefault("panel_steps_not_done", []).append(name)
            return False
        try:
            detail = action()
        except (PlaywrightError, StepFailed) as exc:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            self.log(Step(name, "not done", reason, panel=True))
            self.report.facts.setdefault("panel_steps_not_done", []).append(name)
            return False
        self.log(Step(name, "done", detail, panel=True))
        return True

    def testid(self, testid: str) -> Any:
        assert self.panel is not None
        return self.panel.get_by_test_id(testid)

    # ---- the tour -----------------------------------------------------------------------

    def run(self) -> TourReport:
        try:
            self._run()
        except (StepFailed, PlaywrightError, DaemonError) as exc:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
            self.log(Step("tour stopped", "failed", reason))
        finally:
            self._save()
        return self.report

    def _run(self) -> None:
        call = self.call_anna()
        self.speak_and_listen()
        self.open_panel()
        self.panel_call_view(call)
        self.panel_people()
        self.panel_documents(call)
        self.mute(call)
        self.transfer(call)
        self.voice_both_ways()
        self.wrap_up(call)
        self.call_busy()
        self.hang_up_ringing()
        self.take_call_back()

    def speak_and_listen(self) -> None:
        """With the demo's own sound server: says a phrase into the microphone while
        recording the speaker, for `voice_both_ways`."""
        sound = self.stack.sound
        if sound is None:
            return
        phrase = speech_wav(OUR_PHRASE, self.output / "our-phrase.wav", pause_s=0.0)
        heard = self.output / "our-speaker.wav"
        recorder = sound.listen(heard)
        player = sound.say(self.output / "our-phrase.wav")
        time.sleep(LISTEN_S)
        sound.done(recorder)
        sound.done(player)
        self.report.facts["our_phrase"] = {"text": OUR_PHRASE, "how": phrase}
        self.report.facts["our_speaker_dbfs"] = round(rms_dbfs(heard), 1)

    def voice_both_ways(self) -> None:
        """Anna's phone heard us (its own recording) and our speaker played her."""
        if self.stack.sound is None:
            return
        heard = self.callee_event(lambda e: e["person"] == "anna" and e["event"] == "heard", 5)
        anna_dbfs = float(heard["dbfs"]) if heard else -120.0
        ours = float(self.report.facts.get("our_speaker_dbfs", -120.0))
        self.report.facts["anna_heard_dbfs"] = anna_dbfs
        self.log(
            Step(
                "voice both ways: Anna's phone hears us, our speaker plays Anna",
                "done" if anna_dbfs > SILENCE_DBFS and ours > SILENCE_DBFS else "failed",
                f"Anna's own recording {anna_dbfs:.1f} dBFS, our speaker {ours:.1f} dBFS "
                f"(silence is below {SILENCE_DBFS:.0f})",
            )
        )

    def call_anna(self) -> CallInfo:
        crm = self.browser.context.new_page()
        crm.set_default_timeout(15_000)
        self.crm = crm
        crm.goto(f"{self.stack.crm_url}/opportunities")
        crm.get_by_role("link", name="Acme Analytics — Contact Centre Platform").click()
        crm.wait_for_selector(f'main[data-record-id="{DEMO_OPPORTUNITY}"]', timeout=10_000)
        button = crm.locator(f'rolecall-call[data-number="{ANNA}"]').first
        try:
            button.wait_for(timeout=15_000)
        except PlaywrightError as exc:
            raise StepFailed("the extension put no call button beside Anna's number") from exc
        time.sleep(0.5)  # let the scanner finish the page
        buttons = crm.locator("rolecall-call").count()
        self.report.facts["call_buttons_on_opportunity_page"] = buttons
        self.shot(crm, "01-opportunity-page.png")
        self.log(
            Step(
                "open the opportunity page (client-side navigation)",
                "done",
                f"{crm.url}: {buttons} call buttons",
            )
        )
        button.click()
        call = self.wait_call(
            lambda c: c["dialed"] == ANNA and c["state"] == "confirmed", what="answered by Anna"
        )
        record = call.get("record") or {}
        self.report.facts["anna_call_id"] = call["id"]
        self.report.facts["anna_call_record"] = record
        answered = self.callee_event(
            lambda e: e["person"] == "anna" and e.get("state") == "CONFIRMED", 5
        )
        speaking = self.callee_event(
            lambda e: e["person"] == "anna" and e["event"] == "speaking", 5
        )
        self.log(
            Step(
                "click Anna Kowalski's number; she answers and speaks",
                "done" if answered and speaking else "failed",
                f"call {call['id'][:8]}, tied to {record.get('object_type')} "
                f"{record.get('record_id')}; Anna's own record: "
                f"{'answered' if answered else 'NOT answered'}, "
                f"{'speaking' if speaking else 'silent'}",
            )
        )
        context = self.request("context.get", {"call_id": call["id"]}).get("context") or {}
        opportunity = (context.get("opportunity") or {}).get("id")
        self.report.facts["context_opportunity"] = opportunity
        self.log(
            Step(
                "the daemon's context for the call",
                "done" if opportunity == DEMO_OPPORTUNITY else "failed",
                f"opportunity {opportunity}",
            )
        )
        return call

    def open_panel(self) -> None:
        panel = self.browser.context.new_page()
        panel.set_default_timeout(8_000)  # a control the panel lacks fails its step soon
        panel.set_viewport_size(PANEL_VIEWPORT)
        panel.goto(self.browser.panel_url)
        try:
            panel.get_by_test_id("panel").wait_for(timeout=8_000)
        except PlaywrightError:
            self.panel_missing = "the side panel has no [data-testid=panel] yet"
            self.shot(panel, "02-panel.png")
            self.log(Step("open the side panel", "not done", self.panel_missing, panel=True))
            self.report.facts.setdefault("panel_steps_not_done", []).append("open the side panel")
            self.panel = None
            return
        self.panel = panel
        self.log(Step("open the side panel", "done", panel.url, panel=True))

    def panel_call_view(self, call: CallInfo) -> None:
        def action() -> str:
            self.testid("tab-call").click()
            card = self.testid("call-card")
            card.wait_for(timeout=5_000)
            self._wait_attr(card, "data-state", "confirmed")
            self.shot(self.panel, "02-panel-call.png")
            return f"state {card.get_attribute('data-state')}, remote {self._text('call-remote')}"

        self.panel_do("the call card shows the answered call", action)

    def panel_people(self) -> None:
        def action() -> str:
            assert self.panel is not None
            self.testid("tab-people").click()
            self.testid("people-view").wait_for(timeout=5_000)
            self.panel.wait_for_selector('[data-testid^="role-group-"]', timeout=5_000)
            groups = self.panel.evaluate(ROLE_GROUPS_JS)
            self.report.facts["panel_role_groups"] = groups
            if not any(g["contacts"] for g in groups):
                raise StepFailed("no contact in any role group")
            self.shot(self.panel, "03-panel-people.png")
            return ", ".join(f"{g['role']}: {len(g['contacts'])}" for g in groups)

        self.panel_do("the people view groups the deal's contacts by role", action)

    def panel_documents(self, call: CallInfo) -> None:
        def listed() -> str:
            assert self.panel is not None
            self.testid("tab-documents").click()
            self.testid("documents-view").wait_for(timeout=5_000)
            self.panel.wait_for_selector(
                '[data-testid^="document-"][data-presented]', timeout=5_000
            )
            documents = self.panel.evaluate(DOCUMENTS_JS)
            self.report.facts["panel_documents"] = documents
            return f"{len(documents)} documents"

        def present() -> str:
            item = self.testid(f"document-{PROPOSAL}")
            item.get_by_test_id("document-present").click()
            self._wait_attr(item, "data-presented", "true")
            self.shot(self.panel, "04-panel-documents.png")
            return "marked presented"

        self.panel_do("the document view lists the deal's documents", listed)
        presented = self.panel_do("present the proposal to the people on the call", present)
        if not presented:
            document = next(d for d in self._dataset_documents() if d["id"] == PROPOSAL)
            self.request(
                "call.message",
                {"call_id": call["id"], "text": f"{document['title']}: {document['url']}"},
            )
            self.request(
                "calllog.update", {"call_id": call["id"], "documents_presented": [PROPOSAL]}
            )
        message = self.callee_event(lambda e: e["person"] == "anna" and e["event"] == "message", 8)
        self.report.facts["anna_received_message"] = message["body"] if message else None
        self.log(
            Step(
                "Anna's phone receives the presented document (SIP MESSAGE)",
                ("done" if presented else "via daemon") if message else "failed",
                repr(message["body"][:120]) if message else "no MESSAGE reached Anna",
            )
        )

    def mute(self, call: CallInfo) -> None:
        def action() -> str:
            self.testid("tab-call").click()
            button = self.testid("call-mute")
            button.click()
            self._wait_attr(button, "aria-pressed", "true")
            self.shot(self.panel, "05-panel-muted.png")
            return "aria-pressed=true"

        muted = self.panel_do("mute", action)
        if not muted:
            self.request("call.mute", {"call_id": call["id"]})
        state = self.wait_call(lambda c: c["id"] == call["id"] and c["muted"], 5, "muted")
        self.log(
            Step(
                "the daemon's call is muted",
                "done" if muted else "via daemon",
                f"muted={state['muted']}",
            )
        )

    def transfer(self, call: CallInfo) -> None:
        def action() -> str:
            self.testid("call-transfer").click()
            self.testid("transfer-target").fill(COLLEAGUE_EXTENSION)
            self.testid("transfer-blind").click()
            self.wait_call(
                lambda c: c["id"] == call["id"] and c["state"] == "disconnected", 10, "transferred"
            )
            return "blind transfer"

        name = f"transfer Anna to a colleague (extension {COLLEAGUE_EXTENSION})"
        transferred = self.panel_do(name, action)
        if not transferred:
            self.request("call.transfer", {"call_id": call["id"], "target": COLLEAGUE_EXTENSION})
        ended = self.wait_call(
            lambda c: c["id"] == call["id"] and c["state"] == "disconnected", 10, "transferred"
        )
        refer = self.callee_event(
            lambda e: e["person"] == "anna" and e["event"] == "transfer_request", 5
        )
        colleague = self.callee_event(
            lambda e: e["person"] == "sam" and e.get("state") == "CONFIRMED", 10
        )
        self.report.facts["anna_transferred_to"] = refer["to"] if refer else None
        self.report.facts["colleague_answered"] = colleague is not None
        self.log(
            Step(
                "Anna is put through to the colleague; our call ends",
                ("done" if transferred else "via daemon") if refer and colleague else "failed",
                f"end cause {ended['end_cause']}; Anna's phone was referred to "
                f"{refer['to'] if refer else '?'}; colleague "
                f"{'answered' if colleague else 'did NOT answer'}",
            )
        )

    def wrap_up(self, call: CallInfo) -> None:
        def action() -> str:
            card = self.testid("call-card")
            self._wait_attr(card, "data-state", "disconnected")
            self.testid("call-notes").fill(NOTES, timeout=5_000)
            disposition = self.testid("disposition").input_value(timeout=5_000)
            self.shot(self.panel, "06-panel-wrap-up.png")
            self.testid("wrapup-done").click(timeout=5_000)
            return f"disposition {disposition}, notes typed"

        if not self.panel_do("notes and wrap-up for the call with Anna", action):
            return
        deadline = time.monotonic() + 5
        entry: dict[str, Any] = {}
        while time.monotonic() < deadline:
            with self.stack.client() as client:
                logged = client.request("calllog.list", {"opportunity_id": DEMO_OPPORTUNITY})
            entry = next(
                (c["entry"] for c in logged["calls"] if c["entry"]["call_id"] == call["id"]), {}
            )
            if entry.get("disposition") and entry.get("notes") == NOTES:
                break
            time.sleep(0.1)
        self.report.facts["anna_call_wrap_up"] = {
            k: entry.get(k) for k in ("disposition", "notes", "documents_presented")
        }
        self.log(
            Step(
                "the call with Anna is logged against the opportunity with its wrap-up",
                "done" if entry.get("notes") == NOTES and entry.get("disposition") else "failed",
                f"disposition {entry.get('disposition')!r}, "
                f"notes {'saved' if entry.get('notes') else 'missing'}, "
                f"documents {entry.get('documents_presented')}",
            )
        )

    def call_busy(self) -> None:
        assert self.crm is not None
        self.crm.bring_to_front()
        self.crm.locator(f'rolecall-call[data-number="{MARCUS}"]').first.click()
        ended = self.wait_call(
            lambda c: c["dialed"] == MARCUS and c["state"] == "disconnected", 10, "to Marcus"
        )
        time.sleep(0.3)
        self.shot(self.crm, "07-busy.png")
        self.log(
            Step(
                "call Marcus Reed: busy",
                "done" if ended["end_cause"] == "busy" else "failed",
                f"end cause {ended['end_cause']} ({ended['status_code']} {ended['reason']})",
            )
        )

    def hang_up_ringing(self) -> None:
        assert self.crm is not None
        self.crm.locator(f'rolecall-call[data-number="{TOM}"]').first.click()
        call = self.wait_call(
            lambda c: c["dialed"] == TOM and c["state"] == "ringing", 10, "ringing at Tom's"
        )

        def action() -> str:
            assert self.panel is not None
            self.panel.bring_to_front()
            self.testid("tab-call").click()
            self.testid("call-hangup").click()
            self.wait_call(lambda c: c["id"] == call["id"] and c["state"] == "disconnected", 5)
            return "call-hangup"

        hung_up = self.panel_do("hang up while Tom's phone rings", action)
        if not hung_up:
            self.request("call.hangup", {"call_id": call["id"]})
        ended = self.wait_call(lambda c: c["id"] == call["id"] and c["state"] == "disconnected", 5)
        self.log(
            Step(
                "the call to Tom Becker is hung up",
                "done" if hung_up else "via daemon",
                f"end cause {ended['end_cause']}",
            )
        )

    def take_call_back(self) -> None:
        inbound = self.wait_call(
            lambda c: c["direction"] == "inbound" and c["state"] == "ringing", 15, "from Tom"
        )
        context = self.request("context.get", {"phone": TOM}).get("matches") or []
        self.report.facts["callback_from"] = inbound["remote_uri"]
        self.report.facts["callback_matches"] = [m["contact"]["id"] for m in context]
        self.log(
            Step(
                "Tom calls back",
                "done" if TOM_ID in self.report.facts["callback_matches"] else "failed",
                f"from {inbound['remote_uri']}; matched {self.report.facts['callback_matches']}",
            )
        )

        def answer() -> str:
            assert self.panel is not None
            self.panel.bring_to_front()
            self.testid("inbound-card").wait_for(timeout=5_000)
            # Tom is on two deals: one match per deal.
            matches = self.testid(f"inbound-match-{TOM_ID}")
            matches.first.wait_for(timeout=5_000)
            count = matches.count()
            self.shot(self.panel, "08-panel-inbound.png")
            matches.first.click()  # "which deal is this call about?": the one we called about
            self.testid("inbound-answer").click()
            self.wait_call(
                lambda c: c["id"] == inbound["id"] and c["state"] == "confirmed", 5, "answered"
            )
            return f"inbound-card, Tom on {count} deals, picked the first, answered"

        answered = self.panel_do("the inbound screen pop shows Tom; answer", answer)
        if not answered:
            self.request("call.answer", {"call_id": inbound["id"]})
        self.wait_call(lambda c: c["id"] == inbound["id"] and c["state"] == "confirmed", 5)
        speaking = self.callee_event(lambda e: e["person"] == "tom" and e["event"] == "speaking", 5)
        time.sleep(2.0)  # Tom says why he called

        def hang_up() -> str:
            self.testid("tab-call").click()
            self.testid("call-hangup").click()
            self.wait_call(lambda c: c["id"] == inbound["id"] and c["state"] == "disconnected", 5)
            self.shot(self.panel, "09-panel-ended.png")
            return "call-hangup"

        hung_up = self.panel_do("hang up", hang_up)
        if not hung_up:
            self.request("call.hangup", {"call_id": inbound["id"]})
        ended = self.wait_call(
            lambda c: c["id"] == inbound["id"] and c["state"] == "disconnected", 5
        )
        self.log(
            Step(
                "the call back from Tom is answered and hung up",
                ("done" if answered and hung_up else "via daemon") if speaking else "failed",
                f"Tom {'spoke' if speaking else 'was silent'}; end cause {ended['end_cause']}",
            )
        )

        def history() -> str:
            assert self.panel is not None
            self.testid("tab-history").click()
            self.testid("history-view").wait_for(timeout=5_000)
            self.shot(self.panel, "10-panel-history.png")
            return f"{self.panel.locator('[data-testid^=history-entry-]').count()} entries"

        self.panel_do("the history shows the calls", history)

    # ---- helpers for the steps ------------------------------------------------------------

    def _wait_attr(self, locator: Any, name: str, value: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while locator.get_attribute(name, timeout=timeout * 1000) != value:
            if time.monotonic() > deadline:
                raise StepFailed(f"{name} never became {value!r}")
            time.sleep(0.1)

    def _text(self, testid: str) -> str:
        try:
            return str(self.testid(testid).text_content(timeout=2_000) or "").strip()
        except PlaywrightError:
            return "?"

    def _dataset_documents(self) -> list[dict[str, Any]]:
        assert self.stack.dataset is not None
        return [d.model_dump(mode="json") for d in self.stack.dataset.documents]

    def _save(self) -> None:
        with self.stack.client() as client:
            log = client.request("calllog.list", {"limit": 50})["calls"]
        (self.output / "call-log.json").write_text(json.dumps(log, indent=2, ensure_ascii=False))
        self.report.facts["call_log_entries"] = len(log)
        assert self.stack.callees is not None
        events = self.stack.callees.events()
        with (self.output / "callees.jsonl").open("w", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
        (self.output / "tour.json").write_text(
            json.dumps(self.report.to_json(), indent=2, ensure_ascii=False)
        )
