// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { SoundDevices, meterValue } from "../../src/options/SoundDevices";
import { FakeClient, hostError, tick } from "../panel/fake-client";

const DEVICES = [
  { name: "Desk Mic", host_api: "PulseAudio", inputs: 1, outputs: 0, default_input: true, default_output: false },
  { name: "Desk Speaker", host_api: "PulseAudio", inputs: 0, outputs: 2, default_input: false, default_output: true },
];
const CHOSEN = { input: null, output: "Desk Speaker", ringer: null, echo_cancellation: true, noise_suppression: false, ring_silenced: false };

async function mount(c: FakeClient): Promise<HTMLElement> {
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  await act(async () => {
    render(<SoundDevices client={c} />, root);
  });
  await act(async () => {
    for (let i = 0; i < 4; i++) await tick();
  });
  return root;
}
const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);

describe("the options page's Sound section", () => {
  it("shows the chosen devices and settings and sends a change to the host", async () => {
    const c = new FakeClient().on("audio.devices", () => ({ devices: DEVICES, chosen: CHOSEN, state: {} }));
    const root = await mount(c);
    const mic = q(root, "sound-input") as HTMLSelectElement;
    expect(mic.value).toBe("");
    expect([...mic.options].map((o) => o.value)).toEqual(["", "Desk Mic"]);
    expect((q(root, "sound-output") as HTMLSelectElement).value).toBe("Desk Speaker");
    expect((q(root, "sound-echo_cancellation") as HTMLInputElement).checked).toBe(true);
    expect((q(root, "sound-noise_suppression") as HTMLInputElement).checked).toBe(false);
    await act(async () => {
      mic.value = "Desk Mic";
      mic.dispatchEvent(new Event("change"));
      (q(root, "sound-ring_silenced") as HTMLInputElement).click();
      await tick();
    });
    expect(c.calls("audio.set")).toEqual([{ input: "Desk Mic" }, { ring_silenced: true }]);
  });

  it("plays a test tone and shows the microphone's level", async () => {
    const c = new FakeClient()
      .on("audio.devices", () => ({ devices: DEVICES, chosen: CHOSEN, state: {} }))
      .on("audio.test", () => ({ output: "Desk Speaker", input: "Desk Mic", mic_level_dbfs: -18.4 }));
    const root = await mount(c);
    await act(async () => {
      q(root, "sound-test")?.click();
      for (let i = 0; i < 3; i++) await tick();
    });
    expect(c.calls("audio.test")).toEqual([{ seconds: 1 }]);
    expect(q(root, "sound-test-result")?.textContent).toContain("Desk Speaker");
    expect(q(root, "sound-test-result")?.textContent).toContain("-18 dBFS");
    expect((q(root, "sound-level") as HTMLMeterElement).value).toBe(meterValue(-18.4));
  });

  it("says so when the host has no sound, and when there is no microphone", async () => {
    const c = new FakeClient()
      .on("audio.devices", () => {
        throw hostError("unavailable", "audio is off");
      })
      .on("audio.test", () => ({ output: null, input: null, mic_level_dbfs: -120 }));
    const root = await mount(c);
    expect(q(root, "sound-error")?.textContent).toContain("audio is off");
    await act(async () => {
      q(root, "sound-test")?.click();
      for (let i = 0; i < 3; i++) await tick();
    });
    expect(q(root, "sound-test-result")?.textContent).toContain("No microphone");
  });

  it("maps dBFS onto the meter", () => {
    expect(meterValue(-120)).toBe(0);
    expect(meterValue(-30)).toBe(50);
    expect(meterValue(0)).toBe(100);
  });
});
