// @vitest-environment jsdom
// The options page's "Call recording and transcripts" section: both switches start off, a
// change is sent as `transcript.settings` and shown as the host answers it.
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { TranscriptSettings } from "../../src/options/transcripts";
import type { BackgroundClient } from "../../src/shared/background-client";

function fakeHost(): { client: BackgroundClient; calls: [string, Record<string, unknown>][] } {
  let settings: Record<string, unknown> = { record_calls: false, transcribe: false, model: "tiny.en", retention_days: null };
  const calls: [string, Record<string, unknown>][] = [];
  const client = {
    connect: () => undefined,
    close: () => undefined,
    request: async (method: string, params: Record<string, unknown>) => {
      calls.push([method, params]);
      const change = { ...params };
      if (change.retention_days === 0) change.retention_days = null;
      settings = { ...settings, ...change };
      return { settings, model_installed: settings.model === "tiny.en" };
    },
  } as unknown as BackgroundClient;
  return { client, calls };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

describe("the Call recording and transcripts section", () => {
  it("starts off and sends each change", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    const { client, calls } = fakeHost();
    await act(async () => {
      render(<TranscriptSettings client={client} />, root);
    });
    await act(settle);
    const record = root.querySelector<HTMLInputElement>("[data-testid=record-calls-switch]")!;
    const transcribe = root.querySelector<HTMLInputElement>("[data-testid=transcribe-switch]")!;
    expect(record.checked).toBe(false);
    expect(transcribe.checked).toBe(false);
    expect(root.querySelector("[data-testid=transcript-model-state]")?.textContent).toBe("Installed.");
    await act(async () => {
      transcribe.click();
      await settle();
    });
    expect(calls.at(-1)).toEqual(["transcript.settings", { transcribe: true }]);
    expect(transcribe.checked).toBe(true);
    const model = root.querySelector<HTMLSelectElement>("[data-testid=transcript-model]")!;
    await act(async () => {
      model.value = "base";
      model.dispatchEvent(new Event("change"));
      await settle();
    });
    expect(calls.at(-1)).toEqual(["transcript.settings", { model: "base" }]);
    expect(root.querySelector("[data-testid=transcript-model-state]")?.textContent).toContain("145 MB");
    const days = root.querySelector<HTMLInputElement>("[data-testid=transcript-retention]")!;
    await act(async () => {
      days.value = "30";
      days.dispatchEvent(new Event("change"));
      await settle();
    });
    expect(calls.at(-1)).toEqual(["transcript.settings", { retention_days: 30 }]);
    expect(calls[0]).toEqual(["transcript.settings", {}]);
    render(null, root);
  });
});
