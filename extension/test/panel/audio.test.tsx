// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { AudioModel, chosenFor, devicesFor } from "../../src/sidepanel/store/audio";
import { AudioDevices } from "../../src/sidepanel/AudioDevices";
import { FakeClient, hostError, tick } from "./fake-client";

function state(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    input: "Desk Mic",
    output: "Desk Speaker",
    ringer: "Desk Speaker",
    no_microphone: false,
    no_speaker: false,
    echo_cancellation: true,
    noise_suppression: true,
    ring_silenced: false,
    reason: "",
    ...over,
  };
}

const DEVICES = [
  { name: "Desk Mic", host_api: "PulseAudio", inputs: 1, outputs: 0, default_input: true, default_output: false },
  { name: "Desk Speaker", host_api: "PulseAudio", inputs: 0, outputs: 2, default_input: false, default_output: true },
  { name: "Headset", host_api: "PulseAudio", inputs: 1, outputs: 2, default_input: false, default_output: false },
];
const CHOSEN = { input: null, output: null, ringer: null, echo_cancellation: true, noise_suppression: true, ring_silenced: false };

function client(): FakeClient {
  return new FakeClient().on("audio.devices", () => ({ devices: DEVICES, chosen: CHOSEN, state: state() }));
}

describe("the audio model", () => {
  it("loads the devices and follows audio.state", async () => {
    const c = client();
    const model = new AudioModel(c);
    model.start();
    await tick();
    expect(model.view.status).toBe("ready");
    expect(devicesFor(model.view, "input").map((d) => d.name)).toEqual(["Desk Mic", "Headset"]);
    expect(devicesFor(model.view, "output").map((d) => d.name)).toEqual(["Desk Speaker", "Headset"]);
    c.emit("audio.state", state({ input: null, no_microphone: true }));
    expect(model.view.state?.no_microphone).toBe(true);
    c.emit("call.state", { id: "x" });
    expect(model.view.state?.input).toBeNull();
    model.stop();
    c.emit("audio.state", state());
    expect(model.view.state?.no_microphone).toBe(true);
  });

  it("asks the host to switch a device, and '' means the system default", async () => {
    const c = client();
    const model = new AudioModel(c);
    model.start();
    await tick();
    expect(await model.choose("output", "Headset")).toBe(true);
    expect(chosenFor(model.view, "output")).toBe("Headset");
    expect(await model.choose("output", "")).toBe(true);
    expect(chosenFor(model.view, "output")).toBe("");
    expect(c.calls("audio.set")).toEqual([{ output: "Headset" }, { output: "" }]);
  });

  it("puts the choice back when the host refuses it", async () => {
    const c = client().on("audio.set", () => {
      throw hostError("invalid_params", "no such device");
    });
    const model = new AudioModel(c);
    model.start();
    await tick();
    expect(await model.choose("input", "Gone")).toBe(false);
    expect(chosenFor(model.view, "input")).toBe("");
    expect(model.view.error).toBe("no such device");
  });

  it("reports a host without audio as an error, not a crash", async () => {
    const c = new FakeClient().on("audio.devices", () => {
      throw hostError("unavailable", "audio is off");
    });
    const model = new AudioModel(c);
    model.start();
    await tick();
    expect(model.view.status).toBe("error");
    expect(model.view.error).toBe("audio is off");
  });
});

async function mount(c: FakeClient): Promise<{ root: HTMLElement; model: AudioModel }> {
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  const model = new AudioModel(c);
  await act(async () => {
    render(<AudioDevices model={model} />, root);
    model.start();
    for (let i = 0; i < 4; i++) await tick();
  });
  return { root, model };
}
const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);

describe("the audio devices view", () => {
  it("shows the devices in use and no warning when both are there", async () => {
    const { root } = await mount(client());
    expect(q(root, "audio-input-in-use")?.textContent).toContain("Desk Mic");
    expect(q(root, "audio-output-in-use")?.textContent).toContain("Desk Speaker");
    expect(q(root, "audio-no-microphone")).toBeNull();
    expect(q(root, "audio-no-speaker")).toBeNull();
  });

  it("says plainly that there is no microphone or speaker when the host says so", async () => {
    const c = client();
    const { root } = await mount(c);
    await act(async () => {
      c.emit("audio.state", state({ input: null, output: null, no_microphone: true, no_speaker: true }));
      await tick();
    });
    expect(q(root, "audio-no-microphone")?.textContent).toBe("No microphone: the call goes on, they can't hear you.");
    expect(q(root, "audio-no-speaker")?.textContent).toContain("No speaker");
  });

  it("switches the speaker from the picker", async () => {
    const c = client();
    const { root } = await mount(c);
    await act(async () => {
      q(root, "audio-choose")?.click();
      await tick();
    });
    const select = q(root, "audio-output") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(["", "Desk Speaker", "Headset"]);
    expect(select.options[0]?.textContent).toBe("System default");
    await act(async () => {
      select.value = "Headset";
      select.dispatchEvent(new Event("change"));
      await tick();
    });
    expect(c.calls("audio.set")).toEqual([{ output: "Headset" }]);
    expect((q(root, "audio-output") as HTMLSelectElement).value).toBe("Headset");
  });
});
