// Call transcripts as the panel sees them: each call's progress (`transcript.progress`),
// its summary and action items once done (`transcript.get`), and the user's edit of them
// (`transcript.set_summary`, which also updates the call log and the CRM write-back). Its own
// small state with its own subscribers, like the audio model.

import type { EventMessage, Transcript, TranscriptProgressPayload } from "../../protocol/index";
import { errorText, type PanelClient } from "./state";

export interface CallTranscriptView {
  state: TranscriptProgressPayload["state"];
  stage: TranscriptProgressPayload["stage"];
  progress: number;
  summary: string;
  actionItems: string[];
  save: "idle" | "saving" | "saved" | "error";
  error: string;
}

export type TranscriptsView = Record<string, CallTranscriptView>;

const EMPTY: CallTranscriptView = {
  state: "queued",
  stage: "queued",
  progress: 0,
  summary: "",
  actionItems: [],
  save: "idle",
  error: "",
};

/** Action items as the user types them: one a line, blank lines dropped. */
export function itemsFromText(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/^\s*[-•*]\s*/, "").trim())
    .filter((line) => line.length > 0);
}

export class TranscriptModel {
  private current: TranscriptsView = {};
  private readonly listeners = new Set<(view: TranscriptsView) => void>();
  private stopEvents: (() => void) | null = null;

  constructor(private readonly client: PanelClient) {}

  get view(): TranscriptsView {
    return this.current;
  }

  subscribe(listener: (view: TranscriptsView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.stopEvents) return;
    this.stopEvents = this.client.onEvent((event) => this.onEvent(event));
  }

  stop(): void {
    this.stopEvents?.();
    this.stopEvents = null;
  }

  /** Asks the host for a call's transcript (a panel opened after the call ended). */
  async load(callId: string): Promise<void> {
    try {
      const { transcript } = await this.client.request("transcript.get", { call_id: callId });
      if (transcript) this.apply(transcript);
    } catch {
      // no transcript part in this host: nothing to show
    }
  }

  /** The user's summary and action items replace the made ones. */
  async edit(callId: string, summary: string, actionItems: string[]): Promise<boolean> {
    this.patch(callId, { summary, actionItems, save: "saving", error: "" });
    try {
      const { transcript } = await this.client.request("transcript.set_summary", {
        call_id: callId,
        summary,
        action_items: actionItems,
      });
      if (transcript) this.apply(transcript);
      this.patch(callId, { save: "saved" });
      return true;
    } catch (err) {
      this.patch(callId, { save: "error", error: errorText(err) });
      return false;
    }
  }

  private apply(transcript: Transcript): void {
    this.patch(transcript.call_id, {
      state: transcript.state,
      stage: transcript.state === "done" ? "done" : transcript.state === "failed" ? "failed" : "speech",
      progress: transcript.state === "done" ? 1 : this.current[transcript.call_id]?.progress ?? 0,
      summary: transcript.summary,
      actionItems: transcript.action_items,
      error: transcript.error,
    });
  }

  private onEvent(event: EventMessage): void {
    if (event.type !== "transcript.progress") return;
    const payload = event.payload as unknown as TranscriptProgressPayload;
    this.patch(payload.call_id, { state: payload.state, stage: payload.stage, progress: payload.progress });
    if (payload.state === "done" || payload.state === "failed") void this.load(payload.call_id);
  }

  private patch(callId: string, change: Partial<CallTranscriptView>): void {
    const before = this.current[callId] ?? EMPTY;
    this.current = { ...this.current, [callId]: { ...before, ...change } };
    for (const listener of [...this.listeners]) listener(this.current);
  }
}
