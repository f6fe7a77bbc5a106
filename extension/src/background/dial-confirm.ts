// Page calls that wait for the user's word in the panel: each is kept here with what to
// run once confirmed, offered to every panel (`rolecall-ui` ports) until it is answered
// or expires, and dialled only on "Call".

import type { DialConfirmInfo } from "../shared/ui-messages";
import type { Logger } from "./logger";

/** An unanswered confirmation is dropped after this long. */
const EXPIRES_MS = 120_000;
/** At most this many wait at once; the oldest goes first. */
const MAX_PENDING = 5;

interface Pending {
  info: DialConfirmInfo;
  run: () => Promise<unknown>;
  timer: ReturnType<typeof setTimeout>;
}

export class DialConfirmations {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(pending: DialConfirmInfo[]) => void>();
  private serial = 0;

  constructor(private readonly logger: Logger) {}

  /** Keeps a call to confirm; `run` places it. Returns the confirmation's id. */
  ask(info: Omit<DialConfirmInfo, "id">, run: () => Promise<unknown>): string {
    const id = `dial-${Date.now().toString(36)}-${++this.serial}`;
    while (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value as string;
      this.drop(oldest);
    }
    const timer = setTimeout(() => {
      this.drop(id);
      this.changed();
    }, EXPIRES_MS);
    this.pending.set(id, { info: { ...info, id }, run, timer });
    this.logger.info(`a page call waits for confirmation (${info.reason})`, { target: info.target });
    this.changed();
    return id;
  }

  /** The user's answer from a panel: "Call" places the call, "Cancel" forgets it. */
  async answer(id: string, accept: boolean): Promise<boolean> {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.drop(id);
    this.changed();
    if (accept) {
      this.logger.info("the user confirmed a page call", { target: entry.info.target });
      await entry.run();
    }
    return true;
  }

  list(): DialConfirmInfo[] {
    return [...this.pending.values()].map((entry) => entry.info);
  }

  onChange(listener: (pending: DialConfirmInfo[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private drop(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  private changed(): void {
    const list = this.list();
    for (const listener of [...this.listeners]) listener(list);
  }
}
