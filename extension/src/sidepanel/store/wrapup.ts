// A call's wrap-up: its notes, kept as typed and saved to the call log 0.7 s after typing
// stops; its disposition; and the final `calllog.update` that sends notes, disposition and
// documents on to the CRM, after which the deal's history is reloaded.

import type { DealContext } from "./deal";
import { errorText, type StoreCore } from "./state";

const NOTES_DEBOUNCE_MS = 700;

export class WrapUp {
  private readonly notesTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly core: StoreCore,
    private readonly deal: DealContext,
  ) {}

  /** Keeps the call's notes and saves them shortly after typing stops. */
  editNotes(callId: string, text: string): void {
    this.core.set({ notes: { ...this.core.state.notes, [callId]: { text, status: "saving", error: "" } } });
    const pending = this.notesTimers.get(callId);
    if (pending !== undefined) clearTimeout(pending);
    this.notesTimers.set(
      callId,
      setTimeout(() => {
        this.notesTimers.delete(callId);
        void this.saveNotes(callId);
      }, NOTES_DEBOUNCE_MS),
    );
  }

  async saveNotes(callId: string): Promise<boolean> {
    const { core } = this;
    const entry = core.state.notes[callId];
    if (!entry) return true;
    const text = entry.text;
    try {
      await core.client.request("calllog.update", { call_id: callId, notes: text });
      const now = core.state.notes[callId];
      if (now?.text === text) core.set({ notes: { ...core.state.notes, [callId]: { text, status: "saved", error: "" } } });
      return true;
    } catch (err) {
      core.set({ notes: { ...core.state.notes, [callId]: { text, status: "error", error: errorText(err) } } });
      return false;
    }
  }

  setDisposition(callId: string, disposition: string): void {
    this.core.set({ disposition: { ...this.core.state.disposition, [callId]: disposition } });
  }

  /** Wrap-up done: notes, disposition and documents go to the log and on to the CRM. */
  async finishWrapUp(callId: string): Promise<boolean> {
    const { core } = this;
    const pending = this.notesTimers.get(callId);
    if (pending !== undefined) clearTimeout(pending);
    this.notesTimers.delete(callId);
    const notes = core.state.notes[callId]?.text;
    const ok = await core.act(() =>
      core.client.request("calllog.update", {
        call_id: callId,
        disposition: core.state.disposition[callId] ?? "",
        ...(notes !== undefined ? { notes } : {}),
        final: true,
      }),
    );
    if (!ok) return false;
    core.set({ wrappedUp: [...core.state.wrappedUp, callId] });
    core.notify("info", "notice_logged", []);
    void this.deal.loadHistory();
    return true;
  }
}
