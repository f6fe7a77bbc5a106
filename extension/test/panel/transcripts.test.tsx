// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { TranscriptModel, itemsFromText } from "../../src/sidepanel/store/transcripts";
import { CallSummary } from "../../src/sidepanel/CallSummary";
import { notesOf } from "../../src/sidepanel/HistoryView";
import { FakeClient, hostError, tick } from "./fake-client";

const CALL = "c".repeat(32);

function transcript(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    call_id: CALL,
    state: "done",
    model: "tiny.en",
    turns: [{ speaker: "user", start_s: 0.5, end_s: 3, text: "I will send the quote by Friday." }],
    summary: "You: I will send the quote by Friday.",
    action_items: ["You: I will send the quote by Friday."],
    error: "",
    ...over,
  };
}

function progress(state: string, stage: string, share: number): Record<string, unknown> {
  return { call_id: CALL, state, stage, progress: share, summary: "" };
}

describe("the transcript model", () => {
  it("follows progress, then loads the summary once done", async () => {
    let ready = false;
    const c = new FakeClient().on("transcript.get", () => ({ transcript: ready ? transcript() : null }));
    const model = new TranscriptModel(c);
    model.start();
    c.emit("transcript.progress", progress("running", "speech", 0.4));
    expect(model.view[CALL]).toMatchObject({ state: "running", progress: 0.4, summary: "" });
    ready = true;
    c.emit("transcript.progress", progress("done", "done", 1));
    await tick();
    expect(model.view[CALL]).toMatchObject({ state: "done", summary: "You: I will send the quote by Friday." });
    expect(model.view[CALL]?.actionItems).toEqual(["You: I will send the quote by Friday."]);
    model.stop();
    c.emit("transcript.progress", progress("running", "speech", 0.1));
    expect(model.view[CALL]?.state).toBe("done");
  });

  it("saves the user's edit and reports a refusal", async () => {
    const c = new FakeClient().on("transcript.set_summary", (p) => ({
      transcript: transcript({ summary: p.summary, action_items: p.action_items }),
    }));
    const model = new TranscriptModel(c);
    expect(await model.edit(CALL, "Edited.", ["Book the demo"])).toBe(true);
    expect(c.calls("transcript.set_summary")).toEqual([{ call_id: CALL, summary: "Edited.", action_items: ["Book the demo"] }]);
    expect(model.view[CALL]).toMatchObject({ summary: "Edited.", save: "saved" });
    const refusing = new FakeClient().on("transcript.set_summary", () => {
      throw hostError("not_found", "no transcript");
    });
    const other = new TranscriptModel(refusing);
    expect(await other.edit(CALL, "x", [])).toBe(false);
    expect(other.view[CALL]).toMatchObject({ save: "error", error: "no transcript" });
  });

  it("reads action items one a line, bullets and blanks dropped", () => {
    expect(itemsFromText("- Send the quote\n\n• Book the demo  \n   ")).toEqual(["Send the quote", "Book the demo"]);
  });
});

describe("the wrap-up's summary", () => {
  it("shows progress, then the editable summary, and saves an edit", async () => {
    const c = new FakeClient()
      .on("transcript.get", () => ({ transcript: null }))
      .on("transcript.set_summary", (p) => ({ transcript: transcript({ summary: p.summary, action_items: p.action_items }) }));
    const model = new TranscriptModel(c);
    model.start();
    const root = document.createElement("div");
    await act(() => render(<CallSummary model={model} callId={CALL} />, root));
    expect(root.querySelector("[data-testid=call-summary]")).toBeNull();
    await act(() => c.emit("transcript.progress", progress("running", "speech", 0.5)));
    expect(root.querySelector("[data-testid=call-summary-progress]")?.textContent).toContain("50");
    c.on("transcript.get", () => ({ transcript: transcript() }));
    await act(async () => {
      c.emit("transcript.progress", progress("done", "done", 1));
      await tick();
    });
    const text = root.querySelector<HTMLTextAreaElement>("[data-testid=call-summary-text]");
    expect(text?.value).toBe("You: I will send the quote by Friday.");
    expect(root.querySelector<HTMLTextAreaElement>("[data-testid=call-summary-items]")?.value).toBe(
      "You: I will send the quote by Friday.",
    );
    await act(() => {
      text!.value = "We agreed on the quote.";
      text!.dispatchEvent(new Event("input"));
    });
    await act(async () => {
      root.querySelector<HTMLButtonElement>("[data-testid=call-summary-save]")!.click();
      await tick();
    });
    expect(c.calls("transcript.set_summary")[0]).toMatchObject({ summary: "We agreed on the quote." });
    render(null, root);
  });

  it("keeps the summary block out of the notes History shows", () => {
    const notes = "Spoke to Dana.\n\nCall summary (made on this computer):\nYou: quote by Friday.";
    expect(notesOf(notes, "You: quote by Friday.")).toBe("Spoke to Dana.");
    expect(notesOf("Plain notes.", "")).toBe("Plain notes.");
  });
});
