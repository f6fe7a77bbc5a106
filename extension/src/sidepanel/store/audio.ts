// The panel's view of the user's sound devices: which microphone, speaker and ringer are in
// use (kept current by `audio.state`), the devices the host can open (`audio.devices`), and
// the user's switch of a device during a call (`audio.set`). Its own small state with its
// own subscribers, so the rest of the panel does not re-render for it.

import type { AudioChoice, AudioDevice, AudioStatePayload, EventMessage } from "../../protocol/index";
import { errorText, type PanelClient } from "./state";

export type AudioRole = "input" | "output" | "ringer";

export interface AudioView {
  /** What the host says is in use; null until the host has answered once. */
  state: AudioStatePayload | null;
  devices: AudioDevice[];
  chosen: AudioChoice | null;
  status: "idle" | "loading" | "ready" | "error";
  error: string;
}

const INITIAL: AudioView = { state: null, devices: [], chosen: null, status: "idle", error: "" };

/** Devices that can serve a role: microphones have inputs, speakers and ringers outputs. */
export function devicesFor(view: AudioView, role: AudioRole): AudioDevice[] {
  return view.devices.filter((d) => (role === "input" ? d.inputs > 0 : d.outputs > 0));
}

/** The device the user chose for a role; "" is the system default. */
export function chosenFor(view: AudioView, role: AudioRole): string {
  return view.chosen?.[role] ?? "";
}

export class AudioModel {
  private current: AudioView = INITIAL;
  private readonly listeners = new Set<(view: AudioView) => void>();
  private stopEvents: (() => void) | null = null;

  constructor(private readonly client: PanelClient) {}

  get view(): AudioView {
    return this.current;
  }

  subscribe(listener: (view: AudioView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Follows `audio.state` and asks for the devices once. */
  start(): void {
    if (this.stopEvents) return;
    this.stopEvents = this.client.onEvent((event) => this.onEvent(event));
    void this.load();
  }

  stop(): void {
    this.stopEvents?.();
    this.stopEvents = null;
  }

  async load(): Promise<void> {
    this.set({ status: "loading", error: "" });
    try {
      const result = await this.client.request("audio.devices", {});
      this.set({ devices: result.devices, chosen: result.chosen, state: result.state, status: "ready" });
    } catch (err) {
      this.set({ status: "error", error: errorText(err) });
    }
  }

  /** Switches a role to a device ("" = system default); the host answers with `audio.state`. */
  async choose(role: AudioRole, device: string): Promise<boolean> {
    const previous = this.current.chosen;
    if (previous) this.set({ chosen: { ...previous, [role]: device === "" ? null : device } });
    try {
      await this.client.request("audio.set", { [role]: device });
      return true;
    } catch (err) {
      this.set({ chosen: previous, error: errorText(err) });
      return false;
    }
  }

  private onEvent(event: EventMessage): void {
    if (event.type !== "audio.state") return;
    this.set({ state: event.payload as unknown as AudioStatePayload });
  }

  private set(patch: Partial<AudioView>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of [...this.listeners]) listener(this.current);
  }
}
